from . import rsb_dunning_pause_wizard
from . import rsb_credit_hold_lift_wizard
from . import rsb_dunning_writeoff_wizard
from . import rsb_collections_export_wizard
