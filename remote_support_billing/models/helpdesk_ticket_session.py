"""The remote session of a ticket: scheduled in Odoo's calendar with the technician and the
client once the deposit gate is open, rescheduled or cancelled, the client emailed the time
(with an .ics) and the team's connect instructions."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..feedback import post_template_queued

# the longest session one calendar entry books (the wizard's duration, in hours)
MAX_SESSION_HOURS = 24


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_session_event_id = fields.Many2one(
        comodel_name="calendar.event",
        string="Session",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="The calendar entry of the remote session, with the technician and the client.",
    )
    rsb_session_start = fields.Datetime(
        related="rsb_session_event_id.start", string="Session Start", readonly=True
    )
    rsb_session_stop = fields.Datetime(
        related="rsb_session_event_id.stop", string="Session End", readonly=True
    )
    rsb_session_user_id = fields.Many2one(
        related="rsb_session_event_id.user_id", string="Session Technician", readonly=True
    )
    rsb_connect_instructions = fields.Html(
        related="team_id.rsb_connect_instructions", readonly=True
    )
    rsb_can_schedule = fields.Boolean(
        string="Can Be Scheduled",
        compute="_compute_rsb_can_schedule",
        help="The deposit gate is open and the client is not on credit hold.",
    )

    @api.depends(
        "rsb_deposit_state",
        "rsb_settled",
        "stage_id.closed",
        "commercial_partner_id.rsb_credit_hold",
    )
    def _compute_rsb_can_schedule(self):
        for ticket in self:
            ticket.rsb_can_schedule = not ticket._rsb_schedule_blocker()

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # the gate covers a session linked by any path (form, import, RPC) as it covers stages
        tickets.filtered("rsb_session_event_id")._rsb_check_can_schedule()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if vals.get("rsb_session_event_id"):
            self._rsb_check_can_schedule()
        if {"partner_id", "team_id", "company_id", "stage_id"} & vals.keys():
            self._rsb_sessions_follow_gate()
        return res

    # ------------------------------------------------------------------ actions
    def action_rsb_schedule_session(self):
        """Open the wizard where the technician picks the time, duration and technician of
        the session (or reschedules or cancels the one booked)."""
        self.ensure_one()
        self.check_access("write")
        if not self.rsb_session_event_id:
            self._rsb_check_can_schedule()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reschedule Session") if self.rsb_session_event_id else _("Schedule Session"),
            "res_model": "rsb.session.schedule.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_rsb_view_session(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Session"),
            "res_model": "calendar.event",
            "res_id": self.rsb_session_event_id.id,
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------ the rule
    def _rsb_deposit_gate_open(self):
        """The deposit gate of `_rsb_check_deposit_gate`, for scheduling: nothing to pay
        before the session (not required, waived, paid, or already settled)."""
        self.ensure_one()
        return self.rsb_deposit_state in ("not_required", "paid", "settled")

    def _rsb_schedule_blocker(self):
        """Why this ticket's session cannot be scheduled now (a message), or "" if it can.
        The one rule behind the button, the wizard and the server check."""
        self.ensure_one()
        client = self.commercial_partner_id
        if not client:
            return _("Ticket %s has no client: set the customer first.", self.display_name)
        if self.rsb_settled or self.stage_id.closed:
            return _("Ticket %s is closed: its session cannot be scheduled.", self.display_name)
        if client.rsb_credit_hold:
            return self._rsb_credit_hold_message(client)
        if not self._rsb_deposit_gate_open():
            labels = dict(self._fields["rsb_deposit_state"]._description_selection(self.env))
            return _(
                "The session of ticket %(ticket)s cannot be scheduled: %(client)s must pay a "
                'deposit first (deposit: %(state)s).\nRequest the deposit with "Request '
                'Deposit" and wait for the payment, or ask a helpdesk manager to waive it with '
                "a reason.",
                ticket=self.display_name,
                client=client.display_name,
                state=labels.get(self.rsb_deposit_state, self.rsb_deposit_state),
            )
        return ""

    def _rsb_check_can_schedule(self):
        for ticket in self:
            blocker = ticket._rsb_schedule_blocker()
            if blocker:
                raise UserError(blocker)

    # ------------------------------------------------------------------ business
    def _rsb_schedule_session(self, start, duration, user):
        """Book (or move) the session: the calendar event with the technician and the
        client, the ticket in the team's scheduled stage, the client emailed the time with
        an .ics and the connect instructions. Checked as the current user."""
        self.ensure_one()
        self.check_access("write")
        self._rsb_check_can_schedule()
        if not start:
            raise UserError(_("Choose the date and time of the session."))
        if not 0 < duration <= MAX_SESSION_HOURS:  # a NaN fails too
            raise UserError(
                _(
                    "A session lasts more than zero minutes and at most %(max)s hours "
                    "(%(duration)s h given): split longer work into several sessions.",
                    max=MAX_SESSION_HOURS,
                    duration=duration,
                )
            )
        if not user:
            raise UserError(_("Choose the technician of the session."))
        if (
            user.share
            or not user.active
            or not user.has_group("helpdesk_mgmt.group_helpdesk_user_own")
        ):
            raise UserError(
                _(
                    "%s is not a technician (an active helpdesk user): choose who does the "
                    "session.",
                    user.name,
                )
            )
        values = self._prepare_rsb_session_event_values(start, duration, user)
        event = self.rsb_session_event_id
        # The client gets our email (time, .ics, connect instructions), not calendar's invite.
        Event = self.env["calendar.event"].with_context(no_mail_to_attendees=True)
        if event:
            previous = event.display_time
            event.with_context(no_mail_to_attendees=True, rsb_session_write=True).write(values)
            note = _(
                "Session rescheduled from %(old)s to %(new)s with %(user)s.",
                old=previous,
                new=event.display_time,
                user=user.name,
            )
        else:
            event = Event.create(values)
            # the protected link, written by this path only (checked above as the user)
            self.sudo().rsb_session_event_id = event
            note = _(
                "Session scheduled on %(when)s with %(user)s.",
                when=event.display_time,
                user=user.name,
            )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        self._rsb_move_to_scheduled_stage()
        self._rsb_close_activities(_("Deposit paid: schedule the session"))
        self._rsb_send_session_email(event)
        return event

    def _rsb_unschedule_session(self, reason):
        """Cancel the booked appointment (the deposit stays; releasing it is the manager's
        "Cancel Session"): the event is deleted, the ticket goes back to the ready stage and
        the client is told."""
        self.check_access("write")
        if not (reason or "").strip():
            raise UserError(_("Give the reason for cancelling the appointment."))
        for ticket in self.filtered("rsb_session_event_id"):
            when = ticket.rsb_session_event_id.display_time
            ticket.rsb_session_event_id.with_context(
                no_mail_to_attendees=True, rsb_session_write=True
            ).unlink()
            ready = ticket.team_id.rsb_ready_stage_id
            scheduled = ticket.team_id._rsb_get_scheduled_stage()
            if ready and scheduled and ticket.stage_id == scheduled:
                ticket.stage_id = ready
            ticket.message_post(
                body=_(
                    "Your remote session of %(when)s is cancelled. Reason: %(reason)s",
                    when=when,
                    reason=reason,
                ),
                partner_ids=ticket.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _rsb_sessions_follow_gate(self):
        """The session follows the gate, whatever path closed it: a session still to come
        of a ticket that could not be scheduled now (its client switched to one who must
        prepay, put on credit hold, its paid deposit reversed, the ticket closed) is
        cancelled: the calendar slot freed, the client told, the technician given an
        activity. Called after each such path (in sudo: the path was allowed)."""
        now = fields.Datetime.now()
        for ticket in self.sudo().filtered(
            lambda t: t.rsb_session_event_id and t.rsb_session_event_id.stop > now
        ):
            blocker = ticket._rsb_schedule_blocker()
            if not blocker:
                continue
            technician = ticket.rsb_session_user_id or ticket.user_id
            # back to the ready stage is no new work: allowed under a credit hold
            ticket.with_context(rsb_payment_move=True)._rsb_unschedule_session(
                _("it can no longer take place as booked (%s)", blocker.split("\n")[0])
            )
            if technician:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("Session cancelled: the ticket cannot be scheduled"),
                    note=blocker,
                    user_id=technician.id,
                )

    def _rsb_cancel_session(self, reason):
        """A cancelled session (manager: deposit returned) also frees its calendar slot."""
        res = super()._rsb_cancel_session(reason)
        self.filtered("rsb_session_event_id")._rsb_unschedule_session(reason)
        return res

    def _rsb_on_deposit_paid_one(self):
        """Tell the client too (the ticket's history in the portal): the deposit arrived and
        the session's time follows."""
        res = super()._rsb_on_deposit_paid_one()
        move = self.rsb_deposit_move_id
        self.message_post(
            body=_(
                "We received your deposit of %(amount)s (%(move)s), thank you. We will email "
                "you the time of your remote session.",
                amount=format_amount(self.env, move.amount_total, move.currency_id),
                move=move.name,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            # the shop says it (the payment may be processed as the client who paid)
            author_id=(self.user_id.partner_id or self._rsb_company().partner_id).id,
        )
        return res

    def _prepare_rsb_session_event_values(self, start, duration, user):
        """Values of the session's calendar event. Hook for other addons."""
        self.ensure_one()
        return {
            "name": _(
                "Remote session %(number)s: %(client)s",
                number=self.number,
                client=self.commercial_partner_id.display_name,
            ),
            "start": start,
            "stop": start + timedelta(hours=duration),
            "duration": duration,
            "user_id": user.id,
            "partner_ids": [fields.Command.set((user.partner_id | self.partner_id).ids)],
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "location": _("Remote support"),
            "description": self.team_id.rsb_connect_instructions or False,
            "alarm_ids": [fields.Command.set(self.team_id.rsb_session_alarm_ids.ids)],
        }

    def _rsb_move_to_scheduled_stage(self):
        """Into the team's scheduled stage (the gate checks it again on the write)."""
        self.ensure_one()
        stage = self.team_id._rsb_get_scheduled_stage()
        if (
            stage
            and self.stage_id != stage
            and self.stage_id.sequence <= stage.sequence
            and not self.stage_id.closed
        ):
            self.stage_id = stage

    def _rsb_send_session_email(self, event):
        """Email the client the session's time, the .ics and the connect instructions."""
        self.ensure_one()
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_session_scheduled", raise_if_not_found=False
        )
        if not (template and self.partner_id.email):
            return
        ics = event._get_ics_file().get(event.id)
        attachments = self.env["ir.attachment"]
        if ics:
            attachments = self.env["ir.attachment"].create(
                {
                    "name": "session-%s.ics" % (self.number or self.id),
                    "raw": ics,
                    "mimetype": "text/calendar",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        post_template_queued(
            self,
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=[fields.Command.set(attachments.ids)],
        )
