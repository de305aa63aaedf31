from . import rsb_partner_statement
