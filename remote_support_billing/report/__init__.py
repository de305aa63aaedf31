from . import ir_actions_report
from . import rsb_partner_statement
