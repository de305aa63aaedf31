"""The helpdesk manager's wizard: waive a ticket's deposit or cancel its session, with a reason."""

from odoo import fields, models

from ..feedback import notification


class RsbDepositWaiveWizard(models.TransientModel):
    _name = "rsb.deposit.waive.wizard"
    _description = "Waive a Ticket's Deposit or Cancel its Session"

    mode = fields.Selection(
        selection=[
            ("waive", "Waive the deposit"),
            ("cancel", "Cancel the session"),
            ("override_hold", "Override the credit hold"),
        ],
        required=True,
        default="waive",
    )
    ticket_ids = fields.Many2many(comodel_name="helpdesk.ticket", string="Tickets", required=True)
    reason = fields.Text(required=True, help="Why: logged on each ticket.")

    def action_confirm(self):
        self.ensure_one()
        tickets = ", ".join(self.ticket_ids.mapped("display_name"))
        if self.mode == "cancel":
            self.ticket_ids._rsb_cancel_session(self.reason)
            title = self.env._("Session cancelled")
            message = self.env._(
                "%s: the deposit is returned or kept as credit, the client is told.", tickets
            )
        elif self.mode == "override_hold":
            self.ticket_ids._rsb_override_credit_hold(self.reason)
            title = self.env._("Credit hold overridden")
            message = self.env._("%s may now be worked on and scheduled.", tickets)
        else:
            self.ticket_ids._rsb_waive_deposit(self.reason)
            title = self.env._("Deposit waived")
            message = self.env._(
                "%s may now be scheduled; the client is told no deposit is needed.", tickets
            )
        return notification(title, message, kind="success")
