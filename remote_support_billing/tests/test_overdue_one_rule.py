"""One "overdue" for every screen (issue 21, items 3, 4 and 6): what is overdue is read per
receivable item (an instalment is due on its own date), net of the client's open credits;
dunning, its fees and interest, trust revocation, the aging report and the dashboard all
read it from `res.partner._rsb_open_items_sql`."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .. import billing_math
from .dunning_common import RSBDunningCommon


def test_interest_on_balance_day_by_day():
    """$1,000 due, $400 paid 10 days late, interest charged at 30 days at 12 %: the $400
    bears 10 days, the $600 left 30 days."""
    due = date(2026, 1, 1)
    items = [(due, 600, [(due + timedelta(days=10), 400)])]
    assert billing_math.interest_on_balance(
        items, "0.12", due + timedelta(days=30)
    ) == billing_math.to_decimal("7.23")
    # a payment before the due date (or before the day interest was charged until) bears
    # nothing; a payment after the charging date counts until then only
    items = [(due, 600, [(due - timedelta(days=3), 100), (due + timedelta(days=40), 300)])]
    assert billing_math.interest_on_balance(
        items, "0.12", due + timedelta(days=30), charged_until=due + timedelta(days=5)
    ) == billing_math.to_decimal("7.40")  # (600 + 300) x 25 days
    # the instalments each from their own due date
    items = [(due, 500, []), (due + timedelta(days=20), 500, [])]
    assert billing_math.interest_on_balance(
        items, "0.12", due + timedelta(days=30)
    ) == billing_math.to_decimal("6.58")  # 500 x 30 + 500 x 10 days


@tagged("post_install", "-at_install")
class TestOverdueOneRule(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.term_2 = cls.env["account.payment.term"].create(
            {
                "name": "Half at 10 days, half at 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 10}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 60}),
                ],
            }
        )
        # only the levels a test sets charge anything
        cls.levels.write({"fee_type": "none"})

    def _payment(self, partner, amount, day):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": day,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        return payment

    def _apply(self, payment, invoice):
        lines = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        lines.reconcile()

    def _instalment_invoice(self, partner, amount, invoice_date):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": self.sale_journal.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": self.term_2.id,
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

    # ------------------------------------------------------------------ item 3: net of credits
    def test_unapplied_payment_reduces_reminder_and_fee_base(self):
        """$500 invoice 25 days overdue, $200 payment not applied yet: reminded of $300,
        the fee computed on $300."""
        level = self.level_by_days[21]  # the highest level reached at 25 days
        level.write({"fee_type": "percent", "fee_percent": 10.0, "fee_min": 0.0, "fee_max": 0.0})
        invoice = self._create_invoice(self.client_a, 500.0, self.TODAY - timedelta(days=25))
        self._payment(self.client_a, 200.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        line = self._line(run, self.client_a)
        self.assertEqual(line.amount_due, 300.0, "the $200 payment is netted")
        self.assertEqual(line.fee_amount, 30.0, "10 % of $300, not of $500")
        self.assertEqual(line.move_ids, invoice)
        run.action_execute()
        fee = self.env["rsb.dunning.fee"].search([("move_id", "=", invoice.id)])
        self.assertEqual((fee.base_amount, fee.amount), (300.0, 30.0))
        history = self.env["rsb.dunning.history"].search([("move_id", "=", invoice.id)])
        self.assertEqual(set(history.mapped("amount_residual")), {300.0})
        self.assertEqual(self._position(self.client_a)["overdue"], 300.0)

    def test_credits_allocated_to_the_oldest_debt_first(self):
        """Two late invoices and a credit note larger than the oldest: the oldest is covered
        (not dunned), the other is reminded of what is left of the credit."""
        old = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=40))
        newer = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=10))
        self._payment(self.client_a, 150.0, self.TODAY - timedelta(days=1))
        run = self._run(execute=False)
        line = self._line(run, self.client_a)
        self.assertEqual(line.move_ids, newer, "the old invoice is covered by the payment")
        self.assertNotIn(old, line.move_ids)
        self.assertEqual(line.amount_due, 50.0)
        self.assertEqual(line.level_id, self.level_by_days[7], "the newer invoice's level")

    def test_credit_netted_in_the_invoice_currency(self):
        """A EUR invoice (2 EUR per unit of the company's currency) of EUR 500 = 250, 25
        days late, and a payment of 100 in the company's currency not applied yet: reminded
        of 150 (company currency), the fee is computed on EUR 300."""
        eur = self.env.ref("base.EUR")
        self.assertNotEqual(self.currency, eur, "the test company's currency is not EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": "2026-01-01",
                "rate": 2.0,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        self.level_by_days[21].write({"fee_type": "percent", "fee_percent": 10.0, "fee_min": 0.0})
        invoice = self._create_invoice(
            self.client_a, 500.0, self.TODAY - timedelta(days=25), post=False
        )
        invoice.currency_id = eur
        invoice.action_post()
        invoice.invoice_date_due = self.TODAY - timedelta(days=25)
        self.assertEqual(invoice.amount_residual_signed, 250.0)
        self._payment(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        line = self._line(run, self.client_a)
        self.assertEqual((line.amount_due, line.fee_amount), (150.0, 15.0))
        run.action_execute()
        fee = self.env["rsb.dunning.fee"].search([("move_id", "=", invoice.id)])
        self.assertEqual((fee.currency_id, fee.base_amount, fee.amount), (eur, 300.0, 30.0))

    def _position(self, partner, day=None):
        return partner._rsb_get_receivable_position(self.company, day or self.TODAY).get(
            partner.id, self.Partner._rsb_empty_position()
        )

    # ------------------------------------------------------------------ item 3: interest
    def _interest_level(self):
        level = self.level_by_days[30]
        level.write({"fee_type": "interest", "fee_interest_rate": 12.0, "fee_min": 0.0})
        return level

    def test_interest_stops_on_what_a_partial_payment_paid_from_its_date(self):
        """$1,000 due 30 days ago, $400 paid (and applied) 10 days after the due date: 12 %
        interest on $1,000 for 10 days and $600 for 20 days = 7.23 (today's residual for
        every day would be 5.92)."""
        self._interest_level()
        due = self.TODAY - timedelta(days=30)
        invoice = self._create_invoice(self.client_a, 1000.0, due)
        self._apply(self._payment(self.client_a, 400.0, due + timedelta(days=10)), invoice)
        self.assertEqual(invoice.amount_residual, 600.0)
        run = self._run(execute=False)
        self.assertEqual(self._line(run, self.client_a).fee_amount, 7.23)
        run.action_execute()
        fee = self.env["rsb.dunning.fee"].search([("move_id", "=", invoice.id)])
        self.assertEqual((fee.amount, fee.base_amount), (7.23, 600.0))
        self.assertEqual((fee.interest_from, fee.interest_until), (due, self.TODAY))

    def test_interest_on_unapplied_payment_from_its_date(self):
        """The same $400 paid on the same day but not applied to the invoice: the same
        7.23 (an open credit stops interest from its date too)."""
        self._interest_level()
        due = self.TODAY - timedelta(days=30)
        invoice = self._create_invoice(self.client_b, 1000.0, due)
        self._payment(self.client_b, 400.0, due + timedelta(days=10))
        self.assertEqual(invoice.amount_residual, 1000.0)
        run = self._run(execute=False)
        line = self._line(run, self.client_b)
        self.assertEqual((line.amount_due, line.fee_amount), (600.0, 7.23))

    # ------------------------------------------------------------------ item 4: instalments
    def test_late_first_instalment_is_dunned_and_revokes_trust(self):
        """$1,000 on a two-instalment term: the first $500 is 20 days late, the second is
        due in 30 days (Odoo's invoice_date_due). Dunned for the first instalment only, at
        the level of its 20 days; the trust rule (15 days) revokes trust."""
        invoice = self._instalment_invoice(
            self.client_trusted, 1000.0, self.TODAY - timedelta(days=30)
        )
        self.assertEqual(invoice.invoice_date_due, self.TODAY + timedelta(days=30))
        self.assertEqual(
            sorted(invoice.line_ids.filtered("date_maturity").mapped("date_maturity")),
            [self.TODAY - timedelta(days=20), self.TODAY + timedelta(days=30)],
        )
        # the daily trust rule, before any dunning
        self.company.rsb_trust_overdue_days = 15
        with freeze_time(self.TODAY):
            revoked = self.Partner._rsb_revoke_trust_overdue(self.company)
        self.assertEqual(revoked, self.client_trusted)
        self.assertFalse(self.client_trusted.rsb_trusted)
        self.assertIn(invoice.name, self.client_trusted.rsb_trust_reason)
        self.assertIn("20 days", self.client_trusted.rsb_trust_reason)
        # the owed lists see it as overdue
        owed = self.Partner._rsb_owed_invoice_domain(self.company, overdue_date=self.TODAY)
        self.assertIn(invoice, self.env["account.move"].search(owed))
        # dunning: the first instalment only
        run = self._run(execute=False)
        line = self._line(run, self.client_trusted)
        self.assertEqual(line.move_ids, invoice)
        self.assertEqual(line.amount_due, 500.0)
        self.assertEqual(line.days_late, 20)
        self.assertEqual(line.level_id, self.level_by_days[14])
        self.assertEqual(self._position(self.client_trusted)["overdue"], 500.0)

    def test_instalments_not_due_are_not_overdue(self):
        """A two-instalment invoice of 5 days ago: nothing is late, nobody dunned nor revoked."""
        self._instalment_invoice(self.client_trusted, 1000.0, self.TODAY - timedelta(days=5))
        self.company.rsb_trust_overdue_days = 1
        with freeze_time(self.TODAY):
            self.assertFalse(self.Partner._rsb_revoke_trust_overdue(self.company))
        self.assertTrue(self.client_trusted.rsb_trusted)
        run = self._run(execute=False)
        self.assertFalse(self._line(run, self.client_trusted))

    def test_credit_hold_placed_and_lifted_on_the_same_rule(self):
        """A hold placed by dunning for a late first instalment is lifted once that
        instalment is paid, though the second one is still open (not due)."""
        invoice = self._instalment_invoice(self.client_a, 1000.0, self.TODAY - timedelta(days=40))
        with freeze_time(self.TODAY):
            self._run()
        self.assertTrue(self.client_a.rsb_credit_hold, "the first instalment is 30 days late")
        self._apply(self._payment(self.client_a, 500.0, self.TODAY), invoice)
        self.assertEqual(invoice.amount_residual, 500.0)
        with freeze_time(self.TODAY):
            self.Partner._rsb_lift_paid_credit_holds(self.company)
        self.assertFalse(self.client_a.rsb_credit_hold)

    # ------------------------------------------------------------------ item 6: one figure
    def test_dashboard_aging_report_and_plan_tie_out(self):
        """The same data seen by the dashboard (Overdue and its aging chart), the Aging
        report and the dunning plan: one figure."""
        self._create_invoice(self.client_a, 500.0, self.TODAY - timedelta(days=25))
        self._payment(self.client_a, 200.0, self.TODAY - timedelta(days=2))
        self._instalment_invoice(self.client_b, 1000.0, self.TODAY - timedelta(days=30))
        self._create_invoice(self.client_b, 80.5, self.TODAY - timedelta(days=70))
        self._create_invoice(self.client_b, 40.0, self.TODAY + timedelta(days=20))  # not due
        covered = self.Partner.create({"name": "Covered", "is_company": True})
        self._create_invoice(covered, 50.0, self.TODAY - timedelta(days=40))
        self._payment(covered, 75.0, self.TODAY - timedelta(days=3))  # $25 credit left
        run = self._run(execute=False)
        plan_total = sum(run.line_ids.mapped("amount_due"))
        # 300 (a) + 500 + 80.50 (b); the covered client owes nothing
        self.assertEqual(plan_total, 880.5)
        self.assertEqual(run.line_ids.partner_id, self.client_a | self.client_b)
        with freeze_time(self.TODAY):
            self.env.flush_all()
            dashboard = self.env.ref(
                "remote_support_billing.rsb_receivables_dashboard_main"
            ).with_user(self.accountant)
            report = self.env["rsb.receivable.aging.report"].with_user(self.accountant)
            rows = report.search([("company_id", "=", self.company.id)])
            self.assertEqual(dashboard.amount_overdue, plan_total)
            self.assertAlmostEqual(sum(rows.mapped("amount_overdue")), plan_total, places=2)
            # the chart's buckets are the report's
            chart = dict(dashboard._rsb_aging_rows())
            fnames = ["amount_current", "amount_1_30", "amount_31_60", "amount_61_90"]
            fnames.append("amount_90_plus")
            self.assertEqual(
                [round(amount, 2) for amount in chart.values()],
                [round(sum(rows.mapped(fname)), 2) for fname in fnames],
            )
            # what is owed in all: open items less credits, as the position's balances
            positions = self.Partner._rsb_get_receivable_position(self.company, self.TODAY)
            self.assertAlmostEqual(
                sum(chart.values()),
                sum(position["balance"] for position in positions.values()),
                places=2,
            )
            # each instalment is a row aged on its own date
            b_rows = rows.filtered(lambda r: r.partner_id == self.client_b)
            self.assertEqual(
                sorted(b_rows.mapped("days_overdue")), [0, 0, 20, 70], "two instalments"
            )
