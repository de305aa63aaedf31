"""What each staff role sees and does on a ticket (issue 24): technician, helpdesk manager,
accountant."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestDayTechnician(RSBCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician_2 = new_test_user(
            cls.env,
            login="rsb-tech-2",
            name="Tom Technician",
            groups="helpdesk_mgmt.group_helpdesk_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.env["hr.employee"].create(
            {"name": cls.technician_2.name, "user_id": cls.technician_2.id}
        )

    def test_billing_figures_on_a_colleagues_ticket(self):
        """The To Bill figures are the ticket's, whoever looks: a second technician (who
        reads only their own timesheets) sees the time the first one logged."""
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 70)
        self.env.invalidate_all()
        as_colleague = ticket.with_user(self.technician_2)
        [values] = as_colleague.web_read(
            {
                "timesheet_ids": {"fields": {"unit_amount": {}}},
                "rsb_billable_hours": {},
                "rsb_billable_amount": {},
            }
        )
        self.assertEqual(values["timesheet_ids"], [], "the colleague's line stays hidden")
        self.assertEqual(values["rsb_billable_hours"], 1.25)
        self.assertAlmostEqual(values["rsb_billable_amount"], 107.50)
        self.env.invalidate_all()
        self.assertAlmostEqual(as_colleague.rsb_billable_amount, 107.50)


@tagged("post_install", "-at_install")
class TestDayCreditHoldCall(RSBCommon):
    """A client on credit hold calls in: the call is logged, not scheduled; a manager may
    override the hold for that ticket with a reason."""

    def _new_ticket(self, user, **vals):
        return (
            self.env["helpdesk.ticket"]
            .with_user(user)
            .create(
                {
                    "name": "Called in on hold",
                    "description": "x",
                    "team_id": self.team.id,
                    "partner_id": self.contact_a.id,
                    **vals,
                }
            )
        )

    def test_call_logged_not_scheduled_then_override(self):
        self.client_a._rsb_place_credit_hold("overdue")
        ticket = self._new_ticket(self.technician)
        self.assertEqual(ticket.stage_id, self.team._get_applicable_stages()[:1])
        self.assertTrue(ticket.rsb_credit_hold_blocked)
        self.assertIn("on credit hold", ticket.rsb_credit_hold_note)
        self.assertFalse(ticket.rsb_can_schedule)
        self.assertIn("on credit hold", ticket._rsb_schedule_blocker())
        # not moved to work, not created in a work stage
        with self.assertRaisesRegex(UserError, "on credit hold"):
            ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertEqual(ticket.stage_id, self.stage_new)
        # assertRaises (not ...Regex) rolls the refused create back, as the request would
        with self.assertRaises(UserError) as refused:
            self._new_ticket(
                self.technician, name="Straight to work", stage_id=self.stage_scheduled.id
            )
        self.assertIn("on credit hold", str(refused.exception))
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "Straight to work")]))
        # a portal user does not open new work by themselves
        with self.assertRaisesRegex(UserError, "on credit hold"):
            self.env["helpdesk.ticket"].with_user(self.portal_a).sudo().create(
                {"name": "Portal on hold", "description": "x", "partner_id": self.contact_a.id}
            )
        # the override: managers only, with a reason, recorded
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).action_rsb_override_credit_hold()
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).write({"rsb_credit_hold_override": True})
        action = ticket.with_user(self.helpdesk_manager).action_rsb_override_credit_hold()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.helpdesk_manager)
            .with_context(**action["context"])
            .create({"reason": "   "})
        )
        with self.assertRaises(UserError) as refused:
            wizard.action_confirm()
        self.assertIn("reason", str(refused.exception))
        self.assertFalse(ticket.rsb_credit_hold_override)
        wizard.reason = "Owner promised payment by Friday"
        wizard.action_confirm()
        self.assertTrue(ticket.rsb_credit_hold_override)
        self.assertFalse(ticket.rsb_credit_hold_blocked)
        self.assertTrue(
            any("Owner promised payment by Friday" in m.body for m in ticket.message_ids)
        )
        self.assertTrue(self.client_a.rsb_credit_hold, "the client's hold stays")
        self.assertNotIn("credit hold", ticket._rsb_schedule_blocker())
        self.assertIn("must pay a deposit", ticket._rsb_schedule_blocker(), "the gate stays")
        working = self.env["helpdesk.ticket.stage"].create({"name": "Working", "sequence": 5})
        ticket.with_user(self.technician).stage_id = working
        self.assertEqual(ticket.stage_id, working)
        # the client's other tickets stay held
        with self.assertRaisesRegex(UserError, "on credit hold"):
            self._new_ticket(self.technician, name="Other work", stage_id=working.id)


@tagged("post_install", "-at_install")
class TestDaySchedule(RSBCommon):
    def _paid_ticket(self, **vals):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id, **vals)
        self.assertEqual(ticket.rsb_deposit_state, "not_required")
        return ticket

    def _wizard(self, ticket, user=None):
        action = ticket.with_user(user or self.technician).action_rsb_schedule_session()
        return (
            self.env[action["res_model"]]
            .with_user(user or self.technician)
            .with_context(**action["context"])
            .create({})
        )

    def test_wizard_defaults_availability_and_notification(self):
        self.technician.tz = "America/New_York"
        ticket = self._paid_ticket(rsb_estimate_hours=2.0)
        wizard = self._wizard(ticket)
        self.assertEqual(wizard.duration, 2.0, "the ticket's estimate, not 1 h")
        self.assertEqual(wizard.tz_name, "America/New_York")
        self.assertFalse(wizard.blocker)
        self.assertIn("free all day", wizard.availability_html)
        # a colleague's ticket already booked with this technician that day shows
        other = self._paid_ticket(name="Mail down")
        other.with_user(self.technician)._rsb_schedule_session(wizard.start, 1.0, self.technician)
        wizard.invalidate_recordset(["availability_html"])
        self.assertIn(other.number, wizard.availability_html)
        self.assertIn("overlaps", wizard.availability_html)
        action = wizard.action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("Session scheduled", action["params"]["title"])
        self.assertEqual(ticket.rsb_deposit_status, "not_required")
        self.assertTrue(ticket.rsb_session_event_id)
        # rescheduled: the wizard says so
        again = self._wizard(ticket)
        self.assertEqual(again.duration, 2.0)
        self.assertIn("rescheduled", again.action_confirm()["params"]["title"])

    def test_deposit_status_says_scheduled(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        self.assertEqual(ticket.rsb_deposit_status, "to_request")
        ticket.sudo().write({"rsb_deposit_state": "paid"})
        self.assertEqual(ticket.rsb_deposit_status, "paid")
        labels = dict(ticket._fields["rsb_deposit_status"]._description_selection(self.env))
        self.assertEqual(labels["paid"], "Paid - Ready to Schedule")
        self.assertEqual(labels["scheduled"], "Paid - Session Scheduled")

    def test_settled_ticket_not_rescheduled(self):
        ticket = self._paid_ticket()
        ticket.with_user(self.technician)._rsb_schedule_session(
            self._wizard(ticket).start, 1.0, self.technician
        )
        ticket.sudo().rsb_settled = True
        self.assertFalse(ticket.rsb_can_schedule, "the Reschedule button is hidden")
        self.assertIn("settled up", ticket._rsb_schedule_blocker())
        wizard = self._wizard(ticket)
        self.assertIn("settled up", wizard.blocker, "the wizard says why, no Reschedule")
        with self.assertRaises(UserError) as refused:
            wizard.action_confirm()
        self.assertIn("settled up", str(refused.exception))
