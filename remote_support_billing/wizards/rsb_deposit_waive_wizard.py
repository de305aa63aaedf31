from odoo import fields, models


class RsbDepositWaiveWizard(models.TransientModel):
    _name = "rsb.deposit.waive.wizard"
    _description = "Waive a Ticket's Deposit"

    ticket_ids = fields.Many2many(comodel_name="helpdesk.ticket", string="Tickets", required=True)
    reason = fields.Text(required=True, help="Why the session may be scheduled without a deposit.")

    def action_confirm(self):
        self.ensure_one()
        self.ticket_ids._rsb_waive_deposit(self.reason)
        return {"type": "ir.actions.act_window_close"}
