"""Issue 25 item 3: a client disputes an invoice from the portal (reason, comment, files);
dunning pauses for it, the accountant gets an activity; the resolution is recorded, told to
the client, and dunning resumes. Bad input is refused and records nothing."""

import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestInvoiceDispute(RSBDunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        today = fields.Date.today()
        cls.today = today
        cls.invoice = cls._create_invoice(cls.client_a, 200.0, today - timedelta(days=10))
        cls.foreign = cls._create_invoice(cls.client_b, 80.0, today - timedelta(days=10))
        cls.Dispute = cls.env["rsb.invoice.dispute"]

    def _post(self, invoice, files=None, **data):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open(f"/my/invoices/{invoice.id}/dispute")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        csrf = (
            match.group(1)
            if match
            else self.url_open("/my").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        )
        response = self.url_open(
            f"/my/invoices/{invoice.id}/dispute", data={"csrf_token": csrf, **data}, files=files
        )
        self.env.invalidate_all()
        return page, response

    def test_portal_dispute_pauses_dunning_and_asks_the_accountant(self):
        page, response = self._post(
            self.invoice,
            files={"attachments": ("timesheet.txt", b"I was not there on Monday", "text/plain")},
            reason="not_done",
            comment="Nobody connected on Monday",
        )
        self.assertEqual(page.status_code, 200)
        self.assertEqual(response.status_code, 200)
        self.assertIn("we are looking into it", response.text)
        dispute = self.Dispute.search([("move_id", "=", self.invoice.id)])
        self.assertRecordValues(
            dispute, [{"state": "open", "reason": "not_done", "partner_id": self.client_a.id}]
        )
        self.assertEqual(dispute.attachment_ids.mapped("name"), ["timesheet.txt"])
        self.assertEqual(self.invoice.rsb_dunning_pause_reason, "dispute")
        activity = dispute.activity_ids
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
        run = self._run(run_date=self.today, execute=False)
        self.assertNotIn(self.invoice, run.line_ids.move_ids, "no reminder while disputed")

    def test_bad_input_is_refused_and_records_nothing(self):
        _page, response = self._post(self.foreign, reason="amount")
        self.assertEqual(response.status_code, 403, "another client's invoice")
        for data, message in (
            ({"reason": "because"}, "Choose why"),
            ({}, "The reason"),
            ({"reason": "amount", "comment": "x" * 5000}, "at most"),
        ):
            with self.subTest(data=data):
                _page, response = self._post(self.invoice, **data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertNotIn("Traceback", response.text)
        self.assertFalse(self.Dispute.search([]))
        self.assertFalse(self.invoice.rsb_dunning_pause_reason)

    def test_resolution_is_told_to_the_client_and_dunning_resumes(self):
        dispute = self.Dispute._rsb_open(self.client_a, self.invoice, "amount", "Too many hours")
        as_accountant = dispute.with_user(self.accountant)
        with self.assertRaisesRegex(UserError, "Say what was decided"):
            as_accountant.action_resolve_rejected()
        as_accountant.resolution_note = "The hours match the session log we sent you."
        as_accountant.action_resolve_rejected()
        self.assertRecordValues(dispute, [{"state": "resolved", "resolution": "rejected"}])
        self.assertFalse(self.invoice.rsb_dunning_pause_reason, "dunning resumes")
        told = self.invoice.message_ids.filtered(
            lambda m: "is resolved" in (m.body or "") and self.client_a in m.partner_ids
        )
        self.assertIn("session log", told.body)
        self.assertFalse(dispute.activity_ids, "the accountant's activity is done")

    def test_only_an_accountant_resolves_and_nobody_edits_the_dispute(self):
        dispute = self.Dispute._rsb_open(self.client_a, self.invoice, "duplicate")
        with self.assertRaises(AccessError):
            dispute.with_user(self.technician).action_resolve_rejected()
        with self.assertRaises(AccessError):
            dispute.with_user(self.accountant).write({"reason": "other"})
        with self.assertRaisesRegex(UserError, "already disputed"):
            self.Dispute._rsb_open(self.client_a, self.invoice, "amount")
