"""Money leaves only after the documents it pays are committed, once: a card charge or a
provider refund is queued by the settle-up (rsb.money.out) and sent after the commit; a
failure before the commit sends nothing, a retry sends nothing twice, a worker cut off
during the provider's call is flagged for an accountant, a refusal leaves the invoice open.
And the money-out rule sees the person behind a superuser route (issue 22, N1)."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .test_settle_up import SettleUpCase


class MoneyOutCase(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # an accountant who also works tickets (may settle up and send money)
        cls.billing_clerk = new_test_user(
            cls.env,
            login="rsb-billing-clerk",
            name="Bill Clerk",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
        )
        cls.team.user_ids = [(4, cls.billing_clerk.id)]

    def _card_ticket(self, token_state="done"):
        """A ticket with its $129 deposit paid online (card saved with consent) and 125
        minutes logged: the settle-up charges $64.50 to the card."""
        ticket = self._ticket_with_deposit(pay="online", token_state=token_state)
        self._log_time(ticket, 125)
        return ticket

    def _charges(self, ticket):
        return ticket.rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        ).transaction_ids

    def _rows(self, ticket):
        return self.env["rsb.money.out"].sudo().search([("ticket_id", "=", ticket.id)])

    def _settle_only(self, ticket, user=None):
        """The settle-up's own transaction, before its commit."""
        return ticket.with_user(user or self.billing_clerk).action_rsb_settle()


@tagged("post_install", "-at_install")
class TestMoneyOutAfterCommit(MoneyOutCase):
    def test_charge_waits_for_the_commit(self):
        ticket = self._card_ticket()
        self._settle_only(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertFalse(self._charges(ticket), "the provider is not called before the commit")
        self.assertRecordValues(
            self._rows(ticket),
            [{"kind": "charge", "state": "queued", "amount": 64.50, "move_id": invoice.id}],
        )
        self.assertIn("charged once this is saved", self._text(ticket.message_ids[0].body))
        self.assertEqual(invoice._rsb_money_out_under_way(), self._rows(ticket))
        self.assertFalse(ticket._rsb_get_chargeable_invoices(), "not charged a second time")

        self._send_money_out()

        self.assertRecordValues(self._charges(ticket), [{"amount": 64.50, "state": "done"}])
        self.assertRecordValues(self._rows(ticket), [{"state": "done"}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertIn("$ 64.50 charged to the saved card", self._text(ticket.message_ids[0].body))

    def test_failure_before_the_commit_charges_nothing(self):
        """The settle-up's transaction rolls back after the documents (a later step fails,
        a serialization error): its queued charge goes with it; nothing was sent."""
        ticket = self._card_ticket()
        transactions = self.env["payment.transaction"].search_count([])
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self._settle_only(ticket)
            self.assertTrue(self._rows(ticket))
            raise UserError("a later step failed")
        self.env.invalidate_all()
        self.assertFalse(self._rows(ticket))
        self.assertFalse(self._send_money_out())
        self.assertEqual(self.env["payment.transaction"].search_count([]), transactions)
        self.assertFalse(ticket.rsb_settled)

    def test_retry_and_cron_never_charge_twice(self):
        ticket = self._card_ticket()
        self._settle_only(ticket)
        row = self._rows(ticket)
        row._rsb_send()
        row._rsb_send()  # the post-commit step run again (a retry)
        self.env["rsb.money.out"]._cron_rsb_send_money_out()  # and the catch-up cron
        ticket.with_user(self.billing_clerk).action_rsb_settle()  # settling again
        self._send_money_out()
        self.assertEqual(len(self._charges(ticket)), 1)
        self.assertEqual(len(self._rows(ticket)), 1)
        with self.assertRaises(UserError):
            ticket.with_user(self.billing_clerk).action_rsb_charge_saved_card()

    def test_worker_cut_off_during_the_call_is_flagged_not_resent(self):
        """The row is committed as Sending before the provider's call: a worker that dies
        then leaves it Sending; the cron never sends it again and asks an accountant to
        check the reference with the provider."""
        ticket = self._card_ticket()
        self._settle_only(ticket)
        row = self._rows(ticket)
        row._rsb_start_sending()  # committed; then the worker died
        tx = row.transaction_id
        self.assertEqual(tx.state, "draft")
        self.env["rsb.money.out"]._cron_rsb_send_money_out()
        self.assertEqual(row.state, "sending", "too recent to judge")
        later = fields.Datetime.now() + timedelta(minutes=16)
        with freeze_time(later):
            self.env["rsb.money.out"]._cron_rsb_send_money_out()
        self.assertEqual(row.state, "failed")
        self.assertIn(tx.reference, row.error)
        self.assertEqual(tx.state, "draft", "never sent again")
        self.assertEqual(len(self._charges(ticket)), 1)
        activity = ticket.activity_ids.filtered(lambda a: "Card payment failed" in a.summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))

    def test_provider_refusal_leaves_the_invoice_open_with_a_note(self):
        ticket = self._card_ticket()
        self._settle_only(ticket)
        invoice = ticket.rsb_settlement_move_ids
        Tx = type(self.env["payment.transaction"])
        with patch.object(Tx, "_send_payment_request", side_effect=UserError("card declined")):
            self._send_money_out()
        row = self._rows(ticket)
        self.assertRecordValues(row, [{"state": "failed", "error": "card declined"}])
        self.assertRecordValues(invoice, [{"payment_state": "not_paid", "amount_residual": 64.5}])
        self.assertFalse(self._charges(ticket).filtered(lambda t: t.state == "done"))
        self.assertIn("card declined", self._text(ticket.message_ids[0].body))
        activity = ticket.activity_ids.filtered(lambda a: "Card payment failed" in a.summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
        # the accountant charges the card again: a new charge, sent after its commit
        ticket.with_user(self.billing_clerk).action_rsb_charge_saved_card()
        self._send_money_out()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_charge_done_but_booking_broken_is_booked_by_odoo_cron(self):
        """The provider charged the card but the payment's booking failed: the charge is
        committed as done and Odoo's payment cron books it; the books never miss it."""
        ticket = self._card_ticket()
        self._settle_only(ticket)
        invoice = ticket.rsb_settlement_move_ids
        Tx = type(self.env["payment.transaction"])
        with patch.object(Tx, "_post_process", side_effect=RuntimeError("worker lost")):
            self._send_money_out()
        tx = self._charges(ticket)
        self.assertRecordValues(tx, [{"state": "done", "is_post_processed": False}])
        self.assertEqual(invoice.payment_state, "not_paid")
        tx._post_process()  # what payment's post-processing cron does for done transactions
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_refund_through_the_provider_after_the_commit(self):
        ticket = self._ticket_with_deposit(pay="online")
        self._log_time(ticket, 70)
        self._settle_only(ticket)
        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        deposit_tx = ticket._rsb_get_deposit_transaction()
        self.assertFalse(deposit_tx.child_transaction_ids, "nothing refunded before the commit")
        self.assertRecordValues(self._rows(ticket), [{"kind": "refund", "amount": 21.50}])
        self.assertTrue(credit_note._rsb_money_out_under_way())

        self._send_money_out()
        self._send_money_out()

        self.assertRecordValues(
            deposit_tx.child_transaction_ids, [{"amount": -21.50, "state": "done"}]
        )
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))


@tagged("post_install", "-at_install")
class TestMoneyOutRequester(MoneyOutCase):
    """N1: code that runs as the superuser on someone's behalf is judged as that person."""

    def test_system_job_holds_money_out_by_default(self):
        ticket = self._card_ticket()
        self.assertFalse(self.company.rsb_system_money_out)
        ticket.sudo().action_rsb_settle()  # a scheduled job: the superuser, no request
        self.assertFalse(self._rows(ticket))
        self.assertTrue(
            ticket.activity_ids.filtered(lambda a: a.summary == "Charge the saved card")
        )

    def test_system_job_sends_when_the_company_allows_it(self):
        self.company.rsb_system_money_out = True
        ticket = self._card_ticket()
        ticket.sudo().action_rsb_settle()
        self.assertRecordValues(self._rows(ticket), [{"kind": "charge", "state": "queued"}])


@tagged("post_install", "-at_install")
class TestMoneyOutPortalClose(MoneyOutCase, HttpCase):
    """The portal close route writes the stage as the superuser (helpdesk_mgmt's
    `_document_check_access`); with *Settle when closed*, the settle-up's money out is judged
    as the logged-in person: a portal client or a technician with no limit sends nothing."""

    def setUp(self):
        HttpCase.setUp(self)  # no frozen clock: the server thread serves the requests

    def _close_as(self, login, ticket):
        self.authenticate(login, login)
        page = self.url_open("/my/account")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(
            "/ticket/close",
            data={"ticket_id": ticket.id, "stage_id": self.stage_done.id, "csrf_token": csrf},
            allow_redirects=False,
        )

    def _assert_held(self, ticket):
        self.assertTrue(ticket.rsb_settled, "the settle-up's documents are booked")
        self.assertFalse(self._rows(ticket), "no charge queued")
        self.assertFalse(self._charges(ticket))
        activity = ticket.activity_ids.filtered(lambda a: a.summary == "Charge the saved card")
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))

    def test_portal_client_close_charges_nothing(self):
        self.team.rsb_auto_settle = True
        self.stage_done.close_from_portal = True
        ticket = self._card_ticket()
        response = self._close_as(self.portal_a.login, ticket)
        self.assertEqual(response.status_code, 302)
        self.env.invalidate_all()
        self._assert_held(ticket)

    def test_technician_close_within_no_limit_charges_nothing(self):
        self.company.rsb_tech_money_out_limit = 0.0
        self.team.rsb_auto_settle = True
        self.stage_done.close_from_portal = True
        ticket = self._card_ticket()
        response = self._close_as(self.technician.login, ticket)
        self.assertEqual(response.status_code, 302)
        self.env.invalidate_all()
        self._assert_held(ticket)
