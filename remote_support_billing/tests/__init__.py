from . import test_dunning_levels
from . import test_dunning_run
from . import test_dunning_credit_hold
from . import test_dunning_portal
from . import test_dunning_lock
from . import test_dunning_collections
from . import test_dunning_security
from . import test_deposit_lifecycle
