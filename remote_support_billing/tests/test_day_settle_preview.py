"""Settle Up from the form shows its figures first (issue 24): computed by the same plan the
settle-up runs, then Confirm settles."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestSettlePreview(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_tech_money_out_limit = 1000.0

    def _preview(self, ticket):
        action = ticket.with_user(self.technician).action_rsb_settle_preview()
        return (
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_context(**action["context"])
            .create({})
        )

    def test_preview_figures_then_confirm(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 50)
        self._log_time(ticket, 20)
        before = self._counts()
        wizard = self._preview(ticket)
        self.assertAlmostEqual(wizard.logged_hours, 70 / 60)
        self.assertAlmostEqual(wizard.charged_hours, 1.25)
        self.assertAlmostEqual(wizard.rate, 86.0)
        self.assertAlmostEqual(wizard.total, 107.50)
        self.assertAlmostEqual(wizard.deposit_available, 129.0)
        self.assertAlmostEqual(wizard.applied, 107.50)
        self.assertAlmostEqual(wizard.to_charge, 0.0)
        self.assertAlmostEqual(wizard.unused, 21.50)
        self.assertEqual(self._counts(), before, "the preview books nothing")
        self.assertFalse(ticket.rsb_settled)
        action = wizard.action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_window_close")
        self.assertTrue(ticket.rsb_settled)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertAlmostEqual(invoice.amount_total, 0.0, msg="107.50 less the deposit applied")

    def test_preview_of_time_over_deposit(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 120)
        # the form's Settle Up button (its context) opens the figures, settles nothing
        action = (
            ticket.with_user(self.technician)
            .with_context(rsb_settle_preview=True)
            .action_rsb_settle()
        )
        self.assertEqual(action["res_model"], "rsb.settle.preview.wizard")
        self.assertFalse(ticket.rsb_settled)
        wizard = self._preview(ticket)
        self.assertAlmostEqual(wizard.total, 172.0)
        self.assertAlmostEqual(wizard.applied, 129.0)
        self.assertAlmostEqual(wizard.to_charge, 43.0)
        self.assertFalse(wizard.unused)

    def test_preview_says_what_to_fix(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        with self.assertRaisesRegex(UserError, "no timesheets"):
            ticket.with_user(self.technician).action_rsb_settle_preview()


@tagged("post_install", "-at_install")
class TestDayDsoGross(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_tech_money_out_limit = 1000.0

    def test_dso_counts_the_sale_gross_of_its_deposit(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 120)  # $172 of time, $129 of deposit applied: $43 invoiced
        ticket.action_rsb_settle()
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertAlmostEqual(invoice.amount_total, 43.0)
        today = invoice.invoice_date
        wizard = (
            self.env["rsb.dso.wizard"]
            .with_user(self.accountant)
            .create({"date_from": today, "date_to": today})
        )
        wizard.action_compute()
        line = wizard.line_ids.filtered(lambda w: w.partner_id == self.client_a)
        self.assertAlmostEqual(line.amount_sales, 172.0, msg="the time sold, not 43")
        self.assertAlmostEqual(line.amount_receivable, 43.0)
