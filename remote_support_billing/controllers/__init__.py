from . import portal_account
