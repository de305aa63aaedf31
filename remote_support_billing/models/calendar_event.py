"""A session moved in the Calendar app (drag and drop, the event form) is a reschedule: the
same gate as the ticket's Reschedule (refused while the deposit is not paid or the client is on
credit hold), then the ticket logs it and the client is emailed the new time; a session deleted
there is a cancelled appointment."""

from odoo import _, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def write(self, vals):
        moved = self.browse()
        if {"start", "stop", "user_id"} & vals.keys() and not self.env.context.get(
            "rsb_session_write"
        ):
            moved = self
        if moved:
            # moving a session is rescheduling it: the same gate as the Reschedule wizard
            # (deposit paid, no credit hold), checked before anything changes
            self.env["helpdesk.ticket"].sudo().search(
                [("rsb_session_event_id", "in", moved.ids)]
            )._rsb_check_can_schedule()
        res = super().write(vals)
        if moved:
            tickets = self.env["helpdesk.ticket"].search(
                [("rsb_session_event_id", "in", moved.ids)]
            )
            for ticket in tickets:
                event = ticket.rsb_session_event_id
                ticket.message_post(
                    body=_(
                        "Session moved in the calendar: %(when)s with %(user)s.",
                        when=event.display_time,
                        user=event.user_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                ticket._rsb_send_session_email(event)
        return res

    def unlink(self):
        if not self.env.context.get("rsb_session_write"):
            tickets = self.env["helpdesk.ticket"].search([("rsb_session_event_id", "in", self.ids)])
            if tickets:
                # deletes their events (the ticket's own path), then the rest below
                tickets._rsb_unschedule_session(_("The session was deleted from the calendar."))
        return super(CalendarEvent, self.exists()).unlink()
