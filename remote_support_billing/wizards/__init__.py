from . import rsb_deposit_waive_wizard
from . import rsb_dso_wizard
from . import rsb_dso_wizard_line
from . import rsb_dunning_pause_wizard
from . import rsb_credit_hold_lift_wizard
from . import rsb_dunning_writeoff_wizard
from . import rsb_collections_export_wizard
from . import rsb_receivables_dashboard
