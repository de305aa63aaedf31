import base64
import csv
import io
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningCollections(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a.write({"phone": "+1 555 0111", "street": "9 Elm St"})
        cls.big = cls._create_invoice(cls.client_a, 350.0, cls.TODAY - timedelta(days=46))
        cls.big2 = cls._create_invoice(cls.client_a, 150.0, cls.TODAY - timedelta(days=10))
        cls.small = cls._create_invoice(cls.client_b, 120.0, cls.TODAY - timedelta(days=50))

    def test_threshold_marks_collections_or_proposes_writeoff(self):
        run = self._run()
        line_a, line_b = self._line(run, self.client_a), self._line(run, self.client_b)
        self.assertEqual(line_a.amount_due, 500.0)
        self.assertTrue(self.client_a.rsb_collections, "500 is at the threshold")
        self.assertEqual(self.client_a.rsb_collections_date, self.TODAY)
        self.assertFalse(line_a.writeoff_proposed)
        self.assertFalse(self.client_b.rsb_collections, "120 is below the threshold")
        self.assertTrue(line_b.writeoff_proposed)
        self.assertIn("Write-off proposed", line_b.result)
        self.assertFalse(self.small.reversal_move_ids, "nothing written off without confirmation")
        self.assertEqual(self.small.payment_state, "not_paid")

    def test_collections_export_csv_and_xlsx(self):
        self._run()
        wizard = (
            self.env["rsb.collections.export.wizard"]
            .with_user(self.accountant)
            .create({"file_format": "csv"})
        )
        self.assertEqual(wizard.partner_ids, self.client_a)
        with freeze_time(self.TODAY):
            action = wizard.action_export()
        self.assertIn("/web/content/", action["url"])
        rows = list(csv.reader(io.StringIO(base64.b64decode(wizard.data).decode())))
        self.assertEqual(rows[0][:3], ["Client", "Street", "Street 2"])
        self.assertEqual(len(rows), 3, "header + the two overdue invoices")
        header = rows[0]
        by_invoice = {row[header.index("Invoice")]: row for row in rows[1:]}
        row = by_invoice[self.big.name]
        self.assertEqual(row[header.index("Client")], "Greenleaf Dental")
        self.assertEqual(row[header.index("Street")], "9 Elm St")
        self.assertEqual(row[header.index("Phone")], "+1 555 0111")
        self.assertEqual(row[header.index("Email")], self.client_a.email)
        self.assertEqual(row[header.index("Due Date")], str(self.big.invoice_date_due))
        self.assertEqual(float(row[header.index("Amount Due")]), 350.0)
        self.assertEqual(row[header.index("Days Overdue")], "46")
        self.assertEqual(row[header.index("Last Contact")], str(self.TODAY))
        wizard.file_format = "xlsx"
        with freeze_time(self.TODAY):
            wizard.action_export()
        self.assertTrue(wizard.filename.endswith(".xlsx"))
        self.assertEqual(base64.b64decode(wizard.data)[:2], b"PK", "an xlsx (zip) file")

    def test_writeoff_wizard_creates_internal_entry_on_bad_debts(self):
        """The company's option "journal entry": an internal entry (Dr bad debts / Cr
        receivable); the default credit note is tests/test_writeoff_tax.py."""
        self.company.rsb_writeoff_method = "entry"
        self._run()
        action = self.client_b.with_user(self.accountant).action_rsb_writeoff()
        with freeze_time(self.TODAY):
            wizard = (
                self.env["rsb.dunning.writeoff.wizard"]
                .with_user(self.accountant)
                .with_context(**action["context"])
                .create({"reason": "Client closed"})
            )
            self.assertEqual(wizard.move_ids, self.small)
            self.assertEqual(wizard.amount, 120.0)
            result = wizard.action_confirm()
        entry = self.env["account.move"].search(result["domain"])
        self.assertEqual((entry.move_type, entry.state), ("entry", "posted"))
        self.assertFalse(self.small.reversal_move_ids, "no credit note")
        bad_debts = entry.line_ids.filtered(lambda line: line.debit)
        self.assertEqual(bad_debts.account_id, self.company.rsb_bad_debt_account_id)
        self.assertEqual(bad_debts.debit, 120.0)
        self.assertEqual(self.company.rsb_bad_debt_account_id.account_type, "expense")
        self.assertEqual(self.small.amount_residual, 0.0)
        self.assertIn(self.small.payment_state, ("paid", "in_payment"))
        self.assertTrue(any("Written off" in m.body for m in self.client_b.message_ids))
        self.assertFalse(self.client_b.rsb_credit_hold, "nothing overdue any more")
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(
            self.env["account.move"].search_count([("ref", "=", entry.ref)]),
            1,
            "nothing written off twice",
        )

    def test_writeoff_only_by_accountants(self):
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.writeoff.wizard"].with_user(self.technician).create(
                {"partner_id": self.client_b.id, "move_ids": [(6, 0, self.small.ids)]}
            )
        self.assertEqual(self.small.payment_state, "not_paid")
