from . import rsb_params
from . import portal
from . import portal_account
from . import portal_dunning
from . import helpdesk_ticket
from . import portal_deposit_invoice
from . import portal_statement
from . import portal_promise
