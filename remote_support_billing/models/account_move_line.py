"""Journal items tagged with the ticket whose deposit they move: the deposit ledger.

Every line this addon books on a Customer Deposits account (the request, the deposit applied
on a settle-up invoice, the unused deposit returned) carries the ticket and its role. The tags
are copied by Odoo's reversals (a reversed document moves the same ticket's deposit back), so
a ticket's figures are read from posted journal items alone, whatever happened to the
documents: reversal, reset to draft, cancel, partial payment or a later change of the
company's deposit account.
"""

from odoo import fields, models

DEPOSIT_ROLES = [
    ("request", "Deposit Requested"),
    ("apply", "Deposit Applied"),
    ("return", "Unused Deposit Returned"),
]


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

    def _copy_data_extend_business_fields(self, values):  # pylint: disable=missing-return
        # A reversal (Odoo copies with `include_business_fields`) moves the same ticket's
        # deposit back; a plain duplicate of a document is no deposit of the ticket.
        super()._copy_data_extend_business_fields(values)
        values["rsb_deposit_ticket_id"] = self.rsb_deposit_ticket_id.id
        values["rsb_deposit_role"] = self.rsb_deposit_role
