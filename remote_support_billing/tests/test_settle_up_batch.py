import copy

from odoo import Command
from odoo.tests import tagged

from .. import ledger_guard
from .lifecycle_common import LifecycleCase
from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestSettleUpBatch(SettleUpCase, LifecycleCase):
    """Settling many tickets at once gives the documents and amounts of settling them one
    by one, the invoices are line for line what Odoo itself computes, and the batch costs
    the same queries per ticket whatever its size."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_unused_deposit_policy = "refund"  # LifecycleCase keeps credit
        cls.company.rsb_tech_money_out_limit = 1000.0  # refunds and charges are sent
        cls.tax_15 = cls.env["account.tax"].create(
            {"name": "RSB 15%", "amount": 15.0, "type_tax_use": "sale"}
        )

    def _tickets(self):
        """Five tickets: a deposit partly used, a deposit fully used (time above it) charged
        to the saved card, a deposit with a free quick fix (all returned), a trusted client
        without deposit, a deposit on taxed time."""
        used = self._ticket_with_deposit()
        self._log_time(used, 70)
        over = self._ticket_with_deposit()
        self._consent_token(over, "done")
        self._log_time(over, 100)
        self._log_time(over, 25)
        quick = self._ticket_with_deposit()
        self._log_time(quick, 5)
        trusted = self._create_ticket(self.client_trusted)
        self._log_time(trusted, 50)
        taxed = self._ticket_with_deposit(self.client_b)
        self._log_time(taxed, 95, name="Taxed session")
        return used | over | quick | trusted | taxed

    def _documents(self, tickets):
        """What the settle-up booked per ticket: each document's type, partner, state,
        totals and journal items (label, type, account, amounts, taxes, tags, due date)."""
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
                        self._items(move),
                    )
                )
            result.append(
                (ticket.rsb_settled, docs, sorted(ticket.timesheet_ids.mapped("rsb_billable")))
            )
        return result

    @staticmethod
    def _items(move):
        return sorted(
            (
                line.name or "",
                line.display_type,
                line.account_id.id,
                line.quantity,
                line.price_unit,
                line.amount_currency,
                line.balance,
                tuple(line.tax_ids.ids),
                line.tax_repartition_line_id.id,
                tuple(line.tax_tag_ids.ids),
                line.tax_base_amount,
                str(line.date_maturity),
            )
            for line in move.line_ids
        )

    def test_batch_equals_one_by_one(self):
        self.maxDiff = None
        self.product_hour.taxes_id = self.tax_15
        tickets = self._tickets()
        self.product_hour.taxes_id = False
        # only the last ticket's time is taxed: its lines are given the product's taxes
        taxed_lines = tickets[-1:].timesheet_ids
        self.assertTrue(taxed_lines)
        with self.env.cr.savepoint() as savepoint:
            self.product_hour.taxes_id = self.tax_15
            for ticket in tickets:
                self._settle(ticket, user=self.helpdesk_manager)
            one_by_one = self._documents(tickets)
            balances = [self._balance(self.deposit_account, p) for p in tickets.partner_id]
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(any(tickets.mapped("rsb_settled")))
        self.product_hour.taxes_id = self.tax_15
        self._settle(tickets, user=self.helpdesk_manager)
        self.assertEqual(self._documents(tickets), one_by_one)
        self.assertEqual(
            [self._balance(self.deposit_account, p) for p in tickets.partner_id], balances
        )
        self.assertEqual(len(tickets.rsb_settlement_move_ids), 6, "4 invoices, 2 credit notes")
        over = tickets[1]
        self.assertTrue(
            over.rsb_settlement_move_ids.filtered(
                lambda m: m.move_type == "out_invoice"
            ).transaction_ids.filtered(lambda tx: tx.state == "done"),
            "the saved card was charged",
        )
        self.assertTrue(all(tickets.rsb_settlement_move_ids.mapped("sending_data")))
        # money: received = applied + returned + held, Customer Deposits = what tickets hold,
        # every entry balanced
        self._assert_books(tickets)
        # idempotent: settling again creates, charges and refunds nothing
        counts = self._counts()
        self._settle(tickets, user=self.helpdesk_manager)
        self.assertEqual(len(tickets.rsb_settlement_move_ids), 6)
        self.assertEqual(self._counts(), counts)
        self._assert_books(tickets)
        for ticket in tickets:
            notes = ticket.message_ids.filtered(lambda m: "Settle-up" in (m.body or ""))
            self.assertEqual(len(notes), 1, "one settle-up note per ticket")

    def test_invoice_lines_as_odoo_computes_them(self):
        """The journal items given at the create (amounts, tax lines, tags) are the ones
        Odoo's own synchronisation computes from the invoice lines alone, taxed or not,
        with a deposit applied on the taxed total."""
        self.product_hour.taxes_id = self.tax_15
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        self._log_time(ticket, 25)
        ticket = ticket.sudo()
        plan = ticket._rsb_prepare_settlement(ticket._rsb_get_lines_to_settle()[ticket])
        values = ticket._prepare_rsb_settlement_invoice_values(plan)
        applied = min(plan["deposit_available"], ticket._rsb_predict_amount_total(values))
        values["invoice_line_ids"].append(
            Command.create(ticket._prepare_rsb_deposit_applied_line_values(applied))
        )
        # the deposit line carries the ticket's tags: created as the addon creates it
        Move = ledger_guard.ledger_writer(self.env["account.move"])
        by_odoo = Move.create(copy.deepcopy(values))
        given = Move.create(ticket._rsb_complete_invoice_lines(copy.deepcopy(values)))
        self.assertTrue(by_odoo.line_ids.filtered(lambda line: line.display_type == "tax"))
        self.assertEqual(self._items(given), self._items(by_odoo))
        self.assertAlmostEqual(given.amount_total, by_odoo.amount_total)
        self.assertAlmostEqual(applied, 129.0, msg="the deposit deducted from the taxed total")

    def test_fiscal_position_from_delivery_address(self):
        """A client whose delivery address is in a country with its own fiscal position:
        the settle-up invoice gets the fiscal position (and mapped taxes) Odoo gives an
        invoice to that client, not the one of its invoicing address."""
        tax_0 = self.env["account.tax"].create(
            {"name": "RSB export 0%", "amount": 0.0, "type_tax_use": "sale"}
        )
        self.product_hour.taxes_id = self.tax_15
        belgium = self.env.ref("base.be")
        export = self.env["account.fiscal.position"].create(
            {
                "name": "RSB export",
                "auto_apply": True,
                "country_id": belgium.id,
                "tax_ids": [
                    Command.create({"tax_src_id": self.tax_15.id, "tax_dest_id": tax_0.id})
                ],
            }
        )
        self.env["res.partner"].create(
            {
                "name": "Client B warehouse",
                "type": "delivery",
                "parent_id": self.client_b.id,
                "country_id": belgium.id,
            }
        )
        ticket = self._ticket_with_deposit(self.client_b)
        self._log_time(ticket, 70)
        self._settle(ticket, user=self.helpdesk_manager)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        by_odoo = self.env["account.move"].new(
            {"move_type": "out_invoice", "partner_id": invoice.partner_id.id}
        )
        self.assertEqual(by_odoo.fiscal_position_id, export, "Odoo's own choice")
        self.assertEqual(invoice.fiscal_position_id, export)
        time_lines = invoice.invoice_line_ids.filtered(lambda line: line.product_id)
        self.assertEqual(time_lines.tax_ids, tax_0)

    def _mixed_tickets(self, count):
        """`count` tickets of each kind: a paid deposit partly used, and a trusted client."""
        tickets = self.env["helpdesk.ticket"]
        for _i in range(count):
            with_deposit = self._ticket_with_deposit()
            self._log_time(with_deposit, 50)
            trusted = self._create_ticket(self.client_trusted)
            self._log_time(trusted, 50)
            tickets |= with_deposit | trusted
        self.env.flush_all()
        self.env.invalidate_all()
        return tickets

    def _settle_queries(self, tickets):
        start = self.cr.sql_log_count
        self._settle(tickets, user=self.helpdesk_manager)
        self.env.flush_all()
        self.assertTrue(all(tickets.mapped("rsb_settled")))
        return self.cr.sql_log_count - start

    def test_batch_queries_per_ticket_constant(self):
        """The queries of a batch grow linearly with its tickets (a fixed cost plus the same
        cost per ticket), within a budget per ticket."""
        self._settle_queries(self._mixed_tickets(1))  # warm up
        counts = {count: self._settle_queries(self._mixed_tickets(count)) for count in (2, 4, 6)}
        per_ticket = [
            (counts[4] - counts[2]) / 4,  # 2 more of each kind: 4 more tickets
            (counts[6] - counts[4]) / 4,
        ]
        self.assertLessEqual(per_ticket[1], per_ticket[0] + 1, f"queries: {counts}")
        self.assertLessEqual(per_ticket[1], 55, f"queries per ticket: {counts}")
