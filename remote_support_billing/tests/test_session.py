"""Scheduling a ticket's remote session: the calendar event, the gate, the client's email with
the .ics and connect instructions, reschedule, cancel, and the portal page."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .session_common import SessionCommon


@tagged("post_install", "-at_install")
class TestSession(SessionCommon):
    # ------------------------------------------------------------ schedule
    def test_technician_schedules_a_paid_session(self):
        ticket = self._paid_ticket()
        activity = ticket.activity_ids.filtered(
            lambda a: a.summary == "Deposit paid: schedule the session"
        )
        self.assertTrue(activity, "the payment asks the team to schedule the session")
        event = self._schedule(ticket)
        self.assertTrue(event)
        self.assertEqual(event.start, self.start)
        self.assertEqual(event.stop, self.start + timedelta(hours=1.5))
        self.assertEqual(event.user_id, self.technician)
        self.assertEqual(event.partner_ids, self.technician.partner_id | self.contact_a)
        self.assertEqual((event.res_model, event.res_id), ("helpdesk.ticket", ticket.id))
        self.assertEqual(event.alarm_ids, self.env.ref("calendar.alarm_mail_1"), "a reminder")
        self.assertEqual(ticket.stage_id, self.stage_scheduled)
        self.assertEqual(ticket.rsb_session_start, self.start)
        self.assertFalse(activity.exists() and activity.active, "the activity is done")
        # the client's email: the time, the connect instructions and an .ics
        message = ticket.message_ids.filtered(
            lambda m: m.subject and "your remote session" in m.subject
        )
        self.assertEqual(len(message), 1)
        self.assertIn(self.contact_a, message.partner_ids | message.notified_partner_ids)
        self.assertIn("remote.example/join", message.body)
        self.assertIn("2031", message.body)
        ics = message.attachment_ids
        self.assertEqual(len(ics), 1)
        self.assertEqual(ics.mimetype, "text/calendar")
        self.assertIn(b"BEGIN:VCALENDAR", ics.raw)
        self.assertIn(b"20310602T140000", ics.raw)

    def test_trusted_client_is_scheduled_without_deposit(self):
        ticket = self._create_ticket(self.client_trusted)
        self.assertTrue(ticket.rsb_can_schedule)
        event = self._schedule(ticket)
        self.assertTrue(event)
        self.assertEqual(ticket.stage_id, self.stage_scheduled)

    def test_unpaid_deposit_blocks_scheduling(self):
        ticket = self._create_ticket(self.contact_a)
        self.assertFalse(ticket.rsb_can_schedule)
        with self.assertRaisesRegex(UserError, "must pay a deposit first"):
            ticket.with_user(self.technician).action_rsb_schedule_session()
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        # a wizard opened by RPC is refused on confirm too
        wizard = (
            self.env["rsb.session.schedule.wizard"]
            .with_user(self.technician)
            .create({"ticket_id": ticket.id, "start": self.start, "duration": 1.0})
        )
        with self.assertRaisesRegex(UserError, "must pay a deposit first"):
            wizard.action_confirm()
        self.assertFalse(ticket.rsb_session_event_id)
        self.assertNotEqual(ticket.stage_id, self.stage_scheduled)
        self.assertFalse(
            self.env["calendar.event"].search([("res_id", "=", ticket.id)]),
            "no calendar entry was left behind",
        )

    def test_linking_an_event_by_rpc_is_gated(self):
        ticket = self._create_ticket(self.contact_a)
        event = (
            self.env["calendar.event"]
            .with_user(self.technician)
            .create(
                {"name": "sneaky", "start": self.start, "stop": self.start + timedelta(hours=1)}
            )
        )
        # assertRaises (not ...Regex) rolls the refused write back, as the request would;
        # the link is the Schedule wizard's only (a protected billing field, N5)
        with self.assertRaises(AccessError) as refused:
            ticket.with_user(self.technician).write({"rsb_session_event_id": event.id})
        self.assertIn("set by the billing actions", str(refused.exception))
        self.assertFalse(ticket.rsb_session_event_id)
        # even in sudo (an import, a server action) the gate holds
        with self.assertRaises(UserError) as refused:
            ticket.sudo().write({"rsb_session_event_id": event.id})
        self.assertIn("must pay a deposit first", str(refused.exception))
        self.assertFalse(ticket.rsb_session_event_id)

    def test_credit_hold_blocks_scheduling(self):
        ticket = self._paid_ticket()
        self.client_a._rsb_place_credit_hold("test")
        self.assertFalse(ticket.rsb_can_schedule)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            ticket.with_user(self.technician).action_rsb_schedule_session()
        with self.assertRaisesRegex(UserError, "on credit hold"):
            ticket.with_user(self.technician)._rsb_schedule_session(
                self.start, 1.0, self.technician
            )
        self.assertFalse(ticket.rsb_session_event_id)

    def test_bad_duration_is_refused(self):
        ticket = self._paid_ticket()
        with self.assertRaisesRegex(UserError, "more than zero"):
            ticket.with_user(self.technician)._rsb_schedule_session(
                self.start, 0.0, self.technician
            )
        self.assertFalse(ticket.rsb_session_event_id)
        self.assertNotEqual(ticket.stage_id, self.stage_scheduled)

    # ------------------------------------------------------------ reschedule and cancel
    def test_reschedule_moves_the_event_and_emails_the_client(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        later = self.start + timedelta(days=2)
        moved = self._schedule(ticket, start=later, duration=1.0)
        self.assertEqual(moved, event, "the same calendar entry is moved")
        self.assertEqual(event.start, later)
        self.assertEqual(
            len(
                self.env["calendar.event"].search(
                    [("res_id", "=", ticket.id), ("res_model", "=", "helpdesk.ticket")]
                )
            ),
            1,
        )
        emails = ticket.message_ids.filtered(
            lambda m: m.subject and "your remote session" in m.subject
        )
        self.assertEqual(len(emails), 2)
        self.assertIn("rescheduled", " ".join(ticket.message_ids.mapped("body")))

    def test_cancel_appointment_keeps_the_deposit(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        wizard = (
            self.env["rsb.session.schedule.wizard"]
            .with_user(self.technician)
            .create({"ticket_id": ticket.id, "reason": "Client asked to move it"})
        )
        wizard.action_cancel_appointment()
        self.assertFalse(event.exists())
        self.assertFalse(ticket.rsb_session_event_id)
        self.assertEqual(ticket.stage_id, self.stage_ready)
        self.assertEqual(ticket.rsb_deposit_state, "paid", "the deposit is kept")
        self.assertIn("Client asked to move it", ticket.message_ids[0].body)

    def test_cancel_appointment_needs_a_reason(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        wizard = (
            self.env["rsb.session.schedule.wizard"]
            .with_user(self.technician)
            .create({"ticket_id": ticket.id})
        )
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_cancel_appointment()
        self.assertTrue(event.exists())
        self.assertEqual(ticket.stage_id, self.stage_scheduled)

    def test_manager_cancel_releases_deposit_and_event(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        wizard = (
            self.env["rsb.session.schedule.wizard"]
            .with_user(self.helpdesk_manager)
            .create({"ticket_id": ticket.id, "reason": "Client cancelled", "release_deposit": True})
        )
        action = wizard.action_cancel_appointment()
        self.assertFalse(event.exists())
        self.assertEqual(action["res_model"], "rsb.deposit.waive.wizard")
        self.assertEqual(action["context"]["default_mode"], "cancel")
        cancel = (
            self.env["rsb.deposit.waive.wizard"]
            .with_user(self.helpdesk_manager)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(cancel.reason, "Client cancelled")
        cancel.action_confirm()
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0)

    def test_cancel_session_button_also_frees_the_calendar(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client moved away")
        self.assertFalse(event.exists())
        self.assertFalse(ticket.rsb_session_event_id)

    # ------------------------------------------------------------ portal
    def test_portal_ticket_page_shows_session_and_instructions(self):
        ticket = self._paid_ticket()
        self._schedule(ticket)
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn('id="rsb_session_time"', page.text)
        self.assertIn("2031", page.text)
        self.assertIn("remote.example/join", page.text)
        self.assertNotIn("ready to be scheduled", page.text)
        # the other client does not see it
        self.authenticate(self.portal_b.login, self.portal_b.login)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertNotIn("remote.example/join", page.text)

    def test_settle_up_closes_the_scheduling_activity(self):
        ticket = self._paid_ticket()
        self._log_time(ticket, 60)
        self.assertTrue(
            ticket.activity_ids.filtered(
                lambda a: a.summary == "Deposit paid: schedule the session"
            )
        )
        ticket.with_user(self.technician).action_rsb_settle()
        self.assertFalse(
            ticket.activity_ids.filtered(
                lambda a: a.summary == "Deposit paid: schedule the session"
            )
        )

    def test_moving_the_event_in_the_calendar_tells_the_client(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        later = self.start + timedelta(hours=3)
        event.with_user(self.technician).write(
            {"start": later, "stop": later + timedelta(hours=1.5)}
        )
        emails = ticket.message_ids.filtered(
            lambda m: m.subject and "your remote session" in m.subject
        )
        self.assertEqual(len(emails), 2, "scheduled, then moved in the calendar")
        self.assertEqual(len(emails[0].attachment_ids), 1, "with the new .ics")
        self.assertIn(b"20310602T170000", emails[0].attachment_ids.raw)
        self.assertIn("Session moved in the calendar", " ".join(ticket.message_ids.mapped("body")))

    def test_deleting_the_event_in_the_calendar_cancels_the_appointment(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        event.with_user(self.technician).unlink()
        self.assertFalse(event.exists())
        self.assertFalse(ticket.rsb_session_event_id)
        self.assertEqual(ticket.stage_id, self.stage_ready)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertIn("deleted from the calendar", ticket.message_ids[0].body)
