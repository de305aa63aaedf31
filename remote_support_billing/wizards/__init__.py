from . import rsb_deposit_waive_wizard
from . import rsb_dso_wizard
from . import rsb_dso_wizard_line
