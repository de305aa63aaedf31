from . import rsb_deposit_waive_wizard
