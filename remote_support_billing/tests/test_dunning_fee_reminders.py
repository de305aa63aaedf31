"""N9: a second dunning run the same day does not remind clients of the fee invoices the
first run just issued (no "Friendly reminder" minutes after "Collections"); those fee
invoices climb the ladder from the next days on, like any invoice."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningFeeReminders(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        fee_product = cls.env.ref("remote_support_billing.product_rsb_dunning_fee")
        cls.level_by_days[21].write(
            {"fee_type": "fixed", "fee_fixed": 15.0, "fee_product_id": fee_product.id}
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Fee Reminder Client", "is_company": True, "email": "fee@example.com"}
        )
        cls.invoice = cls._create_invoice(cls.client, 300.0, cls.TODAY - timedelta(days=22))

    def setUp(self):
        super().setUp()
        freezer = freeze_time(self.TODAY)  # the daily run: its date is today
        freezer.start()
        self.addCleanup(freezer.stop)

    def _fee_invoices(self):
        return self.env["account.move"].search(
            [("partner_id", "=", self.client.id), ("rsb_dunning_fee", "=", True)]
        )

    def test_second_run_same_day_does_not_remind_the_new_fee_invoice(self):
        first = self._run()
        fee_invoice = self._fee_invoices()
        self.assertEqual(len(fee_invoice), 1, "the first run invoices its fee")
        self.assertIn(fee_invoice, first.line_ids.fee_move_ids)
        mails = len(self._partner_mails(self.client))

        second = self._run()

        self.assertFalse(
            second.line_ids.filtered(lambda ln: fee_invoice in ln.move_ids),
            "the fee invoice issued today is not reminded today",
        )
        self.assertEqual(len(self._partner_mails(self.client)), mails, "no email minutes later")
        self.assertFalse(self.env["rsb.dunning.history"].search([("move_id", "=", fee_invoice.id)]))

    def test_fee_invoice_reminded_from_the_next_days(self):
        self._run()
        fee_invoice = self._fee_invoices()
        later = fee_invoice.invoice_date_due + timedelta(days=2)
        run = self._run(run_date=later, execute=False)
        self.assertIn(fee_invoice, run.line_ids.move_ids, "climbs the ladder like any invoice")
