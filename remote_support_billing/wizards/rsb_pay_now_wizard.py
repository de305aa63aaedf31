"""Request Payment Now (the technician, during the session): what is due now, the settle-up
preview, then the short link and the QR code; and the reason asked when an open request is
cancelled (by hand, or by closing the ticket)."""

from odoo import _, api, fields, models


class RsbPayNowWizard(models.TransientModel):
    _name = "rsb.pay.now.wizard"
    _description = "Request Payment Now: the Figures"
    _inherit = "rsb.settle.preview.wizard"

    send_email = fields.Boolean(
        string="Email the Link",
        compute="_compute_send_defaults",
        store=True,
        readonly=False,
    )
    send_sms = fields.Boolean(
        string="Text the Link",
        compute="_compute_send_defaults",
        store=True,
        readonly=False,
    )
    partner_email = fields.Char(related="ticket_id.partner_id.email", string="Email")
    partner_mobile = fields.Char(related="ticket_id.partner_id.mobile", string="Mobile")

    @api.depends("ticket_id")
    def _compute_send_defaults(self):
        for wizard in self:
            partner = wizard.ticket_id.partner_id
            wizard.send_email = bool(partner.email)
            wizard.send_sms = bool(partner.mobile)

    def action_confirm(self):
        """Create the request of what is due now (computed again: time logged since the
        dialog opened counts) and open the ticket, where its link, QR code and live state
        are."""
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        move = ticket.sudo()._rsb_request_payment_now(
            send_email=self.send_email, send_sms=self.send_sms
        )
        return ticket._rsb_pay_now_notification(move)


class RsbPayNowCancelWizard(models.TransientModel):
    _name = "rsb.pay.now.cancel.wizard"
    _description = "Cancel a Payment Request"

    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", required=True, readonly=True)
    stage_id = fields.Many2one(
        comodel_name="helpdesk.ticket.stage",
        string="Then Move To",
        readonly=True,
        help="The closing stage the ticket goes to once the request is cancelled.",
    )
    currency_id = fields.Many2one(related="ticket_id.rsb_currency_id")
    amount = fields.Monetary(related="ticket_id.rsb_pay_now_amount", string="Requested")
    reason = fields.Text(required=True, help="Why: logged on the ticket and on the request.")

    @api.model
    def _rsb_action_open(self, ticket, stage=None):
        context = {"default_ticket_id": ticket.id}
        if stage:
            context["default_stage_id"] = stage.id
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel the Payment Request"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_confirm(self):
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        ticket.sudo()._rsb_cancel_payment_now(self.reason)
        if self.stage_id:
            ticket.with_context(rsb_pay_now_close_reason=self.reason).stage_id = self.stage_id
        return {"type": "ir.actions.client", "tag": "soft_reload"}
