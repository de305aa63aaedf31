"""Paying several invoices at once in the portal (issue 25.5): the client ticks invoices on
their account page, overdue or not yet due, or pays all open ones; one online payment pays
them all. The server decides what is paid: another client's invoice, a paid one, one under
a payment plan, a deposit, a tampered amount or ids that are not ids are refused with a
message, and no transaction is created."""

import json
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
class TestPortalPayInvoices(RSBReceivablesCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        today = fields.Date.context_today(cls.env.user)
        cls.overdue = cls._create_invoice(cls.client_a, 200.0, today - timedelta(days=40))
        cls.not_due = cls._create_invoice(
            cls.client_a, 75.5, today, due_date=today + timedelta(days=30)
        )
        cls.third = cls._create_invoice(cls.client_a, 24.5, today - timedelta(days=3))
        cls.other = cls._create_invoice(cls.client_b, 300.0, today - timedelta(days=40))
        cls.paid = cls._create_invoice(cls.client_a, 10.0, today)
        cls._register_payment(cls.paid)
        cls.payment_method = cls.provider.payment_method_ids.filtered(lambda m: m.code == "demo")[
            :1
        ]

    def _values(self, amount, **params):
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "token_id": None,
            "amount": amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/my/account-summary",
            "payment_reference": "BATCH",
            **params,
        }

    def _route(self, invoices):
        return "/my/invoices/pay/transaction/" + "-".join(str(i) for i in invoices.ids)

    def _transactions(self):
        return self.env["payment.transaction"].sudo().search_count([])

    def _refused(self, route, values, message):
        """The route answers with `message` (no server error, no traceback), and no
        transaction is created."""
        before = self._transactions()
        with mute_logger("odoo.http"):
            response = self.url_open(
                route,
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": values}),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200, route)
        error = response.json()["error"]["data"]
        self.assertIn(message, error["message"], route)
        self.assertFalse(error["debug"], "no traceback")
        self.env.invalidate_all()
        self.assertEqual(self._transactions(), before, "no transaction")

    def test_pay_ticked_invoices_overdue_and_not_yet_due(self):
        """The page lists the ticked invoices and their total; the payment pays each one in
        full, the one not yet due included; the rest stays open."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        summary = self.url_open("/my/account-summary")
        self.assertIn('id="rsb_pay_all"', summary.text)
        for invoice in self.overdue | self.not_due | self.third:
            self.assertIn(f'name="invoice_ids" value="{invoice.id}"', summary.text)
        self.assertNotIn(f'value="{self.paid.id}"', summary.text, "a paid invoice is not ticked")
        page = self.url_open(
            f"/my/invoices/pay?invoice_ids={self.overdue.id}&invoice_ids={self.not_due.id}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertEqual(len(re.findall(r'class="o_rsb_pay_invoice"', page.text)), 2)
        self.assertIn(self._route(self.overdue | self.not_due), page.text)
        self.assertIn("275.50", page.text)

        result = self.make_jsonrpc_request(
            self._route(self.overdue | self.not_due), self._values(275.5)
        )
        tx = (
            self.env["payment.transaction"].sudo().search([("reference", "=", result["reference"])])
        )
        self.assertEqual(tx.invoice_ids, self.overdue | self.not_due)
        self.assertEqual(tx.amount, 275.5)
        self.assertEqual(tx.partner_id, self.portal_a.partner_id)
        tx._process_notification_data({"simulated_state": "done"})
        tx._post_process()
        self.assertEqual(tx.payment_id.amount, 275.5)
        self.assertEqual(self.overdue.amount_residual, 0.0)
        self.assertEqual(self.not_due.amount_residual, 0.0)
        self.assertEqual(self.third.amount_residual, 24.5, "not ticked: still open")
        position = self.client_a._rsb_get_receivable_position(self.company)[self.client_a.id]
        self.assertEqual(position["balance"], 24.5)

    def test_pay_all_open_invoices(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/invoices/pay?all=1")
        everything = self.overdue | self.not_due | self.third
        self.assertIn(
            self._route(everything.sorted(lambda m: (m.invoice_date_due, m.id))), page.text
        )
        self.assertIn("300.00", page.text)
        self.assertNotIn(self.other.name, page.text, "another client's invoice")
        self.assertNotIn('id="rsb_pay_credit_note"', page.text)
        # money on account, not applied: the page says it is not deducted
        self._create_payment(self.client_a, 40.0, fields.Date.context_today(self.env.user))
        page = self.url_open("/my/invoices/pay?all=1")
        self.assertIn('id="rsb_pay_credit_note"', page.text)
        self.assertIn("40.00", page.text)

    def test_refused_selections(self):
        """Each bad selection is refused as a whole, with a message; nothing is paid."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        mine = self.overdue | self.not_due
        cases = [
            (self._route(self.overdue | self.other), 500.0, "cannot be paid here"),
            (self._route(self.overdue | self.paid), 210.0, "cannot be paid here"),
            (self._route(mine), 999.0, "is now"),  # tampered amount
            (self._route(mine), 100.0, "is now"),  # less: a part payment is made per invoice
            ("/my/invoices/pay/transaction/12-abc", 10.0, "must be a number"),
            ("/my/invoices/pay/transaction/99999999999", 10.0, "must be a number"),
            ("/my/invoices/pay/transaction/2147483000", 10.0, "cannot be paid here"),
            ("/my/invoices/pay/transaction/-", 10.0, "Choose the invoices"),
        ]
        for route, amount, message in cases:
            with self.subTest(route=route, amount=amount):
                self._refused(route, self._values(amount), message)
        with self.subTest("a validation is not a payment"):
            self._refused(
                self._route(mine), self._values(275.5, is_validation=True), "not used to save"
            )
        with self.subTest("an unknown parameter"):
            self._refused(self._route(mine), self._values(275.5, reference="X"), "whitelisted")

    def test_refused_pages_say_why_on_the_account_page(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        for query in (f"invoice_ids={self.other.id}", "invoice_ids=abc", ""):
            with self.subTest(query=query):
                page = self.url_open(f"/my/invoices/pay?{query}")
                self.assertEqual(page.status_code, 200)
                self.assertIn('id="rsb_pay_error"', page.text)
                self.assertNotIn("Traceback", page.text)

    def test_under_a_plan_or_logged_out(self):
        plan = self.env["rsb.payment.plan"].create(
            {
                "partner_id": self.client_a.id,
                "invoice_ids": [fields.Command.set(self.overdue.ids)],
                "instalment_count": 2,
                "frequency": "monthly",
                "first_date": fields.Date.context_today(self.env.user) + timedelta(days=10),
                "down_payment_journal_id": self.bank_journal.id,
            }
        )
        plan.action_confirm()
        self.authenticate(self.portal_a.login, self.portal_a.login)
        self._refused(
            self._route(self.overdue | self.not_due), self._values(275.5), "cannot be paid here"
        )
        self.authenticate(None, None)
        self._refused(self._route(self.not_due), self._values(75.5), "log in")
        page = self.url_open("/my/invoices/pay?all=1", allow_redirects=False)
        self.assertIn(page.status_code, (302, 303), "the page asks to log in")

    def test_tour_pay_two_invoices(self):
        """The client ticks two invoices and pays them through the real pages."""
        self.start_tour("/my/account-summary", "rsb_portal_pay_invoices", login=self.portal_a.login)
        first, second, third = (self.overdue | self.not_due | self.third).sorted(
            lambda m: (m.invoice_date_due, m.id)
        )
        self.assertEqual((first.amount_residual, second.amount_residual), (0.0, 0.0))
        self.assertEqual(third.amount_residual, third.amount_total)
