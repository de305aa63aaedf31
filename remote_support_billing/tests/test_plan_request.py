"""Issue 25 item 4: a client asks for a payment plan in the portal. Within the company's
self-service policy it is agreed at once (schedule, dunning paused); beyond it, it waits as a
draft with an activity for an accountant; bad input is refused and creates nothing."""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestPlanRequest(RSBDunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.today = today
        cls.invoice = cls._create_invoice(cls.client_a, 600.0, today - timedelta(days=20))
        cls.Plan = cls.env["rsb.payment.plan"]

    def _post(self, **data):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/plan/request")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/my/plan/request", data={"csrf_token": csrf, **data}, allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def _plans(self):
        return self.Plan.sudo().search([("partner_id", "=", self.client_a.id)])

    def test_within_the_policy_the_plan_is_agreed_at_once(self):
        first = self.today + timedelta(days=10)
        response = self._post(count="3", first_date=first.isoformat())
        plan = self._plans()
        self.assertEqual(response.status_code, 303, "to the plan's page")
        self.assertIn(plan.get_portal_url().split("?")[0], response.headers["Location"])
        self.assertRecordValues(
            plan, [{"state": "active", "instalment_count": 3, "first_date": first}]
        )
        self.assertEqual(len(plan.line_ids), 3)
        self.assertEqual(self.invoice.rsb_dunning_pause_reason, "payment_plan")

    def test_beyond_the_policy_it_waits_for_an_accountant(self):
        self.company.rsb_plan_portal_max_instalments = 6
        response = self._post(count="12", first_date=(self.today + timedelta(days=10)).isoformat())
        self.assertEqual(response.status_code, 200)
        self.assertIn("reviews your request", response.text)
        plan = self._plans()
        self.assertEqual(plan.state, "draft")
        activity = plan.activity_ids
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
        self.assertFalse(self.invoice.rsb_dunning_pause_reason, "dunning goes on meanwhile")

    def test_bad_input_is_refused_and_creates_nothing(self):
        for data, message in (
            (
                {"count": "0", "first_date": (self.today + timedelta(days=5)).isoformat()},
                "must be a number",
            ),
            (
                {"count": "99", "first_date": (self.today + timedelta(days=5)).isoformat()},
                "from 1 to 24",
            ),
            (
                {"count": "abc", "first_date": (self.today + timedelta(days=5)).isoformat()},
                "must be",
            ),
            ({"count": "3", "first_date": self.today.isoformat()}, "within the next 90 days"),
            ({"count": "3", "first_date": "tomorrow"}, "must be a date"),
            ({"count": "3"}, "The first date"),
        ):
            with self.subTest(data=data):
                response = self._post(**data)
                self.assertEqual(response.status_code, 400)
                alert = re.search(r"o_rsb_plan_request_error[^>]*>([^<]*)<", response.text)
                self.assertIn(message, alert.group(1) if alert else response.text[-3000:])
                self.assertNotIn("Traceback", response.text)
        self.assertFalse(self._plans())

    def test_self_service_off(self):
        self.company.rsb_plan_portal_max_instalments = 0
        response = self._post(count="3", first_date=(self.today + timedelta(days=5)).isoformat())
        self.assertEqual(response.status_code, 400)
        self.assertIn("call us", response.text)
        self.assertFalse(self._plans())
