"""Late fees on the client's next settle-up invoice (issue 20, company setting): a fee dunning
charges waits for the client's next settle-up instead of a fee invoice of its own, is billed
there exactly once (the deposit pays the time, never the fee), a full reversal of that invoice
releases it, and a fee that waits longer than the company's days is invoiced on its own."""

from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon
from .lifecycle_common import LifecycleCase
from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestFeesOnSettleUp(SettleUpCase, RSBDunningCommon, LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        cls.fee_product = cls.env.ref("remote_support_billing.product_rsb_dunning_fee")
        cls.level_by_days[21].write(
            {"fee_type": "fixed", "fee_fixed": 15.0, "fee_product_id": cls.fee_product.id}
        )
        cls.company.rsb_fee_billing = "settle_up"
        cls.overdue = cls._create_invoice(cls.client_a, 300.0, cls.TODAY - timedelta(days=22))

    def _fee(self):
        return self.env["rsb.dunning.fee"].search([("move_id", "=", self.overdue.id)])

    def _fee_invoices(self):
        return self.env["account.move"].search(
            [("partner_id", "=", self.client_a.id), ("rsb_dunning_fee", "=", True)]
        )

    def _settle_up_invoice(self, ticket):
        return ticket.rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "posted"
            and not m.reversal_move_ids
        )

    def _worked_ticket(self, minutes=70):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, minutes)
        return ticket

    def test_fee_waits_for_the_next_settle_up_and_is_billed_there_once(self):
        self._run()
        fee = self._fee()
        self.assertAlmostEqual(fee.amount, 15.0)
        self.assertFalse(fee.fee_move_id, "waiting for the client's next settle-up")
        self.assertFalse(self._fee_invoices(), "no fee invoice of its own")

        ticket = self._worked_ticket(200)  # time above the deposit
        preview = ticket.sudo()._rsb_settlement_preview()
        self.assertAlmostEqual(preview["late_fees"], 15.0, msg="the confirmation shows the fee")
        self._settle(ticket)
        invoice = self._settle_up_invoice(ticket)
        self.assertAlmostEqual(preview["to_charge"], invoice.amount_total, msg="as previewed")
        fee_line = invoice.invoice_line_ids.filtered(lambda ln: ln.product_id == self.fee_product)
        self.assertEqual(fee.fee_move_id, invoice)
        self.assertEqual(fee.fee_line_id, fee_line)
        self.assertAlmostEqual(fee_line.price_total, 15.0)
        self.assertIn(self.overdue.name, fee_line.name)
        time_total = sum(
            invoice.invoice_line_ids.filtered(lambda ln: ln.product_id == self.product_hour).mapped(
                "price_total"
            )
        )
        self.assertAlmostEqual(ticket.rsb_deposit_applied, 129.0)
        self.assertAlmostEqual(invoice.amount_total, time_total - 129.0 + 15.0)
        self.assertIn("Late fees on earlier invoices", "".join(ticket.message_ids.mapped("body")))
        self._assert_books(ticket)

        other = self._worked_ticket()
        self._settle(other)
        self.assertFalse(
            self._settle_up_invoice(other).invoice_line_ids.filtered(
                lambda ln: ln.product_id == self.fee_product
            ),
            "billed once",
        )
        self.env["rsb.dunning.fee"]._rsb_invoice_pending(self.company)
        self.assertFalse(self._fee_invoices(), "and never again on its own")

    def test_the_deposit_pays_the_time_never_the_fee(self):
        self._run()
        ticket = self._worked_ticket(30)  # time below the deposit: some comes back
        self._settle(ticket)
        invoice = self._settle_up_invoice(ticket)
        time_total = sum(
            invoice.invoice_line_ids.filtered(lambda ln: ln.product_id == self.product_hour).mapped(
                "price_total"
            )
        )
        self.assertAlmostEqual(ticket.rsb_deposit_applied, time_total)
        self.assertAlmostEqual(invoice.amount_total, 15.0, msg="the client owes the fee")
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0 - time_total)
        self._assert_books(ticket)

    def test_full_reversal_releases_the_fee_for_the_next_settle_up(self):
        self._run()
        ticket = self._worked_ticket(200)
        self._settle(ticket)
        invoice = self._settle_up_invoice(ticket)
        invoice._reverse_moves(cancel=True)
        fee = self._fee()
        self.assertFalse(fee.fee_move_id, "released with the time")
        self.assertFalse(ticket.rsb_settled)
        self._settle(ticket)
        again = self._settle_up_invoice(ticket)
        self.assertNotEqual(again, invoice)
        self.assertEqual(fee.fee_move_id, again, "billed on the settle-up done again")
        self._assert_books(ticket)

    def test_fee_waiting_longer_than_the_days_is_invoiced_on_its_own(self):
        self._run()
        fee = self._fee()
        self.env["rsb.dunning.fee"]._rsb_invoice_pending(self.company)
        self.assertFalse(fee.fee_move_id, "within the days: still waiting")
        self.company.rsb_fee_settle_up_days = 0
        self.env["rsb.dunning.fee"]._rsb_invoice_pending(self.company)
        self.assertEqual(fee.fee_move_id, self._fee_invoices())
        ticket = self._worked_ticket()
        self._settle(ticket)
        self.assertFalse(
            self._settle_up_invoice(ticket).invoice_line_ids.filtered(
                lambda ln: ln.product_id == self.fee_product
            )
        )

    def test_default_a_fee_invoice_per_run(self):
        self.company.rsb_fee_billing = "invoice"
        self._run()
        self.assertEqual(self._fee().fee_move_id, self._fee_invoices())
        ticket = self._worked_ticket()
        self._settle(ticket)
        self.assertFalse(
            self._settle_up_invoice(ticket).invoice_line_ids.filtered(
                lambda ln: ln.product_id == self.fee_product
            )
        )

    def test_days_out_of_range_refused(self):
        for days in (-1, 366):
            with self.subTest(days=days), self.assertRaises(ValidationError):
                self.company.rsb_fee_settle_up_days = days
                self.company.flush_recordset()
            self.env.invalidate_all()
            self.assertEqual(self.company.rsb_fee_settle_up_days, 30, "unchanged")
