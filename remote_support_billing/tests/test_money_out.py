"""The money-out rule: a provider refund or a card charge needs an accountant, or a technician
within the company's limit; beyond it the settle-up creates its documents and leaves the money
for an accountant (draft payment, activity), never sent silently."""

import psycopg2

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestMoneyOut(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_tech_money_out_limit = 0.0  # the default: technicians never send
        # an accountant who also works tickets (may settle up and send money)
        cls.billing_clerk = new_test_user(
            cls.env,
            login="rsb-billing-clerk",
            name="Bill Clerk",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
        )
        cls.team.user_ids = [(4, cls.billing_clerk.id)]

    def _refund_txs(self, ticket):
        return ticket.rsb_deposit_move_id.transaction_ids.child_transaction_ids

    def _held_activity(self, ticket, summary):
        return ticket.activity_ids.filtered(lambda a: a.summary == summary)

    def _assert_asked_an_accountant(self, ticket, summary):
        activity = self._held_activity(ticket, summary)
        self.assertEqual(len(activity), 1, summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
        self.assertIn("needs an accountant", self._text(ticket.message_ids[0].body))

    # ------------------------------------------------------------------ refunds
    def test_technician_refund_left_for_an_accountant(self):
        ticket = self._ticket_with_deposit(pay="online")
        self._log_time(ticket, 70)

        self._settle(ticket)

        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertAlmostEqual(credit_note.amount_total, 21.50, msg="the document is created")
        self.assertFalse(self._refund_txs(ticket), "nothing refunded through the provider")
        payment = self.env["account.payment"].search([("invoice_ids", "in", credit_note.ids)])
        self.assertRecordValues(
            payment, [{"state": "draft", "payment_type": "outbound", "amount": 21.50}]
        )
        self._assert_asked_an_accountant(ticket, "Refund the unused deposit")
        with self.assertRaises(AccessError):
            payment.with_user(self.technician).action_post()
        payment.with_user(self.accountant).action_post()
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))

    def test_manager_cancelling_a_session_does_not_send_money(self):
        ticket = self._ticket_with_deposit(pay="online")
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        self.assertFalse(self._refund_txs(ticket))
        self.assertTrue(
            self.env["account.payment"].search(
                [("payment_type", "=", "outbound"), ("state", "=", "draft"), ("amount", "=", 129)]
            )
        )
        self._held_activity(ticket, "Refund the unused deposit").ensure_one()

    def test_accountant_settling_refunds_through_the_provider(self):
        ticket = self._ticket_with_deposit(pay="online")
        self._log_time(ticket, 70)
        self._settle(ticket, user=self.billing_clerk)
        self.assertRecordValues(self._refund_txs(ticket), [{"amount": -21.50, "state": "done"}])
        self.assertFalse(self._held_activity(ticket, "Refund the unused deposit"))

    # ------------------------------------------------------------------ charges
    def test_technician_charge_left_for_an_accountant(self):
        ticket = self._ticket_with_deposit(pay="online", token_state="done")
        self._log_time(ticket, 125)

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids
        self.assertFalse(invoice.transaction_ids, "the card is not charged")
        self.assertRecordValues(invoice, [{"payment_state": "not_paid", "amount_residual": 64.50}])
        self.assertTrue(invoice.sending_data, "emailed with its payment link")
        self._assert_asked_an_accountant(ticket, "Charge the saved card")

        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).action_rsb_charge_saved_card()
        self.assertFalse(invoice.transaction_ids)

        ticket.with_user(self.billing_clerk).action_rsb_charge_saved_card()
        self._send_money_out()
        self.assertRecordValues(invoice.transaction_ids, [{"amount": 64.50, "state": "done"}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertFalse(self._held_activity(ticket, "Charge the saved card"), "marked done")

    def test_technician_within_the_company_limit_sends(self):
        self.company.rsb_tech_money_out_limit = 64.50
        ticket = self._ticket_with_deposit(pay="online", token_state="done")
        self._log_time(ticket, 125)
        self._settle(ticket)
        self.assertRecordValues(
            ticket.rsb_settlement_move_ids.transaction_ids, [{"amount": 64.50, "state": "done"}]
        )

    def test_technician_beyond_the_company_limit_is_held(self):
        self.company.rsb_tech_money_out_limit = 64.49
        ticket = self._ticket_with_deposit(pay="online", token_state="done")
        self._log_time(ticket, 125)
        self._settle(ticket)
        self.assertFalse(ticket.rsb_settlement_move_ids.transaction_ids)
        self._held_activity(ticket, "Charge the saved card").ensure_one()

    def test_portal_client_closing_own_ticket_charges_nothing(self):
        """Closing the ticket in the portal may settle it up (team setting): the client's
        card is not charged by the client's own request."""
        self.team.rsb_auto_settle = True
        ticket = self._ticket_with_deposit(pay="online", token_state="done")
        self._log_time(ticket, 125)
        ticket.with_user(self.portal_a).sudo().stage_id = self.stage_done
        self.assertTrue(ticket.rsb_settled)
        self.assertFalse(ticket.rsb_settlement_move_ids.transaction_ids)

    def test_limit_cannot_be_negative(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.company.rsb_tech_money_out_limit = -1.0
                self.company.flush_recordset()

    def test_the_rule(self):
        """Who may send what, in the company's currency."""
        company, usd = self.company, self.company.currency_id
        company.rsb_tech_money_out_limit = 100.0
        for user, amount, allowed in (
            (self.accountant, 10_000.0, True),
            (self.billing_clerk, 10_000.0, True),
            (self.technician, 100.0, True),
            (self.technician, 100.01, False),
            (self.helpdesk_manager, 100.01, False),
            (self.portal_a, 1.0, False),
            (self.env.ref("base.public_user"), 1.0, False),
        ):
            with self.subTest(user=user.login, amount=amount):
                self.assertEqual(
                    company.sudo()._rsb_may_send_money_out(amount, usd, user=user), allowed
                )
        company.rsb_tech_money_out_limit = 0.0
        self.assertFalse(company._rsb_may_send_money_out(0.01, usd, user=self.technician))
