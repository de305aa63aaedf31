"""Reversals of the documents a ticket relies on, as an accountant makes them: a deposit that a
settle-up already applied cannot be given back a second time (issue 22, N8); a partial credit
note of a settle-up invoice is a price adjustment that leaves the ticket settled, only a full
reversal releases its time (issue 21, item 2)."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestReversalGuards(LifecycleCase):
    def _paid_ticket(self, partner=None):
        ticket = self._create_ticket(partner or self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        return ticket, deposit

    def _figures(self, ticket):
        self.env.flush_all()
        ticket.invalidate_recordset()
        return {
            name: ticket[f"rsb_deposit_{name}"]
            for name in ("received", "applied", "returned", "available", "unpaid")
        }

    def _reverse_wizard(self, moves, **vals):
        return (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"journal_id": moves[:1].journal_id.id, "reason": "Correction", **vals})
        )

    def _invoice(self, ticket):
        return ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")

    # ------------------------------------------------------------------ N8
    def test_reversing_an_applied_deposit_refused(self):
        """$129 deposit, 70 minutes settled: $107.50 applied, $21.50 returned. Reversing the
        deposit would give the client $129 more (returned $150.50 of $129 paid)."""
        ticket, deposit = self._paid_ticket()
        self._log_time(ticket, 70)
        self._settle(ticket)
        before = self._figures(ticket)
        self.assertAlmostEqual(before["applied"], 107.50)
        self.assertAlmostEqual(before["returned"], 21.50)
        moves_before = self.env["account.move"].search_count([])
        for cancel in (False, True):
            with self.assertRaises(UserError) as caught:
                reversal = deposit._reverse_moves(cancel=cancel)
                reversal.action_post()
            self.assertIn("was applied on its settle-up", str(caught.exception))
        # the accountant's Reverse button, both ways
        for method in ("refund_moves", "modify_moves"):
            with self.assertRaises(UserError):
                wizard = self._reverse_wizard(deposit)
                action = getattr(wizard, method)()
                self.env["account.move"].browse(action.get("res_id")).filtered(
                    lambda m: m.state == "draft"
                ).action_post()
        self.assertEqual(self._figures(ticket), before)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(deposit.payment_state, "paid")
        self._assert_books(ticket)

    def test_reversing_an_unapplied_paid_deposit_still_allowed(self):
        """Before any settle-up the deposit is held: its reversal returns it once, as the
        client's credit (Odoo's contract for the reversal unchanged)."""
        ticket, deposit = self._paid_ticket()
        self._reverse_wizard(deposit).refund_moves()
        deposit.reversal_move_ids.action_post()
        figures = self._figures(ticket)
        self.assertAlmostEqual(figures["returned"], 129.0)
        self.assertAlmostEqual(figures["available"], 0.0)
        self._assert_books(ticket)

    def test_deposit_reversible_once_the_settle_up_is_reversed(self):
        """Reverse the settle-up invoice and the credit note of the unused deposit first:
        the ticket holds its deposit again, which may then be given back (once)."""
        ticket, deposit = self._paid_ticket()
        self._log_time(ticket, 70)
        self._settle(ticket)
        documents = ticket.rsb_settlement_move_ids
        documents._reverse_moves(cancel=True)
        self.assertAlmostEqual(self._figures(ticket)["available"], 129.0)
        deposit._reverse_moves().action_post()
        figures = self._figures(ticket)
        self.assertAlmostEqual(figures["available"], 0.0)
        self.assertAlmostEqual(figures["received"], 129.0)
        self.assertAlmostEqual(figures["returned"], 129.0, msg="returned once")
        self._assert_books(ticket)

    # ------------------------------------------------------------------ issue 21, item 2
    def _settled_344(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        line = self._log_time(ticket, 240)
        self._settle(ticket)
        invoice = self._invoice(ticket)
        self.assertAlmostEqual(invoice.amount_total, 344.0)
        return ticket, line, invoice

    def _credit_note(self, invoice, amount):
        """Reverse (draft credit note), the amount edited, posted: as in the invoice form."""
        self._reverse_wizard(invoice).refund_moves()
        credit_note = invoice.reversal_move_ids.filtered(lambda m: m.state == "draft")
        time_line = credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        credit_note.with_user(self.accountant).write(
            {
                "invoice_line_ids": [
                    Command.update(time_line[0].id, {"quantity": 1, "price_unit": amount})
                ]
                + [Command.delete(line.id) for line in time_line[1:]]
            }
        )
        self.assertAlmostEqual(credit_note.amount_total, amount)
        credit_note.with_user(self.accountant).action_post()
        return credit_note

    def test_partial_credit_note_leaves_the_ticket_settled(self):
        ticket, line, invoice = self._settled_344()
        credit_note = self._credit_note(invoice, 50.0)
        self.assertTrue(ticket.rsb_settled, "a price adjustment, not a reopening")
        self.assertEqual(line.rsb_settlement_move_id, invoice)
        self.assertTrue(line._rsb_filter_settled(), "the time stays invoiced (locked)")
        self.assertFalse(invoice._rsb_is_full_reversal())
        self.assertIn(credit_note, ticket.rsb_settlement_move_ids)
        note = ticket.message_ids.filtered(lambda m: "price adjustment" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(credit_note.name, note.body)
        with self.assertRaises(UserError):
            line.with_user(self.technician).unit_amount = 5.0
        # settle up again: nothing billed twice
        self._settle(ticket)
        self.assertEqual(self._invoice(ticket), invoice)
        self.assertEqual(ticket.rsb_billed_amount, 294.0)
        billed = sum(
            self.env["account.move"]
            .search([("partner_id", "=", self.client_trusted.id), ("state", "=", "posted")])
            .mapped("amount_total_signed")
        )
        self.assertAlmostEqual(billed, 344.0 - 50.0)

    def test_credit_notes_that_add_up_to_the_invoice_reopen_it(self):
        ticket, line, invoice = self._settled_344()
        self._credit_note(invoice, 300.0)
        self.assertTrue(ticket.rsb_settled)
        self._credit_note(invoice, 44.0)
        self.assertTrue(invoice._rsb_is_full_reversal())
        self.assertFalse(ticket.rsb_settled, "reversed in full: the time is released")
        self.assertFalse(line._rsb_filter_settled())
        self._settle(ticket)
        self.assertAlmostEqual((self._invoice(ticket) - invoice).amount_total, 344.0)

    def test_full_reversal_reopens(self):
        ticket, line, invoice = self._settled_344()
        self._reverse_wizard(invoice).refund_moves()
        # posted by an accountant who cannot read helpdesk tickets: the ticket follows
        invoice.reversal_move_ids.with_user(self.accountant).action_post()
        self.assertTrue(invoice._rsb_is_full_reversal())
        self.assertFalse(ticket.rsb_settled)
        self.assertFalse(line._rsb_filter_settled())

    def test_partial_credit_note_with_deposit_covered_invoice(self):
        """An invoice the deposit covers entirely totals $0: a $50 credit note of its time is
        still a partial one (the time it credits, not the total, is compared)."""
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        self._log_time(ticket, 90)  # 1.5 h = $129: all of the deposit
        self._settle(ticket)
        invoice = self._invoice(ticket)
        self.assertAlmostEqual(invoice.amount_total, 0.0)
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "reversed_entry_id": invoice.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goodwill", "quantity": 1, "price_unit": 50.0})
                ],
            }
        )
        credit_note.action_post()
        self.assertFalse(invoice._rsb_is_full_reversal())
        self.assertTrue(ticket.rsb_settled)

    def test_partial_credit_note_cannot_give_the_deposit_back(self):
        """A price adjustment adjusts the price: the deposit applied on the invoice stays
        applied (giving it back leaves a settled ticket holding a deposit)."""
        ticket, _deposit = self._paid_ticket()
        self._log_time(ticket, 240)
        self._settle(ticket)
        invoice = self._invoice(ticket)
        self._reverse_wizard(invoice).refund_moves()
        credit_note = invoice.reversal_move_ids
        time_line = credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and not line.rsb_deposit_ticket_id
        )
        credit_note.write(
            {
                "invoice_line_ids": [
                    Command.update(time_line.id, {"price_unit": 200.0, "quantity": 1})
                ]
            }
        )
        before = self._figures(ticket)
        with self.assertRaises(UserError) as caught:
            credit_note.action_post()
        self.assertIn("price adjustment", str(caught.exception))
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(self._figures(ticket), before)
        self.assertTrue(ticket.rsb_settled)

    # ------------------------------------------------------------------ N10
    def test_refund_of_a_reversed_credit_note_cannot_be_confirmed(self):
        """Cancel Session prepares a draft refund of the $129 paid; the accountant reverses
        its credit note (the deposit is held again). Confirming the draft refund now would
        send $129 that nobody owes, and a second Cancel Session would send $129 more."""
        self.company.rsb_unused_deposit_policy = "refund"
        ticket, _deposit = self._paid_ticket()
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        Payment = self.env["account.payment"]
        refunds = [("payment_type", "=", "outbound"), ("partner_id", "=", self.client_a.id)]
        payment = Payment.search(refunds)
        self.assertEqual(payment.state, "draft")
        credit_note = payment.invoice_ids
        self._reverse_wizard(credit_note).refund_moves()
        credit_note.reversal_move_ids.with_user(self.accountant).action_post()
        self.assertAlmostEqual(self._figures(ticket)["available"], 129.0, msg="held again")
        with self.assertRaises(UserError) as caught:
            payment.with_user(self.accountant).action_post()
        self.assertIn("no longer owes the client", str(caught.exception))
        self.assertEqual(payment.state, "draft")
        payment.with_user(self.accountant).action_cancel()
        # the session cancelled again: refunded once in all
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        second = Payment.search(refunds) - payment
        second.with_user(self.accountant).action_post()
        sent = sum(
            Payment.search(refunds + [("state", "not in", ("draft", "canceled"))]).mapped("amount")
        )
        self.assertAlmostEqual(sent, 129.0)
        self._assert_books(ticket)

    def test_refund_of_a_credit_note_used_elsewhere_cannot_be_confirmed(self):
        """The credit note of the refund was applied to another invoice meanwhile: the
        client has had the money; the refund is refused."""
        self.company.rsb_unused_deposit_policy = "refund"
        ticket, _deposit = self._paid_ticket()
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        payment = self.env["account.payment"].search(
            [("payment_type", "=", "outbound"), ("partner_id", "=", self.client_a.id)]
        )
        credit_note = payment.invoice_ids
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [
                    Command.create({"name": "Other work", "quantity": 1, "price_unit": 200.0})
                ],
            }
        )
        invoice.action_post()
        (invoice | credit_note).line_ids.filtered(
            lambda line: line.account_id == self.receivable and not line.reconciled
        ).reconcile()
        self.assertEqual(credit_note.payment_state, "paid")
        with self.assertRaises(UserError):
            payment.with_user(self.accountant).action_post()
        self.assertEqual(payment.state, "draft")

    # ------------------------------------------------------------------ Deposits Held
    def test_deposits_held_follow_a_partial_credit_note_of_the_request(self):
        """$129 paid, $29 of it given back by a credit note of the request: the ticket holds
        $100 and the report says so (fully reversed: nothing; untouched: all it was paid)."""
        ticket, deposit = self._paid_ticket()
        Report = self.env["rsb.deposit.held.report"]

        def held():
            self.env.flush_all()
            Report.invalidate_model()
            return sum(
                Report.search([("kind", "=", "deposit"), ("move_id", "=", deposit.id)]).mapped(
                    "amount"
                )
            )

        self.assertAlmostEqual(held(), 129.0)
        self._reverse_wizard(deposit).refund_moves()
        credit_note = deposit.reversal_move_ids
        line = credit_note.invoice_line_ids.filtered("rsb_deposit_ticket_id")
        credit_note.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": 29.0})]})
        credit_note.action_post()
        self.assertAlmostEqual(self._figures(ticket)["available"], 100.0)
        self.assertAlmostEqual(held(), 100.0)
        self._reverse_wizard(deposit).refund_moves()
        rest = deposit.reversal_move_ids - credit_note
        rest_line = rest.invoice_line_ids.filtered("rsb_deposit_ticket_id")
        rest.write({"invoice_line_ids": [Command.update(rest_line.id, {"price_unit": 100.0})]})
        rest.action_post()
        self.assertAlmostEqual(self._figures(ticket)["available"], 0.0)
        self.assertAlmostEqual(held(), 0.0)
        self._assert_books(ticket)
