from . import test_dunning_levels
from . import test_dunning_run
