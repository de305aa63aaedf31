from . import test_dunning_levels
from . import test_dunning_run
from . import test_dunning_credit_hold
