"""The accountant's wizard: a deposit paid by bank transfer or cash, booked against its request."""

from odoo import api, fields, models

from ..feedback import notification


class RsbDepositPaymentWizard(models.TransientModel):
    _name = "rsb.deposit.payment.wizard"
    _description = "Register a Deposit Paid by Transfer or Cash"

    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", required=True, readonly=True)
    company_id = fields.Many2one(related="ticket_id.company_id")
    currency_id = fields.Many2one(related="ticket_id.rsb_currency_id")
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        default=lambda self: self._default_journal_id(),
    )
    amount = fields.Monetary(currency_field="currency_id", required=True)
    payment_date = fields.Date(
        string="Received On", required=True, default=fields.Date.context_today
    )
    memo = fields.Char(help="The bank transfer's reference, or a note on the cash receipt.")

    @api.model
    def _default_journal_id(self):
        ticket = self.env["helpdesk.ticket"].browse(self.env.context.get("default_ticket_id"))
        company = ticket.company_id or self.env.company
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._rsb_register_deposit_payment(
            self.journal_id, self.amount, self.payment_date, self.memo
        )
        return notification(
            self.env._("Deposit received"),
            self.env._(
                "%s: the deposit is booked in Customer Deposits and the ticket may be scheduled.",
                self.ticket_id.display_name,
            ),
            kind="success",
        )
