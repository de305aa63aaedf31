from odoo.tests import tagged

from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestSettleUpBatch(SettleUpCase):
    """Settling many tickets at once gives the documents and amounts of settling them one
    by one, and costs the same queries per ticket whatever their number."""

    def _tickets(self):
        """Four tickets: a deposit partly used, a deposit fully used (time above it), a
        deposit with a free quick fix (all returned), a trusted client without deposit."""
        used = self._ticket_with_deposit()
        self._log_time(used, 70)
        over = self._ticket_with_deposit(self.client_b)
        self._log_time(over, 100)
        self._log_time(over, 25)
        quick = self._ticket_with_deposit()
        self._log_time(quick, 5)
        trusted = self._create_ticket(self.client_trusted)
        self._log_time(trusted, 50)
        return used | over | quick | trusted

    def _documents(self, tickets):
        """What the settle-up booked per ticket: each document's type, partner, state,
        totals and lines (label, account, quantity, price)."""
        result = []
        for ticket in tickets:
            docs = []
            for move in ticket.rsb_settlement_move_ids.sorted(lambda m: (m.move_type, m.id)):
                docs.append(
                    (
                        move.move_type,
                        move.partner_id.id,
                        move.state,
                        move.amount_untaxed,
                        move.amount_total,
                        move.amount_residual,
                        sorted(
                            (line.name, line.account_id.id, line.quantity, line.price_unit)
                            for line in move.invoice_line_ids
                        ),
                    )
                )
            result.append(
                (ticket.rsb_settled, docs, sorted(ticket.timesheet_ids.mapped("rsb_billable")))
            )
        return result

    def test_batch_equals_one_by_one(self):
        tickets = self._tickets()
        with self.env.cr.savepoint() as savepoint:
            for ticket in tickets:
                self._settle(ticket, user=self.helpdesk_manager)
            one_by_one = self._documents(tickets)
            balances = [self._balance(self.deposit_account, p) for p in tickets.partner_id]
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(any(tickets.mapped("rsb_settled")))
        self._settle(tickets, user=self.helpdesk_manager)
        self.assertEqual(self._documents(tickets), one_by_one)
        self.assertEqual(
            [self._balance(self.deposit_account, p) for p in tickets.partner_id], balances
        )
        self.assertEqual(len(tickets.rsb_settlement_move_ids), 5, "3 invoices, 2 credit notes")
        # idempotent: settling again creates nothing
        self._settle(tickets, user=self.helpdesk_manager)
        self.assertEqual(len(tickets.rsb_settlement_move_ids), 5)
        for ticket in tickets:
            notes = ticket.message_ids.filtered(lambda m: "Settle-up" in (m.body or ""))
            self.assertEqual(len(notes), 1, "one settle-up note per ticket")

    def _trusted_tickets(self, count):
        tickets = self.env["helpdesk.ticket"]
        for _i in range(count):
            ticket = self._create_ticket(self.client_trusted)
            self._log_time(ticket, 50)
            tickets |= ticket
        self.env.flush_all()
        self.env.invalidate_all()
        return tickets

    def test_batch_queries_per_ticket_constant(self):
        """The documents of 2N tickets cost no more queries per ticket than N's."""
        self._settle(self._trusted_tickets(1), user=self.helpdesk_manager)  # warm up
        counts = []
        for count in (3, 6):
            tickets = self._trusted_tickets(count)
            start = self.cr.sql_log_count
            self._settle(tickets, user=self.helpdesk_manager)
            self.env.flush_all()
            counts.append((self.cr.sql_log_count - start) / count)
            self.assertTrue(all(tickets.mapped("rsb_settled")))
        self.assertLessEqual(counts[1], counts[0], f"queries per ticket: {counts}")
