"""A deposit paid by a payment that has no journal entry yet (Odoo 18's "in process"
payments on a bank journal without an outstanding account, when the full accounting app is
installed) is not money received: the ticket stays waiting for the deposit until the bank
statement books it."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestDepositPaymentInProcess(LifecycleCase):
    def test_payment_without_entry_is_not_received(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        # a bank journal whose incoming method books nothing until the statement; Odoo books
        # such payments only once the full accounting app (enterprise) is installed: the
        # test says it is
        self.bank_journal.inbound_payment_method_line_ids.payment_account_id = False
        Move = type(self.env["account.move"])
        with patch.object(Move, "_get_invoice_in_payment_state", lambda self: "in_payment"):
            payment = self._pay_invoice(deposit)
            deposit.invalidate_recordset(["payment_state"])
            self.assertEqual(deposit.payment_state, "in_payment")
        self.assertFalse(payment.move_id, "no journal entry until the bank statement")
        self.assertEqual(payment.state, "in_process")
        ticket.invalidate_recordset()
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self.assertEqual(ticket.rsb_deposit_received, 0.0)
        self.assertEqual(ticket.rsb_deposit_unpaid, 129.0)
        self._assert_books(ticket)
        # the gate stays closed: the money is not in the books
        with self.assertRaisesRegex(UserError, "deposit"):
            ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertNotEqual(ticket.stage_id, self.stage_scheduled)
        # and the client is not asked to pay twice
        with self.assertRaisesRegex(UserError, "already paid"):
            deposit._rsb_check_deposit_payable()
