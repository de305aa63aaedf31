"""Register Deposit Payment: the accountant books a deposit the client paid by bank transfer or
cash. The open request is posted, dated the day the money arrived, and the payment reconciled
with it; a part payment books only what arrived and the rest is a new request; bad input and
other roles are refused with a clear message, and nothing is written."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestDepositPayment(LifecycleCase):
    def _wizard(self, ticket, user=None, **values):
        action = ticket.with_user(user or self.accountant).action_rsb_register_deposit_payment()
        return (
            self.env[action["res_model"]]
            .with_user(user or self.accountant)
            .with_context(action["context"])
            .create({"journal_id": self.bank_journal.id, **values})
        )

    def _state(self, ticket):
        self.env.invalidate_all()
        move = ticket.rsb_deposit_move_id
        return (
            move.state,
            move.invoice_date,
            ticket.rsb_deposit_state,
            ticket.rsb_deposit_held,
            self.env["account.payment"].search_count([]),
        )

    def test_transfer_books_the_deposit_the_day_it_arrived(self):
        ticket = self._create_ticket(self.client_a)
        request = self._request(ticket)
        arrived = fields.Date.today() - timedelta(days=2)
        wizard = self._wizard(ticket, payment_date=arrived, memo="TRF 4471")
        self.assertAlmostEqual(wizard.amount, 129.0, msg="the deposit asked, by default")
        action = wizard.action_confirm()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(request.state, "posted")
        self.assertEqual(request.invoice_date, arrived)
        self.assertEqual(request.payment_state, "paid")
        payment = request.matched_payment_ids
        self.assertEqual(payment.date, arrived)
        self.assertEqual(payment.memo, "TRF 4471")
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertAlmostEqual(ticket.rsb_deposit_held, 129.0)
        self._assert_books(ticket)
        with self.assertRaisesRegex(UserError, "no deposit request waiting to be paid"):
            ticket.with_user(self.accountant).action_rsb_register_deposit_payment()

    def test_part_payment_books_what_arrived_and_asks_for_the_rest(self):
        ticket = self._create_ticket(self.client_a)
        request = self._request(ticket)
        receivable_before = self.client_a.credit
        self._wizard(ticket, amount=50.0).action_confirm()
        # only the money that arrived is booked: the request is posted for it, paid in full
        self.assertEqual(request.state, "posted")
        self.assertAlmostEqual(request.amount_total, 50.0)
        self.assertEqual(request.payment_state, "paid")
        # the rest is a new request, a draft (nothing on the receivable), the ticket's open one
        rest = ticket.rsb_deposit_move_id
        self.assertNotEqual(rest, request)
        self.assertEqual(rest.state, "draft")
        self.assertAlmostEqual(rest.amount_total, 79.0)
        self.assertTrue(rest._has_to_be_paid(), "the client can pay the rest online")
        self.env.invalidate_all()
        self.assertAlmostEqual(self.client_a.credit, receivable_before, msg="no debt booked")
        self.assertAlmostEqual(ticket.rsb_deposit_received, 50.0)
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 79.0)
        self.assertAlmostEqual(ticket.rsb_deposit_held, 50.0)
        self.assertEqual(ticket.rsb_deposit_state, "requested", "not paid in full: no session")
        note = ticket.message_ids.filtered(lambda m: "still to pay" in (m.body or ""))
        self.assertIn("79.00", note.body, "the staff see what is left")
        self._assert_books(ticket)
        # the rest paid by a second transfer: the deposit is whole, the ticket ready
        self._wizard(ticket).action_confirm()
        self.assertEqual(rest.state, "posted")
        self.assertEqual(rest.payment_state, "paid")
        self.assertAlmostEqual(ticket.rsb_deposit_held, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 0.0)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self._assert_books(ticket)

    def test_bad_input_is_refused_and_writes_nothing(self):
        ticket = self._create_ticket(self.client_a)
        self._request(ticket)
        before = self._state(ticket)
        sale_journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.env.company.id)], limit=1
        )
        cases = [
            ({"amount": 0.0}, "positive amount"),
            ({"amount": -10.0}, "positive amount"),
            ({"amount": 129.01}, "more than the deposit"),
            ({"journal_id": sale_journal.id}, "bank or cash journal"),
        ]
        for values, message in cases:
            with self.subTest(values=values), self.assertRaisesRegex(UserError, message):
                self._wizard(ticket, **values).action_confirm()
            self.assertEqual(self._state(ticket), before, "nothing was written")

    def test_only_an_accountant_books_it(self):
        ticket = self._create_ticket(self.client_a)
        self._request(ticket)
        before = self._state(ticket)
        for user in (self.technician, self.helpdesk_manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    ticket.with_user(user).action_rsb_register_deposit_payment()
                with self.assertRaises(AccessError):
                    ticket.with_user(user)._rsb_register_deposit_payment(self.bank_journal)
            self.assertEqual(self._state(ticket), before, "nothing was written")
