"""The accountant's Reverse wizard, seen from the deposit ledger."""

from odoo import models

from .. import ledger_guard


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        # "Reverse and create a new draft" copies the documents with their business fields
        # (Odoo's own copy, of the moves chosen): the deposit tags of a ticket's document go
        # with its copy, as they go with its reversal (see ledger_guard.py).
        return super(AccountMoveReversal, ledger_guard.ledger_writer(self)).reverse_moves(
            is_modify=is_modify
        )
