"""A remote-support shop's day in the browser, one tour per user (static/tests/tours/
rsb_day_tours.js): technician, helpdesk manager, accountant, portal client."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestDayTours(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.rsb_connect_instructions = "<p>Open remote.example/join before the session.</p>"
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        # as in the demo: the accountant also works in Helpdesk (settles tickets)
        cls.accountant_helpdesk = new_test_user(
            cls.env,
            login="rsb-accountant-helpdesk",
            name="Alice Accountant",
            groups="account.group_account_user,account.group_account_invoice,"
            "base.group_partner_manager,helpdesk_mgmt.group_helpdesk_user",
        )

    def _paid_ticket(self, name="Printer offline"):
        ticket = self._create_ticket(self.contact_a, name=name, user_id=self.technician.id)
        ticket.action_rsb_request_deposit()
        self._pay_invoice(ticket.rsb_deposit_move_id)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        return ticket

    def _scheduled_ticket(self):
        ticket = self._paid_ticket()
        ticket.with_user(self.technician)._rsb_schedule_session(
            fields.Datetime.now() + timedelta(days=1), 1.0, self.technician
        )
        return ticket

    def test_technician_requests_deposit_and_schedules(self):
        paid = self._paid_ticket()
        new = self._create_ticket(self.contact_a, name="Email not syncing")
        # the technician's day already has a call: the wizard shows it beside the proposed
        # time (tomorrow at this hour, 1 h), not overlapping it
        proposed = fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(
            days=1
        )
        busy = proposed + timedelta(hours=3)
        if busy.date() != proposed.date():
            busy = proposed - timedelta(hours=3)
        self.env["calendar.event"].create(
            {
                "name": "Dentist office call",
                "start": busy,
                "stop": busy + timedelta(hours=1),
                "user_id": self.technician.id,
                "partner_ids": [fields.Command.link(self.technician.partner_id.id)],
            }
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
            "rsb_day_technician",
            login=self.technician.login,
        )
        self.assertTrue(paid.rsb_session_event_id)
        self.assertEqual(paid.stage_id, self.stage_scheduled)
        self.assertIn(self.contact_a, paid.rsb_session_event_id.partner_ids)
        self.assertEqual(new.rsb_deposit_state, "requested")

    def test_manager_cancels_session_and_returns_deposit(self):
        ticket = self._scheduled_ticket()
        event = ticket.rsb_session_event_id
        self.start_tour(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            "rsb_day_manager",
            login=self.helpdesk_manager.login,
        )
        self.assertFalse(event.exists())
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0)
        self.assertIn("The client sold the printer", " ".join(ticket.message_ids.mapped("body")))

    def test_manager_waives_deposit_and_client_is_told(self):
        ticket = self._create_ticket(self.contact_a, name="Server down", user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        request = ticket.rsb_deposit_move_id
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self.start_tour(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            "rsb_day_manager_waive",
            login=self.helpdesk_manager.login,
        )
        self.assertTrue(ticket.rsb_deposit_waived)
        self.assertEqual(request.state, "cancel", "the unpaid request is cancelled")
        notice = ticket.message_ids.filtered(lambda m: "no deposit is needed" in (m.body or ""))
        self.assertEqual(notice.partner_ids, self.contact_a, "sent to the client")
        self.assertIn(
            "Server down: the owner confirmed by phone", " ".join(ticket.message_ids.mapped("body"))
        )

    def test_accountant_sees_status_and_settles(self):
        overdue = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_trusted.id,
                "invoice_date": fields.Date.today() - relativedelta(days=40),
                "invoice_payment_term_id": self.env.ref(
                    "account.account_payment_term_immediate"
                ).id,
                "invoice_line_ids": [
                    fields.Command.create({"name": "Support", "quantity": 1, "price_unit": 172.0})
                ],
            }
        )
        overdue.action_post()
        ticket = self._create_ticket(self.client_trusted, name="Backup job")
        self._log_time(ticket, 70)
        self.start_tour(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            "rsb_day_accountant",
            login=self.accountant_helpdesk.login,
        )
        self.assertTrue(ticket.rsb_settled)
        self.assertAlmostEqual(ticket.rsb_billed_amount, 107.5)

    def test_client_reads_session_and_account(self):
        ticket = self._scheduled_ticket()
        self.start_tour(f"/my/ticket/{ticket.id}", "rsb_day_client", login=self.portal_a.login)
