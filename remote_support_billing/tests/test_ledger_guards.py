"""The deposit ledger's tags (which ticket's deposit a journal item moves, and how) are written
by the addon's own methods only: a write, create, import or copy by anyone else is refused
with a clear message and changes nothing, while Odoo's reversals keep tagging what they move."""

from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase

REFUSED = "deposit ledger"


@tagged("post_install", "-at_install")
class TestLedgerGuards(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the attacker of issue 22: an invoicing user (the demo's helpdesk manager has it)
        cls.helpdesk_manager.groups_id |= cls.env.ref("account.group_account_invoice")

    @contextmanager
    def _refused(self):
        """The guard's UserError, in Odoo's savepoint (what the refused call wrote is rolled
        back, as the request's transaction is)."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertIn(REFUSED, str(caught.exception))

    def _paid_ticket(self, partner=None):
        ticket = self._create_ticket(partner or self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        return ticket, deposit

    def _deposit_line(self, move):
        return move.line_ids.filtered("rsb_deposit_ticket_id")

    def _snapshot(self, *tickets):
        self.env.flush_all()
        self.env.invalidate_all()
        return [
            (t.rsb_deposit_state, t.rsb_deposit_available, t.rsb_deposit_unpaid) for t in tickets
        ]

    # ------------------------------------------------------------------ N7: retag over RPC
    def test_retag_paid_deposit_to_another_ticket_refused(self):
        summit, deposit = self._paid_ticket(self.client_b)
        greenleaf = self._create_ticket(self.client_a)
        self._request(greenleaf)
        line = self._deposit_line(deposit)
        before = self._snapshot(summit, greenleaf)
        for user in (self.accountant, self.helpdesk_manager):
            with self._refused():
                line.with_user(user).write({"rsb_deposit_ticket_id": greenleaf.id})
            with self._refused():
                line.with_user(user).rsb_deposit_role = "return"
            # the move's own tag, and through the move's lines (the form's one2many: Odoo
            # refuses that on a posted move already)
            with self._refused():
                deposit.with_user(user).rsb_deposit_ticket_id = greenleaf
            with self.assertRaises(UserError):
                deposit.with_user(user).write(
                    {"line_ids": [Command.update(line.id, {"rsb_deposit_ticket_id": greenleaf.id})]}
                )
        self.assertEqual(line.rsb_deposit_ticket_id, summit)
        self.assertEqual(line.rsb_deposit_role, "request")
        self.assertEqual(deposit.rsb_deposit_ticket_id, summit)
        self.assertEqual(self._snapshot(summit, greenleaf), before)
        self.assertEqual(greenleaf.rsb_deposit_state, "requested", "not paid by Summit's money")
        self._assert_books(summit | greenleaf)

    def test_forged_context_key_does_not_open_the_guard(self):
        """An RPC caller can put any JSON value in the context: none opens the guard."""
        summit, deposit = self._paid_ticket(self.client_b)
        greenleaf = self._create_ticket(self.client_a)
        line = self._deposit_line(deposit)
        for forged in (True, 1, "1", {"x": 1}):
            with self._refused():
                line.with_user(self.accountant).with_context(rsb_ledger_write=forged).write(
                    {"rsb_deposit_ticket_id": greenleaf.id}
                )
        self.assertEqual(line.rsb_deposit_ticket_id, summit)

    def test_clearing_a_tag_refused(self):
        summit, deposit = self._paid_ticket()
        line = self._deposit_line(deposit)
        with self._refused():
            line.with_user(self.accountant).write({"rsb_deposit_ticket_id": False})
        self.assertEqual(line.rsb_deposit_ticket_id, summit)

    def test_unchanged_values_are_accepted(self):
        """A form or import that sends the tags as they are changes nothing: no error."""
        summit, deposit = self._paid_ticket()
        line = self._deposit_line(deposit)
        line.with_user(self.accountant).write(
            {"rsb_deposit_ticket_id": summit.id, "rsb_deposit_role": "request"}
        )
        deposit.with_user(self.accountant).write({"rsb_deposit_ticket_id": summit.id})
        self.assertEqual(line.rsb_deposit_ticket_id, summit)

    def test_create_tagged_document_refused(self):
        """A hand-made invoice whose line claims to be a ticket's deposit (or a move that
        claims to be its request) is refused: nothing is created."""
        ticket = self._create_ticket(self.client_a)
        Move = self.env["account.move"].with_user(self.accountant)
        count = Move.search_count([])
        line = {
            "name": "Deposit",
            "quantity": 1,
            "price_unit": 129.0,
            "account_id": self.deposit_account.id,
        }
        for values in (
            {"invoice_line_ids": [Command.create({**line, "rsb_deposit_ticket_id": ticket.id})]},
            {"invoice_line_ids": [Command.create({**line, "rsb_deposit_role": "apply"})]},
            {"invoice_line_ids": [Command.create(line)], "rsb_deposit_ticket_id": ticket.id},
        ):
            with self._refused():
                Move.create({"move_type": "out_invoice", "partner_id": self.client_a.id, **values})
        self.assertEqual(Move.search_count([]), count)
        # an untagged invoice (tags given empty, as a form sends them) is an invoice as usual
        Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [
                    Command.create(
                        {**line, "rsb_deposit_ticket_id": False, "rsb_deposit_role": False}
                    )
                ],
            }
        ).action_post()
        self.assertFalse(ticket.rsb_deposit_line_ids)

    def test_add_tagged_line_to_draft_invoice_refused(self):
        ticket = self._create_ticket(self.client_a)
        invoice = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.client_a.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Work", "quantity": 1, "price_unit": 100.0})
                    ],
                }
            )
        )
        with self._refused():
            invoice.write(
                {
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Deposit applied",
                                "quantity": 1,
                                "price_unit": -50.0,
                                "account_id": self.deposit_account.id,
                                "rsb_deposit_ticket_id": ticket.id,
                                "rsb_deposit_role": "apply",
                            }
                        )
                    ]
                }
            )
        self.assertEqual(len(invoice.invoice_line_ids), 1)

    def test_import_refused(self):
        summit, deposit = self._paid_ticket(self.client_b)
        greenleaf = self._create_ticket(self.client_a)
        line = self._deposit_line(deposit)
        result = (
            self.env["account.move.line"]
            .with_user(self.accountant)
            .load([".id", "rsb_deposit_ticket_id/.id"], [[str(line.id), str(greenleaf.id)]])
        )
        self.assertFalse(result["ids"])
        self.assertIn(REFUSED, " ".join(m["message"] for m in result["messages"]))
        self.assertEqual(line.rsb_deposit_ticket_id, summit)

    def test_copy_carries_no_tags(self):
        """A duplicate is no deposit of the ticket; asking Odoo to copy the business fields
        (a context any RPC caller can send) does not make it one either."""
        ticket, deposit = self._paid_ticket()
        copy = deposit.with_user(self.accountant).copy()
        self.assertFalse(copy.rsb_deposit_ticket_id)
        self.assertFalse(copy.line_ids.filtered("rsb_deposit_ticket_id"))
        with self._refused():
            deposit.with_user(self.accountant).with_context(include_business_fields=True).copy()
        self.assertEqual(ticket.rsb_deposit_line_ids.move_id, deposit)

    # ------------------------------------------------------------------ Odoo's flows
    def test_reversal_tags_what_it_moves(self):
        """Odoo's reversal (the accountant's Reverse button, draft or cancelling) moves the
        same ticket's deposit back: its items carry the ticket and the role."""
        ticket, deposit = self._paid_ticket()
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=deposit.ids)
            .create({"journal_id": deposit.journal_id.id, "reason": "Client changed their mind"})
        )
        wizard.reverse_moves()
        reversal = deposit.reversal_move_ids
        self.assertEqual(reversal.state, "draft")
        tagged = self._deposit_line(reversal)
        self.assertEqual(tagged.rsb_deposit_ticket_id, ticket)
        self.assertEqual(tagged.rsb_deposit_role, "request")
        reversal.with_user(self.accountant).action_post()
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0)
        self._assert_books(ticket)

    def test_open_request_is_amended_not_reversed(self):
        """An open request is a draft: nothing was booked, so Odoo has nothing to reverse. The
        accountant who wants another amount edits the draft; its line stays the same ticket's
        request, and the client pays the new amount."""
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        self.assertEqual(deposit.state, "draft")
        with self.assertRaises(UserError):
            self.env["account.move.reversal"].with_user(self.accountant).with_context(
                active_model="account.move", active_ids=deposit.ids
            ).create({"journal_id": deposit.journal_id.id, "reason": "Wrong amount"})
        line = self._deposit_line(deposit)
        deposit.with_user(self.accountant).write(
            {"line_ids": [Command.update(line.id, {"price_unit": 150.0})]}
        )
        self.assertEqual(self._deposit_line(deposit).rsb_deposit_ticket_id, ticket)
        self.assertEqual(self._deposit_line(deposit).rsb_deposit_role, "request")
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 150.0)
        self._pay_invoice(deposit)
        self.assertEqual(deposit.state, "posted")
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertAlmostEqual(ticket.rsb_deposit_available, 150.0)
        self._assert_books(ticket)
