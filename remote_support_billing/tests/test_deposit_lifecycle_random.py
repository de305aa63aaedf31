"""Random sequences of what staff and accountants do to a ticket's deposit (Hypothesis'
rule-based state machine), for a client in the company's currency or in EUR at a changing
rate, deposits taxed or not; after every step the books keep their invariants.

Rules include money paid on account (unapplied), instalment payment terms (half now, half in
30 days), and write-offs of what is left of a settle-up invoice (a credit note carrying its taxes,
or a journal entry); invariants include that what the addon says a client owes is their open
receivable in the books, and that what is overdue at a date is what fell due by then (per
instalment) less the client's credits, on every screen that lists it.
Examples per run: RSB_LIFECYCLE_EXAMPLES (default 12, derandomized so CI is repeatable);
`RSB_LIFECYCLE_EXAMPLES=300 make test PYTEST_ARGS="-k random"` for a larger, random run.
"""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase

EXAMPLES = int(os.environ.get("RSB_LIFECYCLE_EXAMPLES", "12"))


@tagged("post_install", "-at_install")
class TestDepositLifecycleRandom(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a client billed in EUR (the rate changes at random) and a 20 % tax on the time
        # (deposits taxed or not at random)
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.eur_rate = cls.env["res.currency.rate"].create(
            {
                "name": fields.Date.context_today(cls.env.user),
                "rate": 0.8,
                "currency_id": cls.eur.id,
                "company_id": cls.company.id,
            }
        )
        cls.client_b.property_product_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id}
        )
        vat = cls.env["account.account"].create(
            {"name": "VAT payable", "code": "251098", "account_type": "liability_current"}
        )
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create({"repartition_type": "tax", "account_id": vat.id}),
        ]
        cls.product_hour.taxes_id = cls.env["account.tax"].create(
            {
                "name": "VAT 20%",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )

        # half now, half in 30 days: the second instalment falls due later than the first
        cls.instalments = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                ],
            }
        )
        cls.bad_debts = cls.company._rsb_get_bad_debt_account()

    def _account_balance(self, account):
        self.env.flush_all()
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))

    def _assert_overdue_is_what_fell_due(self, client):
        """At a few dates ahead: the overdue figure (one method for every screen) is what fell
        due before that date, per receivable item (a late first instalment counts), less the
        client's open credits; the invoices listed as overdue are those with such an item."""
        self.env.flush_all()
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", client.id),
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        credits = -sum(line.amount_residual for line in lines if line.amount_residual < 0)
        today = fields.Date.context_today(self.env.user)
        for days in (1, 20, 45):
            date = today + timedelta(days=days)
            fell_due = lines.filtered(
                lambda line, date=date: line.amount_residual > 0
                and (line.date_maturity or line.date) < date
            )
            expected = max(
                self.currency.round(sum(fell_due.mapped("amount_residual")) - credits), 0
            )
            position = client._rsb_get_receivable_position(self.company, date).get(
                client.id, client._rsb_empty_position()
            )
            self.assertAlmostEqual(position["overdue"], expected, 2, f"overdue at {date}")
            listed = self.env["account.move"].search(
                client._rsb_owed_invoice_domain(self.company, overdue_date=date)
            )
            self.assertEqual(
                listed,
                fell_due.move_id.filtered(lambda m: m.move_type == "out_invoice"),
                f"invoices overdue at {date}",
            )

    def _assert_no_residue(self, ticket):
        """A ticket that holds nothing leaves nothing on Customer Deposits in the company's
        currency either (the exchange difference is booked)."""
        ticket.invalidate_recordset()
        if ticket.rsb_currency_id.is_zero(ticket.rsb_deposit_held):
            lines = self.env["account.move.line"].search(
                [("rsb_deposit_ticket_id", "=", ticket.id), ("parent_state", "=", "posted")]
            )
            residue = self.currency.round(sum(lines.mapped("balance")))
            self.assertAlmostEqual(residue, 0.0, msg=f"residue on Customer Deposits: {residue}")

    def test_random_lifecycle_keeps_the_books(self):  # pylint: disable=missing-return
        case = self

        class DepositMachine(RuleBasedStateMachine):
            def __init__(self):
                super().__init__()
                self.savepoint = case.env.cr.savepoint()
                self.savepoint.__enter__()
                case.env.invalidate_all()
                self.ticket = None

            @initialize(
                client=st.sampled_from(["company currency", "EUR"]),
                taxed=st.booleans(),
                minutes=st.sampled_from([0, 45, 125]),
                trusted=st.booleans(),
                instalments=st.booleans(),
            )
            def create_ticket(self, client, taxed, minutes, trusted, instalments):
                """A ticket, with time already logged (a technician who connected first) or
                not, of a client trusted or not, on instalment terms or not."""
                case.company.rsb_tax_deposits = taxed
                partner = case.client_b if client == "EUR" else case.client_a
                partner.write(
                    {
                        "rsb_trusted": trusted,
                        "rsb_trust_reason": "random" if trusted else False,
                        "property_payment_term_id": case.instalments.id if instalments else False,
                    }
                )
                self.ticket = case._create_ticket(partner, user_id=case.technician.id)
                if minutes:
                    case._log_time(self.ticket, minutes)

            def teardown(self):
                self.savepoint.close(rollback=True)
                case.env.invalidate_all()

            # ---------------------------------------------------------- helpers
            @property
            def state(self):
                self.ticket.invalidate_recordset()
                return self.ticket.rsb_deposit_state

            @property
            def fresh_ticket(self):
                """The ticket read afresh: a precondition must not see the cache of before
                the last step (a settle-up's documents, time logged)."""
                self.ticket.invalidate_recordset()
                return self.ticket

            @property
            def settlements(self):
                return self.fresh_ticket.rsb_settlement_move_ids

            def requests(self, **filters):
                moves = (
                    case.env["account.move.line"]
                    .search(
                        [
                            ("rsb_deposit_ticket_id", "=", self.ticket.id),
                            ("rsb_deposit_role", "=", "request"),
                            ("parent_state", "in", ("draft", "posted")),
                            ("move_id.move_type", "=", "out_invoice"),
                        ]
                    )
                    .move_id
                )
                return moves.filtered(lambda m: m.amount_residual > 0) if filters else moves

            # ---------------------------------------------------------- rules
            @precondition(lambda self: self.state in ("to_request", "cancelled"))
            @rule()
            def request(self):
                case._request(self.ticket)

            @precondition(lambda self: self.requests(open=True))
            @rule(part=st.sampled_from([None, 20.0, 50.0]))
            def pay(self, part):
                move = self.requests(open=True)[-1]
                if move == self.fresh_ticket.sudo().rsb_pay_now_move_id:
                    part = None  # a payment requested now is paid in full (or refused)
                amount = min(part, move.amount_residual) if part else None
                case._pay_invoice(move, amount=amount)

            # ---------------------------------------------------------- pay now
            @rule()
            def request_payment_now(self):
                """The technician asks for the time so far, during the session."""
                try:
                    with case.env.cr.savepoint():
                        self.ticket.with_user(case.technician).sudo()._rsb_request_payment_now(
                            send_email=False
                        )
                except UserError as error:
                    expected = (
                        "Nothing to pay now",
                        "already requested",
                        "already settled",
                        "not paid yet",
                        "no timesheets",
                    )
                    assert any(text in error.args[0] for text in expected), error.args[0]
                    case.env.invalidate_all()

            @precondition(lambda self: self.fresh_ticket.rsb_pay_now_state in ("pending", "failed"))
            @rule(outcome=st.sampled_from(["done", "twice", "error"]))
            def pay_now_online(self, outcome):
                """The client pays the link online (or pays it twice from two tabs, or the
                payment fails)."""
                move = self.ticket.sudo().rsb_pay_now_move_id
                Tx = case.env["payment.transaction"].sudo()
                txs = Tx
                for _i in range(2 if outcome == "twice" else 1):
                    txs |= case._demo_tx(move, Tx._compute_reference("demo"))
                for tx in txs:
                    state = "error" if outcome == "error" else "done"
                    Tx._handle_notification_data(
                        "demo", {"reference": tx.reference, "simulated_state": state}
                    )
                    if state == "done":
                        tx._post_process()
                case.env.invalidate_all()
                if outcome != "error":
                    assert self.fresh_ticket.rsb_pay_now_state == "paid"

            @precondition(lambda self: self.fresh_ticket.rsb_pay_now_state in ("pending", "failed"))
            @rule()
            def cancel_payment_now(self):
                self.ticket.with_user(case.technician).sudo()._rsb_cancel_payment_now("random")

            @precondition(lambda self: self.requests())
            @rule(cancel=st.booleans())
            def reverse_request(self, cancel):
                move = self.requests()[-1]
                if move.reversal_move_ids:
                    return
                try:
                    with case.env.cr.savepoint():
                        reversal = move._reverse_moves(cancel=cancel)
                        if reversal.state == "draft":
                            reversal.action_post()
                except UserError as error:
                    # a deposit applied or returned already is not given back twice
                    assert "than it holds" in error.args[0], error.args[0]
                    case.env.invalidate_all()

            @precondition(lambda self: bool(self.requests()))
            @rule()
            def retag_request(self):
                """An invoicing user moves the deposit item to another ticket: refused."""
                line = self.requests()[-1].line_ids.filtered("rsb_deposit_ticket_id")[:1]
                other = case._create_ticket(case.client_a)
                try:
                    with case.env.cr.savepoint():
                        line.with_user(case.accountant).rsb_deposit_ticket_id = other
                except UserError as error:
                    assert "deposit ledger" in error.args[0], error.args[0]
                    case.env.invalidate_all()
                else:
                    raise AssertionError("a deposit item was moved to another ticket")

            @precondition(lambda self: self.requests(open=True))
            @rule()
            def reset_and_cancel_unpaid_request(self):
                move = self.requests(open=True)[-1]
                if move.amount_residual != move.amount_total:
                    return  # partly paid: refused (reverse it)
                if move.state == "posted":
                    move.button_draft()
                move.button_cancel()  # an open request (a draft) is cancelled, booking nothing

            @precondition(lambda self: self.state in ("to_request", "requested"))
            @rule()
            def waive(self):
                self.ticket.with_user(case.helpdesk_manager)._rsb_waive_deposit("random")

            @precondition(lambda self: self.state in ("requested", "paid"))
            @rule()
            def cancel_session(self):
                self.ticket.with_user(case.helpdesk_manager)._rsb_cancel_session("random")

            @rule(minutes=st.sampled_from([4, 10, 45, 70, 125]))
            def log_time(self, minutes):
                case._log_time(self.ticket, minutes)

            @precondition(lambda self: self.fresh_ticket.sudo().timesheet_ids)
            @rule()
            def settle(self):
                try:
                    case._settle(self.ticket)
                except UserError as error:
                    message = error.args[0]
                    assert "not paid yet" in message or "booked when it is paid" in message, message

            @precondition(lambda self: self.settlements)
            @rule(cancel=st.booleans())
            def reverse_settlement(self, cancel):
                moves = self.settlements.filtered(
                    lambda m: m.state == "posted"
                    and not m.reversal_move_ids
                    and not m.reversed_entry_id
                )
                if moves:
                    reversal = moves[-1]._reverse_moves(cancel=cancel)
                    if reversal.state == "draft":
                        reversal.action_post()

            @precondition(lambda self: bool(self.settlements))
            @rule()
            def credit_part_of_settlement(self):
                """A goodwill credit note of $10 on a settle-up invoice: a price adjustment,
                the ticket stays as it was (settled, its time invoiced)."""
                invoices = self.settlements.filtered(
                    lambda m: m.move_type == "out_invoice"
                    and m.state == "posted"
                    and not m.reversed_entry_id
                    and not m.reversal_move_ids
                )
                if not invoices:
                    return
                invoice = invoices[-1]
                settled = self.ticket.rsb_settled
                credit_note = invoice._reverse_moves()
                lines = credit_note.invoice_line_ids.filtered(
                    lambda line: line.display_type == "product"
                )
                deposit = lines.filtered("rsb_deposit_ticket_id")
                time = lines - deposit
                credit_note.write(
                    {
                        "invoice_line_ids": [Command.delete(line.id) for line in deposit | time[1:]]
                        + [Command.update(time[0].id, {"quantity": 1, "price_unit": 10.0})]
                    }
                )
                credit_note.action_post()
                self.ticket.invalidate_recordset()
                if not invoice._rsb_is_full_reversal():
                    assert self.ticket.rsb_settled == settled

            @rule()
            def confirm_refunds(self):
                for payment in case.env["account.payment"].search(
                    [("state", "=", "draft"), ("payment_type", "=", "outbound")]
                ):
                    try:
                        with case.env.cr.savepoint():
                            payment.with_user(case.accountant).action_post()
                    except UserError as error:
                        # its credit note was reversed (the deposit is held again)
                        assert "no longer owes" in error.args[0], error.args[0]
                        case.env.invalidate_all()
                        payment.action_cancel()

            @rule(amount=st.sampled_from([25.0, 60.0]))
            def unapplied_payment(self, amount):
                """The client pays money on account, not matched to any invoice yet: the
                ticket's deposit figures do not move, the client's credit does."""
                payment = case.env["account.payment"].create(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": self.ticket.commercial_partner_id.id,
                        "amount": amount,
                        "journal_id": case.bank_journal.id,
                    }
                )
                payment.action_post()

            @rule(trusted=st.booleans())
            def trust_client(self, trusted):
                """A manager trusts the client (invoiced after the work, on their payment
                terms) or makes them prepay again (immediate payment)."""
                self.ticket.commercial_partner_id.with_user(case.helpdesk_manager).write(
                    {"rsb_trusted": trusted, "rsb_trust_reason": "random"}
                )

            @rule(instalments=st.booleans())
            def payment_terms(self, instalments):
                """The client's next invoices are due in two instalments, or at once (a client
                who prepays is invoiced for immediate payment whatever their terms)."""
                self.ticket.commercial_partner_id.property_payment_term_id = (
                    case.instalments if instalments else False
                )

            @precondition(lambda self: bool(self.settlements))
            @rule(method=st.sampled_from(["credit_note", "entry"]))
            def write_off(self, method):
                """The accountant writes off what is left of a settle-up invoice: the invoice
                is paid off, the time stays invoiced (a lost debt, not a reversal of the work);
                a credit note puts the untaxed part on bad debts and reverses the tax."""
                invoices = self.settlements.filtered(
                    lambda m: m.move_type == "out_invoice"
                    and m.state == "posted"
                    and m.payment_state in ("not_paid", "partial")
                )
                if not invoices:
                    return
                invoice = invoices[-1]
                residual = invoice.amount_residual
                residual_company = invoice.amount_residual_signed  # at the invoice's rate
                settled = self.ticket.rsb_settled
                bad_debts = case._account_balance(case.bad_debts)
                wizard = (
                    case.env["rsb.dunning.writeoff.wizard"]
                    .with_user(case.accountant)
                    .create(
                        {
                            "partner_id": invoice.commercial_partner_id.id,
                            "move_ids": [Command.set(invoice.ids)],
                            "method": method,
                            "reason": "random",
                        }
                    )
                )
                wizard.action_confirm()
                invoice.invalidate_recordset()
                self.ticket.invalidate_recordset()
                assert invoice.currency_id.is_zero(invoice.amount_residual), invoice.amount_residual
                assert self.ticket.rsb_settled == settled
                written = case._account_balance(case.bad_debts) - bad_debts
                if method == "entry":
                    # the receivable left, taxes included, at the rate it was booked at
                    expected = residual_company
                else:
                    # a credit note at the write-off's date (today's rate; the difference
                    # with the invoice's rate is an exchange difference, not a bad debt):
                    # the untaxed part on bad debts, the tax of the written-off part reversed
                    expected = invoice.currency_id._convert(
                        residual * invoice.amount_untaxed / invoice.amount_total,
                        case.company.currency_id,
                        case.company,
                        wizard.date,
                    )
                assert abs(written - expected) <= 0.02, (
                    method,
                    written,
                    expected,
                    invoice.currency_id.name,
                    invoice.invoice_line_ids.mapped(lambda line: (line.name, line.balance)),
                )

            @rule(policy=st.sampled_from(["refund", "credit"]))
            def change_policy(self, policy):
                case.company.rsb_unused_deposit_policy = policy

            @rule()
            def change_deposit_account(self):
                account = case.company._rsb_get_deposit_account()
                case.company.rsb_deposit_account_id = account.copy(
                    {"code": account.code[:4] + str(len(account.search([])) % 90 + 10)}
                )

            @rule(rate=st.sampled_from([0.7, 0.8, 0.9, 1.25]))
            def change_rate(self, rate):
                case.eur_rate.rate = rate

            @rule(taxed=st.booleans())
            def switch_tax_deposits(self, taxed):
                case.company.rsb_tax_deposits = taxed  # a deposit keeps its taxes

            @invariant()
            def books_hold(self):
                if self.ticket:
                    case._assert_books(self.ticket)
                    case._assert_no_residue(self.ticket)

            @invariant()
            def held_report_lists_what_the_ticket_holds(self):
                """The Deposits Held report lists the ticket's deposit while it holds money,
                and not once it was applied or returned (no deposit counted twice beside
                the credit note that returned it)."""
                if not self.ticket:
                    return
                case.env.flush_all()
                rows = case.env["rsb.deposit.held.report"].search(
                    [("ticket_id", "=", self.ticket.id), ("kind", "=", "deposit")]
                )
                holds = not self.ticket.rsb_currency_id.is_zero(self.ticket.rsb_deposit_available)
                assert bool(rows) == holds, (
                    rows.mapped("amount"),
                    self.ticket.rsb_deposit_available,
                )

            @invariant()
            def overdue_is_what_fell_due(self):
                if self.ticket:
                    case._assert_overdue_is_what_fell_due(self.ticket.commercial_partner_id)

            @invariant()
            def owed_equals_the_ledger(self):
                """What the addon says the client owes (one rule for every screen) is the
                client's open receivable in Odoo's books: no deposit request in it, nothing
                left out."""
                if not self.ticket:
                    return
                client = self.ticket.commercial_partner_id
                case.env.flush_all()
                position = client._rsb_get_receivable_position(case.company).get(
                    client.id, client._rsb_empty_position()
                )
                lines = case.env["account.move.line"].search(
                    [
                        ("partner_id", "child_of", client.id),
                        ("company_id", "=", case.company.id),
                        ("account_id.account_type", "=", "asset_receivable"),
                        ("parent_state", "=", "posted"),
                        ("reconciled", "=", False),
                    ]
                )
                ledger = case.company.currency_id.round(sum(lines.mapped("amount_residual")))
                assert case.company.currency_id.is_zero(position["balance"] - ledger), (
                    position,
                    ledger,
                )

        DepositMachine.TestCase.settings = settings(
            max_examples=EXAMPLES,
            stateful_step_count=14,
            deadline=None,
            database=None,
            derandomize=EXAMPLES <= 50,
            suppress_health_check=list(HealthCheck),
        )
        DepositMachine.TestCase("runTest").runTest()
