"""Issue 22: which rate binds. A price change after the deposit was requested, or after the
first time was logged, does not re-price that ticket's time; new tickets get the new rate."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestRateBinding(SettleUpCase):
    def _set_price(self, price):
        self.product_hour.product_tmpl_id.list_price = price
        self.env.invalidate_all()

    def test_rate_when_time_was_first_logged_binds(self):
        old_rate = self._create_ticket(self.client_trusted)._rsb_get_hourly_rate()
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 60)
        self.assertEqual(ticket.rsb_bound_rate, old_rate)
        self._set_price(old_rate * 2)
        self._log_time(ticket, 60)  # more work at the agreed rate
        self.assertEqual(ticket.rsb_hourly_rate, old_rate, "the ticket shows its agreed rate")
        self.assertEqual(ticket.rsb_billable_amount, 2 * old_rate)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(set(invoice.invoice_line_ids.mapped("price_unit")), {old_rate})
        self.assertAlmostEqual(invoice.amount_untaxed, 2 * old_rate)
        new_ticket = self._create_ticket(self.client_trusted)
        self.assertEqual(new_ticket.rsb_hourly_rate, old_rate * 2, "new work: the new price")

    def test_rate_of_the_requested_deposit_binds(self):
        ticket = self._ticket_with_deposit(pay="manual")
        agreed = ticket.rsb_bound_rate
        self.assertTrue(agreed, "bound when the client was asked for the estimate")
        self._set_price(agreed + 50)
        self._log_time(ticket, 120)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        time_lines = invoice.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_hour
        )
        self.assertEqual(set(time_lines.mapped("price_unit")), {agreed})

    def test_agreed_rate_is_not_edited_by_hand(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 30)
        rate = ticket.rsb_bound_rate
        for user in (self.technician, self.helpdesk_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).write({"rsb_bound_rate": 1.0})
        self.assertEqual(ticket.rsb_bound_rate, rate)
