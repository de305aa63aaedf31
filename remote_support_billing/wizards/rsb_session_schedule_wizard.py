"""The technician's wizard: schedule, reschedule or cancel a ticket's remote session."""

from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.helpdesk_ticket_session import MAX_SESSION_HOURS


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
    blocker = fields.Text(
        string="Cannot Be Scheduled",
        compute="_compute_blocker",
        help="Why the session cannot be (re)scheduled now (the ticket's one rule).",
    )
    tz_name = fields.Char(
        string="Time Zone",
        compute="_compute_tz_name",
        help="The times are shown and entered in your time zone (your preferences).",
    )
    availability_html = fields.Html(
        string="Technician's Day",
        compute="_compute_availability_html",
        sanitize=False,
        help="The technician's calendar entries on the chosen day, to see when they are free.",
    )

    @api.depends("ticket_id")
    def _compute_blocker(self):
        for wizard in self:
            wizard.blocker = wizard.ticket_id._rsb_schedule_blocker() if wizard.ticket_id else ""

    def _compute_tz_name(self):
        for wizard in self:
            wizard.tz_name = self.env.user.tz or "UTC"

    @api.depends("user_id", "start", "duration")
    def _compute_availability_html(self):
        for wizard in self:
            wizard.availability_html = wizard._rsb_availability_html()

    def _rsb_availability_html(self):
        """The chosen technician's calendar entries of the chosen day (in the user's time
        zone), as a short list; private entries show as busy."""
        self.ensure_one()
        if not (self.user_id and self.start):
            return False
        tz = pytz.timezone(self.env.user.tz or "UTC")
        local_start = pytz.utc.localize(self.start).astimezone(tz)
        day_start = tz.localize(datetime.combine(local_start.date(), time.min))
        day_stop = day_start + timedelta(days=1)
        to_utc = lambda moment: moment.astimezone(pytz.utc).replace(tzinfo=None)  # noqa: E731
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [
                    ("partner_ids", "in", self.user_id.partner_id.ids),
                    ("start", "<", to_utc(day_stop)),
                    ("stop", ">", to_utc(day_start)),
                    ("id", "!=", self.event_id.id or 0),
                ],
                order="start",
            )
        )
        # a duration out of bounds (refused at Confirm) marks no overlap here
        hours = self.duration if 0 < self.duration <= MAX_SESSION_HOURS else 0.0
        stop = self.start + timedelta(hours=hours)
        rows = []
        for event in events:
            begin = pytz.utc.localize(event.start).astimezone(tz)
            end = pytz.utc.localize(event.stop).astimezone(tz)
            clash = event.start < stop and event.stop > self.start
            name = event.name if event.privacy != "private" else _("Busy")
            rows.append(
                Markup('<li class="%s">%s - %s %s%s</li>')
                % (
                    "text-danger fw-bold" if clash else "",
                    begin.strftime("%H:%M") if not event.allday else _("All day"),
                    end.strftime("%H:%M") if not event.allday else "",
                    name,
                    Markup(" (%s)") % _("overlaps") if clash else "",
                )
            )
        title = _(
            "%(user)s on %(day)s (%(tz)s):",
            user=self.user_id.name,
            day=local_start.strftime("%Y-%m-%d"),
            tz=tz.zone,
        )
        if not rows:
            return Markup("<p>%s %s</p>") % (title, _("nothing booked, free all day."))
        return Markup("<p>%s</p><ul>%s</ul>") % (escape(title), Markup("").join(rows))

    @api.model
    def default_get(self, fields_list):
        """The booked session's time and technician, else tomorrow at this hour, the
        ticket's estimate (1 h without one), the ticket's technician."""
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(values.get("ticket_id"))
        event = ticket.rsb_session_event_id
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        defaults = {
            "start": event.start or now + timedelta(days=1),
            "duration": event.duration or ticket.rsb_estimate_hours or 1.0,
            "user_id": (event.user_id or ticket.user_id or self.env.user).id,
        }
        values.update({k: v for k, v in defaults.items() if k in fields_list and not values.get(k)})
        return values

    def action_confirm(self):
        """Book or move the session (the ticket checks the gate and who acts)."""
        self.ensure_one()
        moving = bool(self.event_id)
        event = self.ticket_id._rsb_schedule_session(self.start, self.duration, self.user_id)
        return self._rsb_notify(
            _("Session rescheduled") if moving else _("Session scheduled"),
            _(
                "%(ticket)s: %(when)s with %(user)s. The client is emailed the time.",
                ticket=self.ticket_id.display_name,
                when=event.display_time,
                user=self.user_id.name,
            ),
        )

    @api.model
    def _rsb_notify(self, title, message):
        """Close the wizard and tell the user what was done (the form reloads)."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

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
