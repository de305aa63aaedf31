"""A write-off carries the invoice's taxes (issue 21, item 5): a credit note of what is left of
the invoice, lines and taxes prorated, the untaxed part on bad debts, so the output tax of the
unpaid part is reversed (bad-debt tax relief); a company may keep the plain journal entry."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestWriteoffTax(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_account = cls.env["account.account"].create(
            {
                "name": "Output Tax 10 % (test)",
                "code": "251099",
                "account_type": "liability_current",
            }
        )

        def repartition():
            return [
                Command.create({"repartition_type": "base"}),
                Command.create({"repartition_type": "tax", "account_id": cls.tax_account.id}),
            ]

        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Sales 10 % (test)",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition(),
                "refund_repartition_line_ids": repartition(),
            }
        )
        cls.bad_debts = cls.company._rsb_get_bad_debt_account()

    def _taxed_invoice(self, partner, *prices):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": self.sale_journal.id,
                "invoice_date": self.TODAY - timedelta(days=80),
                "invoice_date_due": self.TODAY - timedelta(days=50),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_hour.id,
                            "quantity": 1.0,
                            "price_unit": price,
                            "tax_ids": [Command.set(self.tax.ids)],
                        }
                    )
                    for price in prices
                ],
            }
        )
        move.action_post()
        return move

    def _balance(self, account):
        self.env.flush_all()
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))

    def _writeoff(self, partner, **vals):
        with freeze_time(self.TODAY):
            action = partner.with_user(self.accountant).action_rsb_writeoff()
            wizard = (
                self.env["rsb.dunning.writeoff.wizard"]
                .with_user(self.accountant)
                .with_context(**action["context"])
                .create({"reason": "Client closed", **vals})
            )
            self.assertEqual(wizard.method, self.company.rsb_writeoff_method)
            amount = wizard.amount  # what is left to write off, before
            return wizard, amount, wizard.action_confirm()

    def test_credit_note_reverses_the_tax_of_the_written_off_part(self):
        """$100 + 10 % tax = $110, $55 paid: the write-off credits $55 = $50 on bad debts
        + $5 of output tax reversed; the invoice is paid."""
        invoice = self._taxed_invoice(self.client_b, 100.0)
        self.assertEqual(invoice.amount_total, 110.0)
        self._pay_invoice(invoice, amount=55.0)
        self.assertEqual(self._balance(self.tax_account), -10.0)
        self.assertEqual(self.company.rsb_writeoff_method, "credit_note", "the default")
        wizard, amount, result = self._writeoff(self.client_b)
        self.assertEqual((wizard.method, amount), ("credit_note", 55.0))
        refund = self.env["account.move"].search(result["domain"])
        self.assertEqual(
            (refund.move_type, refund.state, refund.invoice_origin),
            ("out_refund", "posted", invoice.name),
        )
        self.assertFalse(refund.reversed_entry_id, "a lost debt, not a reversal of the work")
        self.assertEqual(
            (refund.amount_untaxed, refund.amount_tax, refund.amount_total), (50.0, 5.0, 55.0)
        )
        self.assertEqual(refund.invoice_line_ids.tax_ids, self.tax)
        self.assertEqual(refund.invoice_line_ids.account_id, self.bad_debts)
        # the books: output tax reduced by the tax of the written-off part, bad debts carry
        # the untaxed part, the invoice is settled
        self.assertEqual(self._balance(self.tax_account), -5.0)
        self.assertEqual(self._balance(self.bad_debts), 50.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn(invoice, refund.line_ids.matched_debit_ids.debit_move_id.move_id)
        self.assertFalse(refund.amount_residual, "the credit note is used up on the invoice")
        self.assertFalse(self.client_b._rsb_get_receivable_position(self.company, self.TODAY))
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "account.move"), ("res_id", "=", refund.id)]
            ),
            "nothing is sent to the client",
        )
        # again: nothing left, refused, nothing booked
        refunds = self.env["account.move"].search_count([("move_type", "=", "out_refund")])
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]), refunds
        )
        self.assertEqual(self._balance(self.tax_account), -5.0)

    def test_proration_rounding_is_credited_to_the_cent(self):
        """Three taxed lines, an awkward part paid: the credit note is exactly what is left
        (any rounding cent of the proration on an untaxed bad debts line)."""
        invoice = self._taxed_invoice(self.client_a, 33.33, 17.01, 0.99)
        self._pay_invoice(invoice, amount=10.07)
        residual = invoice.amount_residual
        _wizard, _amount, result = self._writeoff(self.client_a)
        refund = self.env["account.move"].search(result["domain"])
        self.assertEqual(refund.amount_total, residual)
        self.assertEqual(invoice.amount_residual, 0.0)
        # 46.39 left: the prorated lines and their taxes make 46.40, one cent is rounding
        self.assertEqual(residual, 46.39)
        rounding = refund.invoice_line_ids.filtered(lambda line: not line.tax_ids)
        self.assertEqual((rounding.price_subtotal, rounding.account_id), (-0.01, self.bad_debts))
        # the tax reversed is the invoice's tax in proportion of what was written off
        self.assertAlmostEqual(
            refund.amount_tax, invoice.amount_tax * residual / invoice.amount_total, delta=0.02
        )
        self.assertEqual(
            self._balance(self.bad_debts), self.currency.round(residual - refund.amount_tax)
        )

    def test_company_may_keep_the_plain_journal_entry(self):
        """Method "journal entry": the whole $110 on bad debts, the output tax untouched."""
        self.company.rsb_writeoff_method = "entry"
        invoice = self._taxed_invoice(self.client_b, 100.0)
        _wizard, amount, result = self._writeoff(self.client_b)
        self.assertEqual(amount, 110.0)
        entry = self.env["account.move"].search(result["domain"])
        self.assertEqual((entry.move_type, entry.journal_id.type), ("entry", "general"))
        self.assertEqual(self._balance(self.bad_debts), 110.0)
        self.assertEqual(self._balance(self.tax_account), -10.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertFalse(invoice.reversal_move_ids)

    def test_writeoff_of_a_settle_up_invoice_leaves_the_ticket_settled(self):
        """A trusted client's settle-up invoice written off: the ticket stays settled and
        its time billed (a write-off is not a reversal that would bill the time again)."""
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 70)
        with freeze_time(self.TODAY - timedelta(days=60)):
            ticket.with_user(self.technician).action_rsb_settle()
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual((len(invoice), invoice.move_type), (1, "out_invoice"))
        self.assertTrue(ticket.rsb_settled)
        _wizard, _amount, result = self._writeoff(self.client_trusted)
        refund = self.env["account.move"].search(result["domain"])
        self.assertEqual(refund.amount_total, invoice.amount_total)
        # settled by a credit note alone: Odoo's payment state "reversed"
        self.assertEqual((invoice.amount_residual, invoice.payment_state), (0.0, "reversed"))
        self.assertTrue(ticket.rsb_settled, "the ticket stays settled")
        self.assertEqual(ticket.rsb_settlement_move_ids, invoice, "the credit note is not linked")

    def test_setting_help_tells_the_truth(self):
        fields_ = self.env["res.company"]._fields
        self.assertIn("untaxed part", fields_["rsb_bad_debt_account_id"].help)
        self.assertIn("tax relief", fields_["rsb_writeoff_method"].help)
