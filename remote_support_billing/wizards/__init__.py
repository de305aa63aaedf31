from . import rsb_dso_wizard
from . import rsb_dso_wizard_line
from . import rsb_receivables_dashboard
