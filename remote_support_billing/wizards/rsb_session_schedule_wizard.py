"""The technician's wizard: schedule, reschedule or cancel a ticket's remote session."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RsbSessionScheduleWizard(models.TransientModel):
    _name = "rsb.session.schedule.wizard"
    _description = "Schedule a Ticket's Remote Session"

    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", required=True, readonly=True)
    event_id = fields.Many2one(related="ticket_id.rsb_session_event_id", string="Booked Session")
    team_id = fields.Many2one(related="ticket_id.team_id")
    start = fields.Datetime(
        string="Date and Time",
        required=True,
    )
    duration = fields.Float(
        required=True,
        help="Hours (e.g. 1:30).",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Technician",
        required=True,
        domain="[('share', '=', False)]",
    )
    reason = fields.Text(help="Why the appointment is cancelled: told to the client.")
    release_deposit = fields.Boolean(
        string="Also Return the Deposit",
        help="The session will not take place at all: after cancelling the appointment, a "
        "helpdesk manager cancels the session and the deposit is refunded or kept as credit.",
    )
    is_manager = fields.Boolean(
        default=lambda self: self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"),
        readonly=True,
    )

    @api.model
    def default_get(self, fields_list):
        """The booked session's time and technician, else tomorrow at this hour, 1 h, the
        ticket's technician."""
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(values.get("ticket_id"))
        event = ticket.rsb_session_event_id
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        defaults = {
            "start": event.start or now + timedelta(days=1),
            "duration": event.duration or 1.0,
            "user_id": (event.user_id or ticket.user_id or self.env.user).id,
        }
        values.update({k: v for k, v in defaults.items() if k in fields_list and not values.get(k)})
        return values

    def action_confirm(self):
        """Book or move the session (the ticket checks the gate and who acts)."""
        self.ensure_one()
        self.ticket_id._rsb_schedule_session(self.start, self.duration, self.user_id)
        return {"type": "ir.actions.act_window_close"}

    def action_cancel_appointment(self):
        """Cancel the booked appointment; with "Also Return the Deposit", continue to the
        manager's Cancel Session (reason prefilled) where the deposit is released."""
        self.ensure_one()
        if not self.event_id:
            raise UserError(_("Ticket %s has no session booked.", self.ticket_id.display_name))
        self.ticket_id._rsb_unschedule_session(self.reason)
        if self.release_deposit and self.ticket_id.rsb_deposit_state in ("requested", "paid"):
            action = self.ticket_id.action_rsb_cancel_session()
            action["context"] = dict(action["context"], default_reason=self.reason)
            return action
        return {"type": "ir.actions.act_window_close"}
