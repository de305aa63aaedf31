"""Every portal route of the addon against bad input: missing, mistyped, huge, negative and
zero values, and a second client's record ids. Each gets a clear answer (never a server
error, never a traceback) and no payment is started; Odoo's own request shape still pays an
ordinary invoice."""

import json
import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_receivables import RSBReceivablesCommon

MISSING = "<missing>"
BAD_VALUES = (MISSING, "abc", [], 1e308, 1e20, -50, 0)
# The payment form's parameters, each with the bad values that are in fact valid for it
# (left out of the table): a direct payment needs no token; "no tokenization" is the default;
# "abc" is a route relative to the site, as Odoo's own "#?access_token=..." is.
TRANSACTION_PARAMS = {
    "provider_id": (),
    "payment_method_id": (),
    "token_id": (MISSING,),
    "amount": (),
    "flow": (),
    "tokenization_requested": (MISSING,),
    "landing_route": ("abc",),
}


@tagged("post_install", "-at_install")
class TestPortalInputs(RSBReceivablesCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        today = fields.Date.context_today(cls.env.user)
        old = today - timedelta(days=40)
        cls.invoice_a = cls._create_invoice(cls.client_a, 200.0, old)  # ordinary, overdue
        cls.invoice_b = cls._create_invoice(cls.client_b, 300.0, old)
        for invoice in cls.invoice_a | cls.invoice_b:
            invoice.message_subscribe(partner_ids=invoice.partner_id.child_ids.ids)
        cls.plan_b = cls.env["rsb.payment.plan"].create(
            {
                "partner_id": cls.client_b.id,
                "invoice_ids": [fields.Command.set(cls.invoice_b.ids)],
                "instalment_count": 3,
                "frequency": "monthly",
                "first_date": today + timedelta(days=10),
                "down_payment_journal_id": cls.bank_journal.id,
            }
        )
        cls.plan_b.action_confirm()
        cls.ticket_b = cls._create_ticket(cls.contact_b, name="Mail down")
        cls.stage_done.close_from_portal = True
        cls.payment_method = cls.provider.payment_method_ids.filtered(lambda m: m.code == "demo")[
            :1
        ]

    def setUp(self):
        super().setUp()
        self.counts = self._counts()

    # ------------------------------------------------------------------ helpers
    def _counts(self):
        return (
            self.env["payment.transaction"].sudo().search_count([]),
            self.env["account.payment"].sudo().search_count([]),
        )

    def _assert_nothing_paid(self):
        self.env.invalidate_all()
        self.assertEqual(self._counts(), self.counts, "no transaction, no payment")

    def _values(self, invoice, **params):
        values = {
            "access_token": invoice._portal_ensure_token(),
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "token_id": None,
            "amount": invoice.amount_residual,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": invoice.get_portal_url(),
            **params,
        }
        return {key: value for key, value in values.items() if value != MISSING}

    def _json(self, route, params):
        with mute_logger("odoo.http"):
            response = self.url_open(
                route,
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
                headers={"Content-Type": "application/json"},
            )
        return response

    def _assert_clear_json_error(self, response, case):
        self.assertNotEqual(response.status_code, 500, case)
        self.assertNotIn("Traceback", response.text, case)
        data = response.json()
        self.assertIn("error", data, case)
        self.assertTrue(data["error"]["data"]["message"], case)
        self.assertFalse(data["error"]["data"]["debug"], case)

    def _assert_clear_page(self, response, case):
        self.assertNotEqual(response.status_code, 500, case)
        self.assertLess(response.status_code, 500, case)
        self.assertNotIn("Traceback", response.text, case)

    def _csrf(self):
        page = self.url_open("/my/account")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    # ------------------------------------------------------------------ JSON transaction routes
    def test_transaction_routes_bad_values(self):
        """Each parameter of the three transaction routes, each bad value: a message."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        routes = {
            "invoice": f"/invoice/transaction/{self.invoice_a.id}",
            "overdue": "/invoice/transaction/overdue",
        }
        for name, route in routes.items():
            for param, valid in TRANSACTION_PARAMS.items():
                for bad in BAD_VALUES:
                    if bad in valid:
                        continue
                    case = f"{name} {param}={bad!r}"
                    with self.subTest(case=case):
                        params = self._values(self.invoice_a, **{param: bad})
                        if name == "overdue":
                            params.pop("access_token")
                        self._assert_clear_json_error(self._json(route, params), case)
        # the invoice in the path, beyond SQL's integer; the access token mistyped
        for case, route, params in (
            ("huge invoice id", "/invoice/transaction/99999999999", {}),
            ("token as a list", routes["invoice"], {"access_token": []}),
            ("reference as a list", routes["overdue"], {"payment_reference": []}),
        ):
            with self.subTest(case=case):
                values = {**self._values(self.invoice_a), **params}
                self._assert_clear_json_error(self._json(route, values), case)
        self._assert_nothing_paid()

    def test_plan_transaction_route_bad_values(self):
        """The instalment route sets the amount itself; every other parameter is checked."""
        self.authenticate(self.portal_b.login, self.portal_b.login)
        route = f"/my/payment_plans/{self.plan_b.id}/transaction"
        for param, valid in TRANSACTION_PARAMS.items():
            for bad in BAD_VALUES:
                if bad in valid or (param == "amount" and bad == MISSING):
                    continue
                case = f"plan {param}={bad!r}"
                with self.subTest(case=case):
                    params = self._values(self.invoice_b, **{param: bad})
                    params["access_token"] = self.plan_b._portal_ensure_token()
                    self._assert_clear_json_error(self._json(route, params), case)
        self._assert_clear_json_error(
            self._json("/my/payment_plans/99999999999/transaction", self._values(self.invoice_b)),
            "huge plan id",
        )
        self._assert_nothing_paid()

    def test_nothing_overdue(self):
        """Regression: with nothing overdue, the overdue route failed with an IndexError."""
        self.authenticate(self.portal_b.login, self.portal_b.login)
        self.invoice_b.invoice_date_due = fields.Date.context_today(self.env.user)
        params = self._values(self.invoice_b)
        params.pop("access_token")
        response = self._json("/invoice/transaction/overdue", params)
        self._assert_clear_json_error(response, "nothing overdue")
        self.assertIn("no overdue invoices", response.json()["error"]["data"]["message"])
        self._assert_nothing_paid()

    def test_another_clients_records(self):
        """Client A with client B's invoice and plan: refused, nothing paid."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        for token in (MISSING, "wrong"):
            with self.subTest(token=token):
                params = self._values(self.invoice_b, access_token=token)
                response = self._json(f"/invoice/transaction/{self.invoice_b.id}", params)
                self._assert_clear_json_error(response, "B's invoice")
                response = self._json(f"/my/payment_plans/{self.plan_b.id}/transaction", params)
                self._assert_clear_json_error(response, "B's plan")
        self._assert_nothing_paid()
        for route in (f"/my/payment_plans/{self.plan_b.id}", "/my/payment_plans/99999999999"):
            with self.subTest(route=route):
                response = self.url_open(route, allow_redirects=False)
                self._assert_clear_page(response, route)
                self.assertTrue(response.headers["Location"].endswith("/my"))
        response = self.url_open("/my/dunning/letter/99999999999")
        self.assertEqual(response.status_code, 404)

    # ------------------------------------------------------------------ http form routes
    def test_ticket_routes_bad_values(self):
        """/ticket/close, /submitted/ticket and the agreement's accept: each parameter."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        stage = self.ticket_b.stage_id
        close_params = {"ticket_id": self.ticket_b.id, "stage_id": self.stage_done.id}
        for param in ("ticket_id", "stage_id", "access_token"):
            for bad in BAD_VALUES:
                case = f"close {param}={bad!r}"
                with self.subTest(case=case):
                    data = {**close_params, param: bad, "csrf_token": self._csrf()}
                    data = {k: v for k, v in data.items() if v != MISSING}
                    response = self.url_open("/ticket/close", data=data, allow_redirects=False)
                    self._assert_clear_page(response, case)
        self.assertEqual(self.ticket_b.stage_id, stage, "B's ticket is not closed by A")
        for param in ("category", "team", "subject"):
            for bad in ("abc", 1e308, 1e20, -50, "x" * 300):
                case = f"submit {param}={bad!r}"
                with self.subTest(case=case):
                    data = {"csrf_token": self._csrf(), "subject": "Cannot print", param: bad}
                    response = self.url_open("/submitted/ticket", data=data, allow_redirects=False)
                    self._assert_clear_page(response, case)
        for route in (
            f"/my/ticket/{self.ticket_b.id}/rsb/accept",
            "/my/ticket/99999999999/rsb/accept",
        ):
            for bad in BAD_VALUES:
                case = f"{route} agreement_id={bad!r}"
                with self.subTest(case=case):
                    data = {"csrf_token": self._csrf(), "accept": "on", "agreement_id": bad}
                    response = self.url_open(route, data=data, allow_redirects=False)
                    self._assert_clear_page(response, case)
        self.assertFalse(self.client_b.rsb_agreement_accepted, "A cannot accept for B")

    # ------------------------------------------------------------------ Odoo's shape still pays
    def test_odoo_request_shape_pays_an_ordinary_invoice(self):
        """The payment form's own request (token_id null) pays an ordinary invoice, also in
        part (an instalment of Odoo's payment terms); more than is due is refused."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        route = f"/invoice/transaction/{self.invoice_a.id}"
        for amount in (200.0, 50.0):
            with self.subTest(amount=amount):
                result = self.make_jsonrpc_request(
                    route, self._values(self.invoice_a, amount=amount)
                )
                tx = (
                    self.env["payment.transaction"]
                    .sudo()
                    .search([("reference", "=", result["reference"])])
                )
                self.assertEqual(tx.invoice_ids, self.invoice_a)
                self.assertAlmostEqual(tx.amount, amount)
        response = self._json(route, self._values(self.invoice_a, amount=200.01))
        self._assert_clear_json_error(response, "more than due")
        self.assertIn("left to pay", response.json()["error"]["data"]["message"])

    def test_model_refuses_bad_amounts_over_rpc(self):
        """The same rule where the transaction is created: RPC cannot bypass the routes."""
        Tx = self.env["payment.transaction"].sudo()
        for amount, message in (
            (-50.0, "positive amount"),
            (0.0, "positive amount"),
            (1e20, "too large"),
            (float("inf"), "too large"),
            (1e308, "too large"),
            (200.01, "left to pay"),
        ):
            with self.subTest(amount=amount), self.assertRaises(UserError) as caught:
                Tx.create(
                    {
                        "provider_id": self.provider.id,
                        "payment_method_id": self.payment_method.id,
                        "amount": amount,
                        "currency_id": self.invoice_a.currency_id.id,
                        "partner_id": self.client_a.id,
                        "invoice_ids": [fields.Command.set(self.invoice_a.ids)],
                        "operation": "online_direct",
                    }
                )
            self.assertIn(message, caught.exception.args[0])
        self._assert_nothing_paid()
