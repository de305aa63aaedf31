"""Issue 21: the Deposits Held report ties out to the Customer Deposits account on the same
date: account balance = deposits held; an open request is not booked, a request paid in part
only for what arrived; anything else is listed (entries on the account no ticket's deposit
explains)."""

from odoo import Command
from odoo.tests import tagged

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
class TestDepositsTieOut(RSBReceivablesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["rsb.deposit.held.report"].with_user(cls.accountant)

    def _deposit(self, client, pay):
        ticket = self._create_ticket(client)
        ticket.action_rsb_request_deposit()
        if pay:
            self._register_payment(ticket.rsb_deposit_move_id, amount=None if pay is True else pay)
        return ticket

    def test_report_ties_out_to_the_account(self):
        paid = self._deposit(self.client_a, pay=True)
        self._deposit(self.client_b, pay=False)
        self._deposit(self.client_b, pay=50.0)
        tie = self.Report._rsb_tie_out(self.company)
        self.assertEqual(tie["account"], self.company._rsb_get_deposit_account())
        self.assertAlmostEqual(tie["held"], 129.0 + 50.0)
        # the open request is not booked; of the one paid in part, only what arrived
        self.assertAlmostEqual(tie["unpaid_requests"], 0.0)
        self.assertAlmostEqual(tie["account_balance"], 129.0 + 50.0)
        self.assertAlmostEqual(tie["difference"], 0.0)
        self.assertFalse(tie["untagged_lines"])
        # a settle-up applies the paid deposit: the account and the report move together
        self._log_time(paid, 60)
        paid.with_user(self.technician).action_rsb_settle()
        tie = self.Report._rsb_tie_out(self.company)
        self.assertAlmostEqual(tie["held"], 50.0)
        self.assertAlmostEqual(tie["difference"], 0.0)
        action = self.Report.action_rsb_tie_out()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("They tie out", action["params"]["message"])

    def test_entry_no_ticket_explains_is_listed(self):
        self._deposit(self.client_a, pay=True)
        account = self.company._rsb_get_deposit_account()
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.bank_journal.id,
                "line_ids": [
                    Command.create({"account_id": account.id, "credit": 10.0, "name": "by hand"}),
                    Command.create(
                        {
                            "account_id": self.bank_journal.default_account_id.id,
                            "debit": 10.0,
                            "name": "by hand",
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        tie = self.Report._rsb_tie_out(self.company)
        self.assertAlmostEqual(tie["difference"], 10.0)
        self.assertEqual(
            tie["untagged_lines"], entry.line_ids.filtered(lambda ln: ln.account_id == account)
        )
        action = self.Report.action_rsb_tie_out()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(action["params"]["next"]["res_model"], "account.move.line")
