from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
class TestReceivablesBackend(RSBReceivablesCommon, HttpCase):
    """The receivables screens open and render in the web client (real clock: the browser
    and the HTTP server are not frozen, so dates are relative to today)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        inv1 = cls._create_invoice(cls.client_a, 400.0, today - timedelta(days=45))
        inv2 = cls._create_invoice(cls.client_a, 300.0, today - timedelta(days=20))
        cls._create_invoice(cls.client_b, 300.0, today - timedelta(days=5))
        plan = (
            cls.env["rsb.payment.plan"]
            .with_user(cls.accountant)
            .create(
                {
                    "partner_id": cls.client_a.id,
                    "invoice_ids": [fields.Command.set((inv1 | inv2).ids)],
                    "down_payment": 100.0,
                    "down_payment_journal_id": cls.bank_journal.id,
                    "instalment_count": 6,
                    "interest_rate": 12.0,
                    "first_date": today + timedelta(days=10),
                }
            )
        )
        plan.action_confirm()

    def test_receivables_screens(self):
        self.start_tour(
            "/odoo/action-remote_support_billing.rsb_receivables_dashboard_action",
            "rsb_receivables_backend",
            login=self.accountant.login,
        )

    def test_plan_from_client_form(self):
        invoice = self._create_invoice(
            self.client_b, 90.0, fields.Date.context_today(self.env.user) - timedelta(days=30)
        )
        self.start_tour(
            f"/odoo/res.partner/{self.client_b.id}",
            "rsb_payment_plan_backend",
            login=self.accountant.login,
        )
        plan = self.env["rsb.payment.plan"].search([("partner_id", "=", self.client_b.id)])
        self.assertEqual(plan.state, "active")
        self.assertEqual(len(plan.line_ids), 3)
        self.assertIn(invoice, plan.invoice_ids)
        self.assertEqual(invoice.rsb_dunning_pause_reason, "payment_plan")
