from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestTrust(RSBCommon):
    def _invoice(self, partner, due, amount=100.0):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_hour.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [(5, 0, 0)],
                        },
                    )
                ],
            }
        )
        move.action_post()
        move.invoice_date_due = due
        return move

    def test_technician_cannot_change_billing_policy_manager_can(self):
        with self.assertRaises(AccessError):
            self.client_a.with_user(self.technician).write({"rsb_trusted": True})
        with self.assertRaises(AccessError):
            self.client_trusted.with_user(self.technician).write({"rsb_credit_hold": True})
        self.assertFalse(self.client_a.rsb_trusted)
        self.client_a.with_user(self.helpdesk_manager).write(
            {"rsb_trusted": True, "rsb_trust_reason": "Five years of prompt payment"}
        )
        self.assertTrue(self.client_a.rsb_trusted)
        self.assertFalse(self.client_a.rsb_prepay_required)
        self._flush_tracking()
        tracked = self.client_a.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "rsb_trusted"
        )
        self.assertTrue(tracked, "the change is tracked in the chatter with who changed it")
        self.assertEqual(tracked[0].create_uid, self.helpdesk_manager)

    def test_credit_hold_requires_prepay_even_when_trusted(self):
        self.client_trusted.with_user(self.accountant).rsb_credit_hold = True
        self.assertTrue(self.client_trusted.rsb_prepay_required)

    @freeze_time("2026-03-01")
    def test_trusted_client_paying_late_is_switched_to_prepay(self):
        self.company.rsb_trust_overdue_days = 15
        late = self._invoice(self.client_trusted, date(2026, 2, 10))  # 19 days overdue
        other = self.env["res.partner"].create(
            {"name": "Punctual", "rsb_trusted": True, "is_company": True}
        )
        self._invoice(other, date(2026, 2, 20))  # 9 days: within tolerance
        self.env["res.partner"]._cron_rsb_trust_rules()
        self.assertFalse(self.client_trusted.rsb_trusted)
        self.assertIn(late.name, self.client_trusted.rsb_trust_reason)
        self.assertIn("19 days", self.client_trusted.message_ids[0].body)
        self.assertTrue(other.rsb_trusted)
        # New tickets of the client now need a deposit.
        self.assertEqual(self._create_ticket(self.client_trusted).rsb_deposit_state, "to_request")

    @freeze_time("2026-03-01")
    def test_paid_late_invoice_does_not_revoke(self):
        late = self._invoice(self.client_trusted, date(2026, 2, 1))
        self._pay_invoice(late)
        self.env["res.partner"]._cron_rsb_trust_rules()
        self.assertTrue(self.client_trusted.rsb_trusted)

    def test_rule_disabled_with_zero_days(self):
        self.company.rsb_trust_overdue_days = 0
        self._invoice(self.client_trusted, date(2020, 1, 1))
        self.env["res.partner"]._cron_rsb_trust_rules()
        self.assertTrue(self.client_trusted.rsb_trusted)

    def test_propose_trust_after_tickets_paid_on_time(self):
        self.company.rsb_trust_propose_after = 2
        for _i in range(2):
            ticket = self._create_ticket(self.client_a)
            invoice = self._invoice(self.client_a, date.today())
            invoice.rsb_settlement_ticket_ids = ticket
            ticket.rsb_settled = True
            self._pay_invoice(invoice)
            self.assertTrue(ticket.rsb_paid_on_time)
        activity = self.client_a.activity_ids.filtered(
            lambda a: a.summary == "Consider trusting this client"
        )
        self.assertEqual(len(activity), 1)
        self.assertFalse(self.client_a.rsb_trusted, "never promoted automatically")
