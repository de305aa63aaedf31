from contextlib import contextmanager
from datetime import timedelta

from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .dunning_common import RSBDunningCommon

RAW_EMAIL = """Return-Path: <{email_from}>
To: support@example.com
From: {email_from}
Subject: {subject}
Message-ID: <{msg_id}@example.com>
Date: Mon, 02 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

My printer is offline again.
"""


@tagged("post_install", "-at_install")
class TestCreditHold(RSBDunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket_open = cls._create_ticket(cls.client_a, name="Open before the hold")
        cls.overdue = cls._create_invoice(cls.client_a, 300.0, cls.TODAY - timedelta(days=22))

    @contextmanager
    def _assert_on_hold(self):
        with self.assertRaises(UserError) as caught:
            yield
        self.assertIn("on credit hold", str(caught.exception))

    def _hold(self):
        with freeze_time(self.TODAY):
            self._run()
        self.assertTrue(self.client_a.rsb_credit_hold)

    def _tickets(self, name):
        return self.env["helpdesk.ticket"].sudo().search([("name", "=", name)])

    def test_back_office_call_logged_work_stage_refused(self):
        """A call of a client on hold is logged (in the team's first stage), never created
        straight into work (issue 24: the form had to be discarded)."""
        self._hold()
        logged = (
            self.env["helpdesk.ticket"]
            .with_user(self.technician)
            .create(
                {
                    "name": "New work",
                    "description": "x",
                    "team_id": self.team.id,
                    "partner_id": self.contact_a.id,
                }
            )
        )
        self.assertEqual(logged.stage_id, self.stage_new)
        self.assertFalse(logged.rsb_can_schedule)
        with self._assert_on_hold():
            self.env["helpdesk.ticket"].with_user(self.technician).create(
                {
                    "name": "New work scheduled",
                    "description": "x",
                    "team_id": self.team.id,
                    "partner_id": self.contact_a.id,
                    "stage_id": self.stage_scheduled.id,
                }
            )
        self.assertFalse(self._tickets("New work scheduled"))
        # other clients are not affected
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.technician)
            .create(
                {
                    "name": "Other client",
                    "description": "x",
                    "team_id": self.team.id,
                    "partner_id": self.client_b.id,
                }
            )
        )
        self.assertTrue(ticket)

    def test_stage_move_refused_closing_allowed(self):
        self._hold()
        ticket = self.ticket_open.with_user(self.technician)
        with self._assert_on_hold():
            ticket.write({"stage_id": self.stage_scheduled.id})
        self.assertEqual(self.ticket_open.stage_id, self.stage_new)
        other = self._create_ticket(self.client_b)
        with self._assert_on_hold():
            other.with_user(self.technician).write({"partner_id": self.contact_a.id})
        ticket.write({"stage_id": self.stage_done.id})  # closing is not new work
        self.assertEqual(self.ticket_open.stage_id, self.stage_done)

    def test_email_gateway_refused(self):
        self._hold()
        # new_test_user gave both portal contacts the same address: make them distinct
        self.contact_a.email = "mail-a@greenleaf.example"
        self.contact_b.email = "mail-b@harbor.example"
        raw = RAW_EMAIL.format(
            email_from=self.contact_a.email, subject="Help by email", msg_id="hold-1"
        )
        with self._assert_on_hold():
            self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        self.assertFalse(self._tickets("Help by email"))
        raw = RAW_EMAIL.format(
            email_from=self.contact_b.email, subject="Help from B", msg_id="hold-2"
        )
        self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        self.assertTrue(self._tickets("Help from B"), "not on hold: created")

    def test_import_logged_not_scheduled(self):
        self._hold()
        result = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_manager)
            .load(
                ["name", "description", "partner_id/.id", "team_id/.id"],
                [
                    ["Imported", "x", str(self.client_a.id), str(self.team.id)],
                    ["Imported B", "x", str(self.client_b.id), str(self.team.id)],
                ],
            )
        )
        self.assertEqual(len(result["ids"]), 2, result["messages"])
        self.assertFalse(self._tickets("Imported").rsb_can_schedule)
        result = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_manager)
            .load(
                ["name", "description", "partner_id/.id", "team_id/.id", "stage_id/.id"],
                [
                    [
                        "Imported to work",
                        "x",
                        str(self.client_a.id),
                        str(self.team.id),
                        str(self.stage_scheduled.id),
                    ]
                ],
            )
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("on credit hold" in m["message"] for m in result["messages"]))
        self.assertFalse(self._tickets("Imported to work"))

    def test_portal_form_refused(self):
        self._hold()
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/new/ticket")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Your account is on credit hold", page.text)
        self.assertNotIn('action="/submitted/ticket"', page.text)
        response = self.url_open(
            "/submitted/ticket",
            data={
                "subject": "Portal ticket on hold",
                "description": "Please help",
                "category": "",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertIn("Your ticket was not created", response.text)
        self.assertFalse(self._tickets("Portal ticket on hold"))
        # the server refuses even what the controller would create in sudo (as the
        # portal user: staff may log a call, issue 24)
        with self._assert_on_hold():
            self.env["helpdesk.ticket"].with_user(self.portal_a).sudo().create(
                {
                    "name": "Portal ticket on hold",
                    "description": "x",
                    "partner_id": self.portal_a.partner_id.id,
                }
            )
        # portal client B is not on hold and creates the ticket
        self.authenticate(self.portal_b.login, self.portal_b.login)
        self.url_open(
            "/submitted/ticket",
            data={
                "subject": "Portal ticket B",
                "description": "Please help",
                "category": "",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertTrue(self._tickets("Portal ticket B"))

    def test_hold_lifts_when_overdue_balance_paid(self):
        self._hold()
        second = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=3))
        with freeze_time(self.TODAY):
            self._pay_invoice(self.overdue)
            self.assertTrue(self.client_a.rsb_credit_hold, "100 still overdue")
            self._pay_invoice(second, amount=60.0)
            self.assertTrue(self.client_a.rsb_credit_hold, "40 still overdue")
            self._pay_invoice(second)
        self.assertFalse(self.client_a.rsb_credit_hold)
        self.assertTrue(
            any(
                "Credit hold lifted" in m.body and "paid" in m.body
                for m in self.client_a.message_ids
            )
        )
        ticket = self._create_ticket(self.client_a, name="After paying")
        self.assertTrue(ticket)

    def test_cron_lifts_paid_holds(self):
        self.client_b.sudo().rsb_credit_hold = True  # nothing overdue
        self.patch(self.env.cr, "commit", lambda: None)  # the cron commits its batches
        with freeze_time(self.TODAY):
            self.env["rsb.dunning.run"]._cron_run_dunning()
        self.assertFalse(self.client_b.rsb_credit_hold)

    def test_manual_lift_with_reason(self):
        self._hold()
        action = self.client_a.action_rsb_lift_credit_hold()
        with self.assertRaises(AccessError):
            self.env["rsb.credit.hold.lift.wizard"].with_user(self.technician).with_context(
                **action["context"]
            ).create({"reason": "I like them"})
        with self.assertRaises(AccessError):
            self.client_a.with_user(self.technician).write({"rsb_credit_hold": False})
        self.assertTrue(self.client_a.rsb_credit_hold)
        wizard = (
            self.env["rsb.credit.hold.lift.wizard"]
            .with_user(self.helpdesk_manager)
            .with_context(**action["context"])
            .create({"reason": "Paid by check, in the mail"})
        )
        wizard.action_lift()
        self.assertFalse(self.client_a.rsb_credit_hold)
        self.assertTrue(
            any("Paid by check, in the mail" in m.body for m in self.client_a.message_ids)
        )

    def test_portal_banner_on_home_and_tickets(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        self.assertNotIn("on credit hold", self.url_open("/my").text)
        self._hold()
        for url in ("/my", "/my/tickets"):
            page = self.url_open(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertIn("Your account is on credit hold", page.text, url)
            self.assertIn(self.overdue.name, page.text, url)
            self.assertIn(f"/my/invoices/{self.overdue.id}", page.text, "pay link")
        self.authenticate(self.portal_b.login, self.portal_b.login)
        self.assertNotIn("on credit hold", self.url_open("/my/tickets").text)

    def test_portal_tour_banner_to_pay_link(self):
        self._hold()
        self.start_tour("/my/tickets", "rsb_credit_hold_portal_tour", login=self.portal_a.login)
