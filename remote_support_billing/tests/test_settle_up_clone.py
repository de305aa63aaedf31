from unittest.mock import patch

from odoo.tests import tagged

from ..models.rsb_move_clone import CLONE_PARAM
from .lifecycle_common import LifecycleCase
from .snapshot_common import many2many_rows, stored_rows
from .test_settle_up import SettleUpCase

# columns that differ between two correct runs: row ids and the numbers (the documents made
# by the ORM are numbered before the copies); the numbers are checked apart
SKIP_COLUMNS = {
    "account_move": {"id", "name", "sequence_number", "payment_reference"},
    "account_move_line": {"id", "move_id", "move_name", "matching_number", "full_reconcile_id"},
}


# records the settle-up makes besides the documents: compared by number
NEW_RECORDS = {"account.payment", "payment.transaction"}


@tagged("post_install", "-at_install")
class TestSettleUpClone(SettleUpCase, LifecycleCase):
    """A batch's alike settle-up documents (untaxed, same client terms and line layout) are
    copied from the first one by SQL: they are the documents the ORM makes, every stored
    column, many2many row, follower, message and reconciliation equal; they are numbered
    without gaps, pay and reverse like any; a taxed batch is made by the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_unused_deposit_policy = "refund"  # LifecycleCase keeps credit
        cls.company.rsb_tech_money_out_limit = 1000.0
        cls.Clone = type(cls.env["rsb.move.clone"])

    def _tickets(self, rate=86.0):
        """Tickets of two clients with a paid $129 deposit: time above it (an invoice to
        pay), exactly it at $86/h (a zero invoice), below it (an invoice and a credit note
        returning the rest), a free quick fix (a credit note only), three or more of each.
        The second client has a bank account: its credit notes carry it (money goes out to
        it), so they are not alike the first client's."""
        self.product_hour.list_price = rate
        self.env["res.partner.bank"].create(
            {"acc_number": "FR7630006000011234567890189", "partner_id": self.client_b.id}
        )
        tickets = self.env["helpdesk.ticket"]
        for client, minutes in (
            (self.client_a, (100, 110, 125, 90, 90, 90, 40, 50, 55, 4)),
            (self.client_b, (100, 135, 40, 50, 55)),
        ):
            for spent in minutes:
                ticket = self._ticket_with_deposit(client)
                self._log_time(ticket, spent)
                tickets |= ticket
        return tickets

    def _settle_spied(self, tickets, copy=True):
        """Settle `tickets`; :return: the copies made, per prototype"""
        self.env["ir.config_parameter"].sudo().set_param(CLONE_PARAM, "1" if copy else "0")
        copies = []
        clone = self.Clone._rsb_clone_moves_from

        def spy(model, prototype, specs):
            done = clone(model, prototype, specs)
            copies.append(done[0] if done else None)
            return done

        with patch.object(self.Clone, "_rsb_clone_moves_from", spy):
            self._settle(tickets)
        self.env.flush_all()
        return copies

    def _snapshot(self, tickets):
        """Everything stored about the tickets' settle-up documents, by position (ticket,
        document, line): each column of account_move and account_move_line (as the schema
        lists them), many2many rows, reconciliations, followers, messages; the client's
        customer rank and the tickets' deposit figures."""
        self.env.flush_all()
        self.env.invalidate_all()
        position, moves = {}, self.env["account.move"]
        for t_index, ticket in enumerate(tickets):
            documents = ticket.rsb_settlement_move_ids.sorted(lambda m: (m.move_type, m.id))
            for d_index, move in enumerate(documents):
                moves |= move
                position[move.id] = (t_index, d_index)
                for l_index, line in enumerate(move.line_ids.sorted("id")):
                    position[line.id] = (t_index, d_index, l_index)
        snap = {}
        for model, table in (
            ("account.move", "account_move"),
            ("account.move.line", "account_move_line"),
        ):
            records = moves if model == "account.move" else moves.line_ids
            for row_id, values in stored_rows(
                self.env, table, records.ids, SKIP_COLUMNS[table]
            ).items():
                if values.get("display_type") == "payment_term":
                    values.pop("name")  # the document's number
                snap[position[row_id]] = values
            for field, own, other in many2many_rows(self.env, model, records.ids):
                # payments and transactions made by the run: how many
                if field.comodel_name in NEW_RECORDS:
                    other = field.comodel_name
                snap.setdefault((field.name, position[own]), []).append(other)
        for key, value in snap.items():
            if isinstance(value, list) and key != "rank":
                value.sort(key=str)
        for line in moves.line_ids:
            snap[("matched", position[line.id])] = (
                sorted(line.matched_debit_ids.mapped("amount")),
                sorted(line.matched_credit_ids.mapped("amount")),
                bool(line.full_reconcile_id),
                bool(line.matching_number),
            )
        for move in moves:
            snap[("followers", position[move.id])] = {
                (f.partner_id.id, tuple(sorted(f.subtype_ids.ids)))
                for f in move.message_follower_ids
            }
            snap[("messages", position[move.id])] = sorted(
                (m.message_type, m.subtype_id.id, str(m.body), m.author_id.id, m.record_name)
                for m in move.message_ids
            )
        snap["rank"] = tickets.commercial_partner_id.mapped("customer_rank")
        for t_index, ticket in enumerate(tickets):
            snap[("ticket", t_index)] = (
                ticket.rsb_settled,
                ticket.rsb_deposit_applied,
                ticket.rsb_deposit_returned,
                ticket.rsb_deposit_available,
                sorted(position[m.id] for m in ticket.timesheet_ids.rsb_settlement_move_id),
            )
        return snap, moves

    def test_copies_equal_orm_documents_column_by_column(self):
        self._assert_copies_equal_orm(self._tickets())

    def test_copies_equal_orm_documents_with_rounding_lines(self):
        """At $86.35/h each line is rounded to the cent and an *Exact time* line carries
        the difference, up or down: the signs differ between tickets."""
        self._assert_copies_equal_orm(self._tickets(rate=86.35), kinds=False)

    def _assert_copies_equal_orm(self, tickets, kinds=True):
        self.maxDiff = None
        self.cr.execute("SAVEPOINT rsb_settle_clone_cmp")
        copies = self._settle_spied(tickets, copy=False)
        self.assertFalse(copies, "copying switched off: all by the ORM")
        orm, _moves = self._snapshot(tickets)
        self.cr.execute("ROLLBACK TO SAVEPOINT rsb_settle_clone_cmp")
        self.env.invalidate_all()
        self.assertFalse(any(tickets.mapped("rsb_settled")))
        copies = self._settle_spied(tickets)
        self.assertNotIn(None, copies, "no copy refused")
        if kinds:
            copied_kinds = {
                (move.move_type, move.currency_id.is_zero(move.amount_total))
                for c in copies
                for move in c
            }
            self.assertEqual(
                copied_kinds,
                {("out_invoice", False), ("out_invoice", True), ("out_refund", False)},
                "invoices to pay, zero invoices and credit notes were copied",
            )
            clients = self.env["account.move"].concat(*copies).partner_id
            self.assertEqual(clients, self.client_a | self.client_b, "both clients' copies")
        self.assertGreaterEqual(sum(len(c) for c in copies), 6)
        copied, moves = self._snapshot(tickets)
        self.assertEqual(set(copied), set(orm))
        for key, value in orm.items():
            self.assertEqual(copied[key], value, f"{key} differs from the ORM's")
        # numbered without gaps in each sequence
        for prefix in set(moves.mapped("sequence_prefix")):
            numbers = sorted(
                moves.filtered(lambda m, p=prefix: m.sequence_prefix == p).mapped("sequence_number")
            )
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
        self._assert_books(tickets)

    def test_copies_pay_and_reverse(self):
        """A copied invoice is paid like any, in parts (the ticket paid on time) and a
        copied one reversed reopens its ticket; the books stay right after each step."""
        tickets = self._tickets()
        copies = self._settle_spied(tickets)
        invoices = (
            self.env["account.move"]
            .concat(*copies)
            .filtered(lambda m: m.move_type == "out_invoice" and m.amount_residual)
        )
        self.assertGreaterEqual(len(invoices), 2)
        paid, reversed_ = invoices[0], invoices[1]
        # paid in two parts: partly paid in between, the books right at each step
        self._pay_invoice(paid, amount=round(paid.amount_residual / 2, 2))
        self.assertEqual(paid.payment_state, "partial")
        self._assert_books(tickets)
        self._pay_invoice(paid)
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        self.assertTrue(paid.rsb_settlement_ticket_ids.rsb_paid_on_time)
        ticket = reversed_.rsb_settlement_ticket_ids
        reversal = reversed_._reverse_moves(cancel=True)
        self.assertEqual(reversal.state, "posted")
        self.assertFalse(ticket.rsb_settled, "the reversed settle-up reopens the ticket")
        self.assertEqual(reversed_.payment_state, "reversed")
        self._assert_books(tickets)

    def test_taxed_documents_made_by_the_orm(self):
        """Taxed time: no copy (tax amounts are not scaled from a prototype); the
        invoices carry their taxes."""
        tax = self.env["account.tax"].create(
            {"name": "RSB clone 15%", "amount": 15.0, "type_tax_use": "sale"}
        )
        self.product_hour.taxes_id = tax
        tickets = self._tickets()
        copies = self._settle_spied(tickets)
        invoices = tickets.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertFalse(
            any("out_invoice" in c.mapped("move_type") for c in copies if c),
            "taxed invoices: ORM",
        )
        self.assertTrue(all(invoices.mapped("amount_tax")))
        self._assert_books(tickets)
