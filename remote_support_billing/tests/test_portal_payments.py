"""Issue 25 item 5: the client pays the whole overdue balance at once (Odoo's overdue payment
page, linked from the Account Summary) and finds their payments with a receipt (PDF) each;
another client's receipt is not found."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestPortalPayments(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        today = fields.Date.today()
        cls.overdue = cls._invoice(cls.client_a, 120.0, today - timedelta(days=20))
        cls.paid = cls._invoice(cls.client_a, 80.0, today - timedelta(days=5))
        cls.other = cls._invoice(cls.client_b, 60.0, today - timedelta(days=5))

    @classmethod
    def _invoice(cls, partner, amount, day):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": day,
                "invoice_date_due": day,
                "invoice_line_ids": [
                    fields.Command.create({"name": "Support", "quantity": 1, "price_unit": amount})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_summary_lists_payments_with_receipts_and_pays_the_overdue_balance(self):
        payment = self._pay_invoice(self.paid)
        other_payment = self._pay_invoice(self.other)
        self.authenticate(self.portal_a.login, self.portal_a.login)
        summary = self.url_open("/my/account-summary").text
        self.assertIn('id="rsb_pay_overdue"', summary)
        self.assertIn(f"/my/payments/{payment.id}/receipt", summary)
        self.assertNotIn(f"/my/payments/{other_payment.id}/receipt", summary)
        receipt = self.url_open(f"/my/payments/{payment.id}/receipt")
        self.assertEqual(receipt.status_code, 200)
        self.assertEqual(receipt.headers["Content-Type"], "application/pdf")
        # Odoo renders reports as HTML in test mode: the receipt is Odoo's payment receipt
        self.assertIn(payment.name.encode(), receipt.content)
        self.assertEqual(self.url_open(f"/my/payments/{other_payment.id}/receipt").status_code, 404)
        self.assertEqual(self.url_open("/my/payments/999999999/receipt").status_code, 404)
        overdue_page = self.url_open("/my/invoices/overdue")
        self.assertEqual(overdue_page.status_code, 200)
        self.assertIn(self.overdue.name, overdue_page.text)
