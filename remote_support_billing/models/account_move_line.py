"""Journal items tagged with the ticket whose deposit they move: the deposit ledger.

Every line this addon books on a Customer Deposits account (the request, the deposit applied
on a settle-up invoice, the unused deposit returned) carries the ticket and its role. The tags
are copied by Odoo's reversals (a reversed document moves the same ticket's deposit back), so
a ticket's figures are read from posted journal items alone, whatever happened to the
documents: reversal, reset to draft, cancel, partial payment or a later change of the
company's deposit account. Only the addon's own methods write them (see ledger_guard.py).
"""

from odoo import api, fields, models

from .. import ledger_guard

DEPOSIT_ROLES = [
    ("request", "Deposit Requested"),
    ("apply", "Deposit Applied"),
    ("return", "Unused Deposit Returned"),
]
# the tags of the deposit ledger, written by the addon's own methods only
LEDGER_FIELDS = ("rsb_deposit_ticket_id", "rsb_deposit_role")


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    rsb_deposit_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Deposit of Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The ticket whose deposit this journal item moves (deposit ledger).",
    )
    rsb_deposit_role = fields.Selection(
        selection=DEPOSIT_ROLES,
        string="Deposit Movement",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        ledger_guard.check_create(self, vals_list, LEDGER_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        ledger_guard.check_write(self, vals, LEDGER_FIELDS)
        return super().write(vals)

    def _copy_data_extend_business_fields(self, values):  # pylint: disable=missing-return
        # A reversal (Odoo copies with `include_business_fields`) moves the same ticket's
        # deposit back; a plain duplicate of a document is no deposit of the ticket. The copy
        # is created by a ledger writer only (`account.move._reverse_moves`, the Reverse
        # wizard): the context alone, which any RPC caller can send, is refused at the create.
        super()._copy_data_extend_business_fields(values)
        values["rsb_deposit_ticket_id"] = self.rsb_deposit_ticket_id.id
        values["rsb_deposit_role"] = self.rsb_deposit_role
