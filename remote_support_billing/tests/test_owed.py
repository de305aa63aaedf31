"""What a client owes: one definition (credits netted, deposit requests excluded) everywhere."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestOwed(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]

    def _credit_note(self, partner, amount):
        move = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "journal_id": self.sale_journal.id,
                "invoice_date": self.TODAY - timedelta(days=5),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_hour.id,
                            "quantity": 1.0,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _deposit_request(self, partner, due):
        """An unpaid deposit request, due (and so 'late') on `due`."""
        with freeze_time(due):
            ticket = self._create_ticket(partner)
            ticket.action_rsb_request_deposit()
        deposit = ticket.rsb_deposit_move_id
        self.assertEqual(deposit.rsb_deposit_ticket_id, ticket)
        self.assertLess(deposit.invoice_date_due, self.TODAY)
        return deposit

    def _position(self, partner, **kw):
        return partner._rsb_get_receivable_position(self.company, self.TODAY, **kw).get(
            partner.id, self.Partner._rsb_empty_position()
        )

    # ------------------------------------------------------------------ the rule
    def test_position_nets_credits(self):
        self._create_invoice(self.client_a, 43.0, self.TODAY - timedelta(days=22))
        self._credit_note(self.client_a, 86.0)
        late = self._create_invoice(self.client_b, 100.0, self.TODAY - timedelta(days=10))
        self._create_invoice(self.client_b, 60.0, self.TODAY + timedelta(days=10))
        self._create_payment(self.client_b, 30.0)  # not applied to an invoice yet
        positions = (self.client_a | self.client_b)._rsb_get_receivable_position(
            self.company, self.TODAY
        )
        a, b = positions[self.client_a.id], positions[self.client_b.id]
        self.assertEqual((a["open"], a["overdue"], a["credit"], a["balance"]), (0, 0, 86, -43))
        self.assertEqual((b["open"], b["overdue"], b["credit"], b["balance"]), (130, 70, 30, 130))
        self.assertEqual((b["open_count"], b["oldest_due_date"]), (2, late.invoice_date_due))
        # contacts count for their company; the other company sees nothing
        contact = self.contact_a._rsb_get_receivable_position(self.company, self.TODAY)
        self.assertEqual(list(contact), [self.client_a.id])

    def _create_payment(self, partner, amount):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": self.TODAY - timedelta(days=1),
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        return payment

    def test_credit_netting_no_hold(self):
        """$86 credit note + $43 invoice 22 days late: owes 0, not dunned nor held; a hold
        already there is lifted."""
        late = self._create_invoice(self.client_a, 43.0, self.TODAY - timedelta(days=22))
        self._credit_note(self.client_a, 86.0)
        with freeze_time(self.TODAY):
            run = self._run()
        self.assertFalse(self._line(run, self.client_a), "nothing owed: not dunned")
        self.assertFalse(self.client_a.rsb_credit_hold)
        self.assertFalse(late.rsb_dunning_level_id)
        # put on hold before the credit note existed: the daily lift sees it owes nothing
        self.client_a.sudo().rsb_credit_hold = True
        with freeze_time(self.TODAY):
            self.Partner._rsb_lift_paid_credit_holds()
        self.assertFalse(self.client_a.rsb_credit_hold)

    def test_netting_partial_credit_still_holds(self):
        self._create_invoice(self.client_a, 300.0, self.TODAY - timedelta(days=22))
        self._credit_note(self.client_a, 86.0)
        with freeze_time(self.TODAY):
            run = self._run()
        self.assertTrue(self.client_a.rsb_credit_hold, "214 is still overdue")
        self.assertEqual(self._position(self.client_a)["overdue"], 214.0)
        self.assertTrue(self._line(run, self.client_a))

    # ------------------------------------------------------------------ deposit requests
    def test_deposit_request_never_owed(self):
        deposit = self._deposit_request(self.client_a, self.TODAY - timedelta(days=40))
        Move = self.env["account.move"]
        # the position and the invoice lists
        self.assertFalse(self.client_a._rsb_get_receivable_position(self.company, self.TODAY))
        owed = self.client_a._rsb_owed_invoice_domain(self.company, overdue_date=self.TODAY)
        self.assertFalse(Move.search(owed))
        # the dashboard
        with freeze_time(self.TODAY):
            dashboard = self.env.ref("remote_support_billing.rsb_receivables_dashboard_main")
            dashboard = dashboard.with_user(self.accountant)
            self.assertEqual((dashboard.amount_overdue, dashboard.overdue_count), (0.0, 0))
            self.assertNotIn(deposit, Move.search(dashboard.action_open_overdue()["domain"]))
            # the write-off proposal and a write-off forced on it
            action = self.client_a.with_user(self.accountant).action_rsb_writeoff()
            self.assertFalse(action["context"]["default_move_ids"])
            wizard = (
                self.env["rsb.dunning.writeoff.wizard"]
                .with_user(self.accountant)
                .create({"partner_id": self.client_a.id, "move_ids": [Command.set(deposit.ids)]})
            )
            with self.assertRaisesRegex(UserError, "deposit request"):
                wizard.action_confirm()
        self.assertEqual(deposit.payment_state, "not_paid")
        self.assertFalse(Move.search([("move_type", "=", "entry"), ("ref", "ilike", deposit.name)]))
        # the new payment plan
        with freeze_time(self.TODAY):
            plan_action = self.client_a.with_user(self.accountant).action_rsb_new_payment_plan()
        self.assertEqual(plan_action["context"]["default_invoice_ids"], [Command.set([])])
        # dunning and the hold lift
        with freeze_time(self.TODAY):
            run = self._run()
        self.assertFalse(self._line(run, self.client_a))
        self.client_a.sudo().rsb_credit_hold = True
        self.Partner._rsb_lift_paid_credit_holds()
        self.assertFalse(self.client_a.rsb_credit_hold, "an open deposit request keeps no hold")
        # the portal summary
        summary = self.client_a._rsb_owed_summary(self.company)
        self.assertEqual((summary["amount_open"], summary["invoices"]), (0.0, Move))
        # the aging report, the collections export and the DSO's receivables
        self.env.flush_all()
        aging = self.env["rsb.receivable.aging.report"].with_user(self.accountant)
        self.assertFalse(aging.search([("move_id", "=", deposit.id)]))
        export = (
            self.env["rsb.collections.export.wizard"]
            .with_user(self.accountant)
            .create({"partner_ids": [Command.set(self.client_a.ids)]})
        )
        with freeze_time(self.TODAY):
            self.assertEqual(export._rsb_rows(), [])
            dso = self.env["rsb.dso.wizard"].with_user(self.accountant).create({})
            dso.action_compute()
        self.assertEqual(dso.amount_receivable, 0.0)
        self.assertFalse(dso.line_ids.filtered(lambda line: line.partner_id == self.client_a))

    def test_deposit_request_partly_paid_not_a_receivable(self):
        """$50 paid of a $129 request: the DSO counts no receivable (the $79 still unpaid is
        not owed, the $50 is not a credit) and the aging report does not list it."""
        deposit = self._deposit_request(self.client_b, self.TODAY - timedelta(days=10))
        self._pay_invoice(deposit, amount=50.0)
        with freeze_time(self.TODAY):
            dso = self.env["rsb.dso.wizard"].with_user(self.accountant).create({})
            dso.action_compute()
        self.assertEqual(dso.amount_receivable, 0.0)
        self.env.flush_all()
        aging = self.env["rsb.receivable.aging.report"].with_user(self.accountant)
        self.assertFalse(aging.search([("move_id", "=", deposit.id)]))

    def test_credit_note_lifts_hold(self):
        """A client on hold for a $43 overdue invoice gets an $86 credit note: nothing is
        overdue any more (credits netted), the hold is lifted when the credit note is posted."""
        self._create_invoice(self.client_a, 43.0, self.TODAY - timedelta(days=22))
        with freeze_time(self.TODAY):
            self._run()
        self.assertTrue(self.client_a.rsb_credit_hold)
        with freeze_time(self.TODAY):
            self._credit_note(self.client_a, 86.0)
        self.assertFalse(self.client_a.rsb_credit_hold)
        self.assertIn("Credit hold lifted", self.client_a.message_ids[0].body)

    def test_unapplied_payment_too_small_keeps_hold(self):
        self._create_invoice(self.client_a, 300.0, self.TODAY - timedelta(days=22))
        with freeze_time(self.TODAY):
            self._run()
            self._create_payment(self.client_a, 100.0)
        self.assertTrue(self.client_a.rsb_credit_hold, "200 is still overdue")
        with freeze_time(self.TODAY):
            self._create_payment(self.client_a, 200.0)
        self.assertFalse(self.client_a.rsb_credit_hold, "payments not applied yet are netted")

    # ------------------------------------------------------------------ write-off
    def test_writeoff_entry(self):
        self.company.rsb_writeoff_method = "entry"  # the company's option (default: credit note)
        invoice = self._create_invoice(self.client_b, 120.0, self.TODAY - timedelta(days=50))
        self._pay_invoice(invoice, amount=20.0)
        refunds_before = self.env["account.move"].search_count([("move_type", "=", "out_refund")])
        with freeze_time(self.TODAY):
            action = self.client_b.with_user(self.accountant).action_rsb_writeoff()
            wizard = (
                self.env["rsb.dunning.writeoff.wizard"]
                .with_user(self.accountant)
                .with_context(**action["context"])
                .create({"reason": "Client closed"})
            )
            self.assertEqual((wizard.move_ids, wizard.amount), (invoice, 100.0))
            self.assertEqual(wizard.journal_id.type, "general")
            result = wizard.action_confirm()
        entry = self.env["account.move"].search(result["domain"])
        self.assertEqual(
            (entry.move_type, entry.state, entry.journal_id.type), ("entry", "posted", "general")
        )
        bad_debts = self.company.rsb_bad_debt_account_id
        self.assertEqual(
            {(line.account_id, line.debit, line.credit) for line in entry.line_ids},
            {(bad_debts, 100.0, 0.0), (self.receivable, 0.0, 100.0)},
        )
        self.assertEqual(entry.line_ids.partner_id, self.client_b)
        receivable = entry.line_ids.filtered(lambda line: line.account_id == self.receivable)
        self.assertTrue(receivable.reconciled)
        self.assertIn(invoice, receivable.matched_debit_ids.debit_move_id.move_id)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            refunds_before,
            "no credit note: nothing is sent to the client",
        )
        self.assertFalse(invoice.reversal_move_ids)
        self.assertFalse(self._position(self.client_b)["open"])
        with self.assertRaises(UserError):
            wizard.action_confirm()

    def test_trust_revoked_by_rule_and_dunning_through_one_method(self):
        """The daily rule and a dunning level both call `_rsb_revoke_trust`."""
        calls = []
        original = type(self.Partner)._rsb_revoke_trust

        def spy(partners, reason):
            calls.append((partners.commercial_partner_id, reason))
            return original(partners, reason)

        self.patch(type(self.Partner), "_rsb_revoke_trust", spy)
        self.client_trusted.mobile = False
        self._create_invoice(self.client_trusted, 200.0, self.TODAY - timedelta(days=40))
        self.company.rsb_trust_overdue_days = 15
        with freeze_time(self.TODAY):
            self.Partner._cron_rsb_trust_rules()
        self.assertEqual(calls[0][0], self.client_trusted)
        self.assertFalse(self.client_trusted.rsb_trusted)
        self.assertIn("overdue", self.client_trusted.rsb_trust_reason)
        # a credit covering the late invoice: the rule leaves a trusted client alone
        other = self.Partner.create({"name": "Covered", "is_company": True, "rsb_trusted": True})
        self._create_invoice(other, 50.0, self.TODAY - timedelta(days=40))
        self._credit_note(other, 50.0)
        with freeze_time(self.TODAY):
            self.Partner._cron_rsb_trust_rules()
        self.assertTrue(other.rsb_trusted)
        # a dunning level that revokes trust goes through the same method
        late_payer = self.Partner.create(
            {"name": "Late payer", "is_company": True, "rsb_trusted": True}
        )
        self._create_invoice(late_payer, 80.0, self.TODAY - timedelta(days=22))
        self.company.rsb_trust_overdue_days = 0  # the daily rule is off: only dunning acts
        with freeze_time(self.TODAY):
            self._run()
        self.assertEqual(calls[-1][0], late_payer)
        self.assertIn("dunning level", calls[-1][1])
        self.assertFalse(late_payer.rsb_trusted)
