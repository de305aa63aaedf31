"""Helpers of the deposit lifecycle tests: the invariants every ticket's books must keep."""

from .common import RSBCommon


class LifecycleCase(RSBCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_unused_deposit_policy = "credit"

    def _request(self, ticket):
        ticket.with_user(self.technician).action_rsb_request_deposit()
        return ticket.rsb_deposit_move_id

    def _settle(self, ticket):
        return ticket.with_user(self.helpdesk_manager).action_rsb_settle()

    def _received_from_payments(self, ticket):
        """Money received on the ticket's deposit requests, read independently of the
        addon: partial reconciliations of the request invoices with payment entries."""
        Line = self.env["account.move.line"]
        requests = Line.search(
            [
                ("rsb_deposit_ticket_id", "=", ticket.id),
                ("rsb_deposit_role", "=", "request"),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "=", "out_invoice"),
            ]
        ).move_id
        receivable = requests.line_ids.filtered(lambda line: line.display_type == "payment_term")
        return sum(
            partial.debit_amount_currency
            for partial in receivable.matched_credit_ids
            if partial.credit_move_id.move_id.origin_payment_id
        )

    def _assert_books(self, tickets):
        """After every operation: per ticket, received = applied + returned + held to the
        cent; the state agrees with the books; no request is open on the receivable;
        Customer Deposits' balance is the sum of what the tickets hold; every posted entry
        balances."""
        self.env.flush_all()
        tickets.invalidate_recordset()
        for ticket in tickets:
            currency = ticket.rsb_currency_id
            figures = [f for f in ticket._fields if f.startswith("rsb_deposit_")]
            msg = f"{ticket.name}: {ticket.read(figures)}"
            self.assertTrue(
                currency.is_zero(
                    ticket.rsb_deposit_received
                    - ticket.rsb_deposit_applied
                    - ticket.rsb_deposit_returned
                    - ticket.rsb_deposit_available
                ),
                "received = applied + returned + held, " + msg,
            )
            self.assertTrue(
                currency.is_zero(ticket.rsb_deposit_received - self._received_from_payments(ticket))
                or ticket.rsb_deposit_received > self._received_from_payments(ticket),
                "received includes every payment, " + msg,
            )
            self.assertGreaterEqual(currency.round(ticket.rsb_deposit_available), 0.0, msg)
            self.assertGreaterEqual(currency.round(ticket.rsb_deposit_unpaid), 0.0, msg)
            if ticket.rsb_deposit_state == "paid":
                self.assertGreater(ticket.rsb_deposit_available, 0.0, msg)
            if ticket.rsb_deposit_state == "requested":
                self.assertGreater(ticket.rsb_deposit_unpaid, 0.0, msg)
            # a request is not a receivable: posted only for money that arrived
            open_requests = (
                self.env["account.move.line"]
                .search(
                    [
                        ("rsb_deposit_ticket_id", "=", ticket.id),
                        ("rsb_deposit_role", "=", "request"),
                        ("parent_state", "=", "posted"),
                        ("move_id.move_type", "=", "out_invoice"),
                    ]
                )
                .move_id.filtered(
                    lambda m: not m.currency_id.is_zero(m.amount_residual)
                    # a payment registered, its journal entry not there yet (Odoo's In
                    # Process, until the bank statement books it)
                    and not m.matched_payment_ids.filtered(lambda p: p.state == "in_process")
                )
            )
            self.assertFalse(open_requests, "no deposit request open on the receivable, " + msg)
        accounts = (
            self.env["account.move.line"]
            .search([("rsb_deposit_ticket_id", "!=", False)])
            .account_id
            | self.company._rsb_get_deposit_account()
        )
        balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "in", accounts.ids), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        tagged = sum(
            self.env["account.move.line"]
            .search(
                [
                    ("rsb_deposit_ticket_id", "!=", False),
                    ("account_id", "in", accounts.ids),
                    ("parent_state", "=", "posted"),
                ]
            )
            .mapped("balance")
        )
        self.assertAlmostEqual(balance, tagged, 2, "Customer Deposits = what tickets hold")
        self.env.cr.execute(
            """SELECT move_id FROM account_move_line WHERE parent_state = 'posted'
               GROUP BY move_id HAVING ROUND(SUM(balance), 2) != 0"""
        )
        self.assertFalse(self.env.cr.fetchall(), "every posted entry balances")
