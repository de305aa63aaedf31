import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
class TestPortalAccount(RSBReceivablesCommon, HttpCase):
    """Two clients, each with a running payment plan; each portal user sees and pays only
    their own company's plan.

    The HTTP server and the browser run on the real clock (freezegun would freeze the
    server's session and tour timers), so the dates here are relative to today: the
    schedule starts in ten days, the invoices are a month old.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        old = today - timedelta(days=40)
        cls.first_date = today + timedelta(days=10)
        cls.inv_a1 = cls._create_invoice(cls.client_a, 400.0, old)
        cls.inv_a2 = cls._create_invoice(cls.client_a, 300.0, old + timedelta(days=5))
        cls.inv_b = cls._create_invoice(cls.client_b, 500.0, old)
        Plan = cls.env["rsb.payment.plan"].with_user(cls.accountant)
        common = {
            "instalment_count": 6,
            "frequency": "monthly",
            "interest_rate": 12.0,
            "first_date": cls.first_date,
            "down_payment_journal_id": cls.bank_journal.id,
        }
        cls.plan_a = Plan.create(
            {
                **common,
                "partner_id": cls.client_a.id,
                "down_payment": 100.0,
                "invoice_ids": [fields.Command.set((cls.inv_a1 | cls.inv_a2).ids)],
            }
        )
        cls.plan_b = Plan.create(
            {
                **common,
                "partner_id": cls.client_b.id,
                "invoice_ids": [fields.Command.set(cls.inv_b.ids)],
            }
        )
        (cls.plan_a | cls.plan_b).action_confirm()
        cls.plan_a_draft = Plan.create(
            {
                **common,
                "partner_id": cls.client_a.id,
                "invoice_ids": [fields.Command.set(cls.inv_a2.ids)],
            }
        )
        cls.payment_method = cls.provider.payment_method_ids.filtered(lambda m: m.code == "demo")[
            :1
        ]

    # ------------------------------------------------------------------ record rules
    def test_portal_users_see_only_their_own_plans(self):
        Plan = self.env["rsb.payment.plan"]
        self.assertEqual(
            Plan.with_user(self.portal_a).search([]),
            self.plan_a,
            "their company's running plan, not the draft, not the other client's",
        )
        self.assertEqual(Plan.with_user(self.portal_b).search([]), self.plan_b)
        with self.assertRaises(AccessError):
            self.plan_b.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.plan_a_draft.with_user(self.portal_a).read(["name"])
        Line = self.env["rsb.payment.plan.line"]
        self.assertEqual(Line.with_user(self.portal_a).search([]), self.plan_a.line_ids)
        with self.assertRaises(AccessError):
            self.plan_a.with_user(self.portal_a).write({"user_id": False})

    # ------------------------------------------------------------------ pages
    def test_account_summary_page(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        response = self.url_open("/my/account-summary")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn(self.plan_a.name, page)
        self.assertNotIn(self.plan_b.name, page)
        self.assertNotIn(self.plan_a_draft.name, page)
        self.assertIn(self.inv_a1.name, page)
        self.assertNotIn(self.inv_b.name, page)
        self.assertIn("600.00", page, "the balance: 700 owed less 100 paid now")
        self.assertIn("103.53", page, "the schedule and the next instalment")
        self.assertIn("o_rsb_pay_plan", page)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["rsb_payment_plan_count"]}
        )
        self.assertEqual(counters["rsb_payment_plan_count"], 1)
        # an employee without accounting rights gets the page, empty
        self.authenticate(self.technician.login, self.technician.login)
        response = self.url_open("/my/account-summary")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.plan_a.name, response.text)

    def test_plan_page_access(self):
        url_a = f"/my/payment_plans/{self.plan_a.id}"
        url_b = f"/my/payment_plans/{self.plan_b.id}"
        self.authenticate(self.portal_a.login, self.portal_a.login)
        response = self.url_open(url_a)
        self.assertEqual(response.status_code, 200)
        self.assertIn("103.53", response.text)
        self.assertIn('id="o_payment_form"', response.text, "the pay form of the next instalment")
        for url in (
            url_b,
            f"{url_b}?access_token=wrong-token",
            f"/my/payment_plans/{self.plan_a_draft.id}",
        ):
            response = self.url_open(url)
            self.assertNotIn(self.plan_b.name, response.text)
            self.assertTrue(response.url.endswith(("/my", "/my/home")), url)
        # the schedule email's link works without logging in, and only with the right token
        self.logout()
        response = self.url_open(f"{url_a}?access_token=wrong-token")
        self.assertNotIn(self.plan_a.name, response.text)
        response = self.url_open(self.plan_a.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.plan_a.name, response.text)

    # ------------------------------------------------------------------ paying
    def _transaction_values(self, **values):
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "token_id": None,
            "amount": 1.0,  # whatever the browser says, the instalment decides
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": self.plan_a.get_portal_url(),
            "is_validation": False,
            **values,
        }

    def test_pay_next_instalment_through_the_portal(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        line1 = self.plan_a.line_ids.filtered(lambda line: line.sequence == 1)
        values = self.make_jsonrpc_request(
            f"/my/payment_plans/{self.plan_a.id}/transaction", self._transaction_values()
        )
        tx = self.env["payment.transaction"].search([("reference", "=", values["reference"])])
        self.assertEqual(tx.amount, 103.53)
        self.assertEqual(tx.rsb_plan_line_id, line1)
        self.assertEqual(tx.invoice_ids, line1.interest_move_id | self.inv_a1 | self.inv_a2)
        self.assertEqual(tx.reference, f"{self.plan_a.name}-1")

        tx._process_notification_data({"simulated_state": "done"})
        tx._post_process()
        self.assertEqual(line1.state, "paid")
        payment = tx.payment_id
        self.assertEqual(payment.rsb_plan_line_id, line1)
        self.assertEqual(payment.partner_id, self.client_a)
        self.assertEqual(line1.interest_move_id.state, "posted")
        self.assertEqual(line1.interest_move_id.amount_residual, 0.0)
        self.assertEqual(self.inv_a1.amount_residual, 400.0 - 100.0 - 97.53)
        self.assertEqual(self.inv_a2.amount_residual, 300.0)
        self.assertEqual(self.plan_a.next_line_id.sequence, 2)
        self.assertTrue(
            any(tx.reference in body for body in self.plan_a.message_ids.mapped("body"))
        )

    def test_pay_from_the_email_link_without_logging_in(self):
        """The schedule email's link (access token) is enough to pay; the payment is the
        plan client's whoever pays."""
        values = self.make_jsonrpc_request(
            f"/my/payment_plans/{self.plan_b.id}/transaction",
            self._transaction_values(access_token=self.plan_b._portal_ensure_token()),
        )
        tx = self.env["payment.transaction"].search([("reference", "=", values["reference"])])
        self.assertEqual(tx.partner_id, self.client_b)
        self.authenticate(self.portal_a.login, self.portal_a.login)
        values = self.make_jsonrpc_request(
            f"/my/payment_plans/{self.plan_b.id}/transaction",
            self._transaction_values(access_token=self.plan_b.access_token),
        )
        tx = self.env["payment.transaction"].search([("reference", "=", values["reference"])])
        tx._process_notification_data({"simulated_state": "done"})
        tx._post_process()
        self.assertEqual(tx.payment_id.partner_id, self.client_b)
        self.assertEqual(tx.payment_id.rsb_payment_plan_id, self.plan_b)
        self.assertEqual(self.plan_b.line_ids.sorted("sequence")[0].state, "paid")

    def test_transaction_refused_on_another_clients_plan(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        for params in ({}, {"access_token": "wrong-token"}):
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    f"/my/payment_plans/{self.plan_b.id}/transaction",
                    self._transaction_values(**params),
                )
        self.assertEqual(Tx.search_count([]), before)

    def test_instalment_payment_pinned_to_its_open_amount(self):
        """Whatever the route (RPC here), an instalment is paid for exactly its open amount."""
        line1 = self.plan_a.line_ids.filtered(lambda line: line.sequence == 1)
        Tx = self.env["payment.transaction"].sudo()
        before = Tx.search_count([])
        values = {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "currency_id": self.plan_a.currency_id.id,
            "partner_id": self.client_a.id,
            "rsb_plan_line_id": line1.id,
            "invoice_ids": [fields.Command.set(self.plan_a._rsb_open_moves_for(line1).ids)],
            "operation": "online_direct",
        }
        for amount, message in ((-50.0, "positive amount"), (1.0, "amount to pay is")):
            with self.subTest(amount=amount), self.assertRaises(UserError) as caught:
                Tx.create({**values, "amount": amount})
            self.assertIn(message, caught.exception.args[0])
        self.assertEqual(Tx.search_count([]), before)
        tx = Tx.create({**values, "amount": line1.amount_residual})
        self.assertEqual(tx.amount, 103.53)

    def test_plan_transaction_route_bad_parameters(self):
        """Bad input on the plan's transaction route: a clear message, never a traceback."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        for params, message in (
            ({"provider_id": "abc"}, "must be a number"),
            ({"flow": None}, "not supported"),
            ({"access_token": 12}, "must be a text"),
        ):
            with self.subTest(params=params):
                response = self.url_open(
                    f"/my/payment_plans/{self.plan_a.id}/transaction",
                    data=json.dumps(
                        {"jsonrpc": "2.0", "id": 1, "params": self._transaction_values(**params)}
                    ),
                    headers={"Content-Type": "application/json"},
                )
                self.assertIn(message, response.json()["error"]["data"]["message"])
                self.assertNotIn("Traceback", response.text)
        self.assertEqual(Tx.search_count([]), before)

    def test_tour_pay_instalment(self):
        """The client pays through the real portal pages with the demo provider."""
        self.start_tour(
            "/my/account-summary", "rsb_portal_pay_instalment", login=self.portal_a.login
        )
        line1 = self.plan_a.line_ids.filtered(lambda line: line.sequence == 1)
        self.assertEqual(line1.state, "paid")
        self.assertEqual(line1.payment_ids.amount, 103.53)
