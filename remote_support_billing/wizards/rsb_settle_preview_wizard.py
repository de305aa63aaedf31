"""The technician's Settle Up confirmation: the figures of the settle-up before it runs."""

from odoo import api, fields, models


class RsbSettlePreviewWizard(models.TransientModel):
    _name = "rsb.settle.preview.wizard"
    _description = "Settle Up a Ticket: the Figures"

    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", required=True, readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_figures")
    logged_hours = fields.Float(string="Time Logged", compute="_compute_figures")
    charged_hours = fields.Float(
        string="Time Charged",
        compute="_compute_figures",
        help="With the team's rounding increment, minimum charge and free quick fix.",
    )
    rate = fields.Monetary(string="Hourly Rate", compute="_compute_figures")
    total = fields.Monetary(
        string="Time Invoiced", compute="_compute_figures", help="Taxes included."
    )
    deposit_available = fields.Monetary(string="Deposit Held", compute="_compute_figures")
    applied = fields.Monetary(string="Deposit Applied", compute="_compute_figures")
    late_fees = fields.Monetary(
        string="Late Fees Billed",
        compute="_compute_figures",
        help="Late fees of earlier invoices billed on this settle-up (company setting); "
        "the deposit does not pay them.",
    )
    to_charge = fields.Monetary(
        string="To Charge",
        compute="_compute_figures",
        help="What the client pays after the deposit (charged to the saved card, if any).",
    )
    unused = fields.Monetary(string="Deposit Left", compute="_compute_figures")
    unused_policy = fields.Selection(
        selection=[("refund", "Refunded"), ("credit", "Kept as credit")],
        string="Deposit Left Is",
        compute="_compute_figures",
    )

    @api.depends("ticket_id")
    def _compute_figures(self):
        for wizard in self:
            figures = wizard.ticket_id.sudo()._rsb_settlement_preview()
            wizard.currency_id = figures["currency"]
            wizard.logged_hours = figures["minutes"] / 60.0
            wizard.charged_hours = figures["quantity"]
            for fname in (
                "rate",
                "total",
                "deposit_available",
                "applied",
                "late_fees",
                "to_charge",
                "unused",
            ):
                wizard[fname] = figures[fname]
            policy = figures["unused_policy"]
            wizard.unused_policy = policy if policy in ("refund", "credit") else False

    def action_confirm(self):
        """Run the settle-up (the same checks as the list's Settle Up) and close."""
        self.ensure_one()
        ticket = self.ticket_id.with_context(rsb_settle_preview=False)
        action = ticket.action_rsb_settle()
        action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action
