from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_receivables import RSBReceivablesCommon


def _by(groups):
    """{(partner, key): amount} from a _read_group result."""
    return {(partner, key): amount for partner, key, amount in groups}


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestAgingReport(RSBReceivablesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._create_invoice
        cls.a_current = inv(cls.client_a, 100.0, "2026-06-01", "2026-06-30")  # due today
        cls.a_30 = inv(cls.client_a, 200.0, "2026-05-01", "2026-05-31")  # 30 days
        cls.a_31 = inv(cls.client_a, 300.0, "2026-04-30", "2026-05-30")  # 31 days
        cls.a_90 = inv(cls.client_a, 400.0, "2026-03-01", "2026-04-01")  # 90 days
        cls.a_91 = inv(cls.client_a, 500.0, "2026-03-01", "2026-03-31")  # 91 days
        cls.a_refund = inv(cls.client_a, 50.0, "2026-06-15", move_type="out_refund")
        cls.b_1 = inv(cls.client_b, 1000.0, "2026-06-01", "2026-06-29")  # 1 day
        cls._reconcile(cls._create_payment(cls.client_b, 250.0, "2026-06-20"), cls.b_1)
        b_paid = inv(cls.client_b, 80.0, "2026-06-01")
        cls._reconcile(cls._create_payment(cls.client_b, 80.0, "2026-06-02"), b_paid)
        inv(cls.client_b, 999.0, "2026-06-01", post=False)  # drafts are not receivables
        cls.Report = cls.env["rsb.receivable.aging.report"].with_user(cls.accountant)

    def test_rows_and_days(self):
        rows = self.Report.search([])
        self.assertEqual(
            {row.move_id: (row.bucket, row.days_overdue, row.amount_residual) for row in rows},
            {
                self.a_current: ("current", 0, 100.0),
                self.a_30: ("1_30", 30, 200.0),
                self.a_31: ("31_60", 31, 300.0),
                self.a_90: ("61_90", 90, 400.0),
                self.a_91: ("90_plus", 91, 500.0),
                self.a_refund: ("1_30", 15, -50.0),
                self.b_1: ("1_30", 1, 750.0),
            },
        )
        self.assertEqual(rows.filtered(lambda r: r.move_id == self.a_31).amount_31_60, 300.0)
        self.assertEqual(rows.filtered(lambda r: r.move_id == self.a_31).amount_1_30, 0.0)
        self.assertEqual(rows.partner_id, self.client_a | self.client_b)

    def test_buckets_per_client(self):
        groups = self.Report._read_group([], ["partner_id", "bucket"], ["amount_residual:sum"])
        self.assertEqual(
            _by(groups),
            {
                (self.client_a, "current"): 100.0,
                (self.client_a, "1_30"): 150.0,
                (self.client_a, "31_60"): 300.0,
                (self.client_a, "61_90"): 400.0,
                (self.client_a, "90_plus"): 500.0,
                (self.client_b, "1_30"): 750.0,
            },
        )
        totals = self.Report._read_group(
            [],
            ["partner_id"],
            ["amount_residual:sum", "amount_current:sum", "amount_1_30:sum", "amount_90_plus:sum"],
        )
        self.assertEqual(
            {partner: rest for partner, *rest in totals},
            {self.client_a: [1450.0, 100.0, 150.0, 500.0], self.client_b: [750.0, 0.0, 750.0, 0.0]},
        )

    def test_ages_move_with_the_date(self):
        with freeze_time("2026-07-01"):
            row = self.Report.search([("move_id", "=", self.a_current.id)])
            self.assertEqual((row.bucket, row.days_overdue), ("1_30", 1))

    def test_drill_down_to_invoices(self):
        rows = self.Report.search(
            [("partner_id", "=", self.client_a.id), ("bucket", "=", "90_plus")]
        )
        action = rows.action_open_move()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", self.a_91.id))
        action = self.Report.search([("partner_id", "=", self.client_a.id)]).action_open_moves()
        self.assertEqual(
            set(action["domain"][0][2]),
            set(
                (self.a_current | self.a_30 | self.a_31 | self.a_90 | self.a_91 | self.a_refund).ids
            ),
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-07-15")
class TestDsoWizard(RSBReceivablesCommon):
    """Period April 1st - June 30th (91 days).

    Greenleaf: 1000 invoiced in January (before the period), 600 in May, 400 paid in June,
    a 100 credit note in June, a 129 deposit requested and paid in June (not a sale), 999
    invoiced in July (after the period): receivables 1100, credit sales 500, DSO 200.2.
    Harbor: 1400 invoiced and paid in April, 600 invoiced in June: receivables 600, sales
    2000, DSO 27.3. Oakridge: 300 from February, no sales in the period: DSO 0.
    Overall: 2000 / 2500 * 91 = 72.8 days.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._create_invoice
        a_jan = inv(cls.client_a, 1000.0, "2026-01-15")
        inv(cls.client_a, 600.0, "2026-05-10")
        cls._reconcile(cls._create_payment(cls.client_a, 400.0, "2026-06-01"), a_jan)
        inv(cls.client_a, 100.0, "2026-06-15", move_type="out_refund")
        with freeze_time("2026-06-05"):
            ticket = cls._create_ticket(cls.client_a)
            ticket.action_rsb_request_deposit()
            cls._register_payment(ticket.rsb_deposit_move_id)
        inv(cls.client_a, 999.0, "2026-07-05")
        b_apr = inv(cls.client_b, 1400.0, "2026-04-10")
        cls._reconcile(cls._create_payment(cls.client_b, 1400.0, "2026-04-20"), b_apr)
        inv(cls.client_b, 600.0, "2026-06-20")
        inv(cls.client_trusted, 300.0, "2026-02-01")

    def test_dso_per_client_and_overall(self):
        wizard = (
            self.env["rsb.dso.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "date_from": "2026-04-01",
                    "date_to": "2026-06-30",
                }
            )
        )
        self.assertEqual(wizard.days, 91)
        wizard.action_compute()
        self.assertEqual(
            {
                line.partner_id: (line.amount_receivable, line.amount_sales, line.dso)
                for line in wizard.line_ids
            },
            {
                self.client_a: (1100.0, 500.0, 200.2),
                self.client_b: (600.0, 2000.0, 27.3),
                self.client_trusted: (300.0, 0.0, 0.0),
            },
        )
        self.assertEqual(wizard.amount_receivable, 2000.0)
        self.assertEqual(wizard.amount_sales, 2500.0)
        self.assertEqual(wizard.dso, 72.8)
        action = wizard.action_open_lines()
        self.assertEqual(action["res_model"], "rsb.dso.wizard.line")
        self.assertEqual(self.env["rsb.dso.wizard.line"].search(action["domain"]), wizard.line_ids)

    def test_dso_other_period(self):
        """May and June (61 days): Greenleaf 1100 / 500 * 61 = 134.2, Harbor 600 / 600 * 61
        = 61.0, overall 2000 / 1100 * 61 = 110.9. June alone, Greenleaf's sales are its
        credit note (-100): no DSO."""
        Wizard = self.env["rsb.dso.wizard"].with_user(self.accountant)
        wizard = Wizard.create({"date_from": "2026-05-01", "date_to": "2026-06-30"})
        wizard.action_compute()
        self.assertEqual(
            {line.partner_id: (line.amount_sales, line.dso) for line in wizard.line_ids},
            {
                self.client_a: (500.0, 134.2),
                self.client_b: (600.0, 61.0),
                self.client_trusted: (0.0, 0.0),
            },
        )
        self.assertEqual((wizard.amount_sales, wizard.dso), (1100.0, 110.9))
        wizard = Wizard.create({"date_from": "2026-06-01", "date_to": "2026-06-30"})
        wizard.action_compute()
        line_a = wizard.line_ids.filtered(lambda line: line.partner_id == self.client_a)
        self.assertEqual((line_a.amount_sales, line_a.dso), (-100.0, 0.0))

    def test_period_must_be_ordered(self):
        with self.assertRaises(ValidationError):
            self.env["rsb.dso.wizard"].create({"date_from": "2026-06-30", "date_to": "2026-06-01"})


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDepositsHeld(RSBReceivablesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-05"):
            cls.ticket_paid = cls._deposit(cls.client_a, pay=True)
        with freeze_time("2026-06-06"):
            cls.ticket_settled = cls._deposit(cls.client_a, pay=True)
        cls.ticket_settled.rsb_settled = True
        cls._deposit(cls.client_b, pay=False)
        cls.ticket_partial = cls._deposit(cls.client_b, pay=50.0)
        inv = cls._create_invoice
        cls.credit_old = inv(cls.client_a, 75.0, "2025-06-29", move_type="out_refund")
        cls.credit_boundary = inv(cls.client_a, 20.0, "2025-06-30", move_type="out_refund")
        cls.credit_b = inv(cls.client_b, 100.0, "2026-06-15", move_type="out_refund")
        used = inv(cls.client_b, 40.0, "2026-06-16")
        (cls.credit_b.line_ids | used.line_ids).filtered(
            lambda line: line.account_id == cls.receivable
        ).reconcile()
        credit_used = inv(cls.client_b, 30.0, "2026-06-01", move_type="out_refund")
        used = inv(cls.client_b, 30.0, "2026-06-02")
        (credit_used.line_ids | used.line_ids).filtered(
            lambda line: line.account_id == cls.receivable
        ).reconcile()
        cls.Report = cls.env["rsb.deposit.held.report"].with_user(cls.accountant)

    @classmethod
    def _deposit(cls, client, pay):
        ticket = cls._create_ticket(client)
        ticket.action_rsb_request_deposit()
        if pay:
            cls._register_payment(ticket.rsb_deposit_move_id, amount=None if pay is True else pay)
        return ticket

    def test_deposits_and_credits_per_client(self):
        groups = self.Report._read_group([], ["partner_id", "kind"], ["amount:sum"])
        self.assertEqual(
            _by(groups),
            {
                (self.client_a, "deposit"): 129.0,
                (self.client_a, "credit"): 95.0,
                (self.client_b, "deposit"): 50.0,
                (self.client_b, "credit"): 60.0,
            },
        )
        deposit = self.Report.search([("move_id", "=", self.ticket_paid.rsb_deposit_move_id.id)])
        self.assertEqual(
            (deposit.kind, deposit.ticket_id, deposit.age_days, deposit.date),
            ("deposit", self.ticket_paid, 25, date(2026, 6, 5)),
        )
        self.assertFalse(
            self.Report.search([("move_id", "=", self.ticket_settled.rsb_deposit_move_id.id)]),
            "a settled ticket's deposit is applied",
        )

    def test_old_credit_flag(self):
        flagged = self.Report.search([("older_than_threshold", "=", True)])
        self.assertEqual(flagged.move_id, self.credit_old)
        self.assertEqual((flagged.age_days, flagged.amount), (366, 75.0))
        self.company.rsb_unclaimed_credit_months = 24
        self.assertFalse(self.Report.search([("older_than_threshold", "=", True)]))
        self.company.rsb_unclaimed_credit_months = 0
        self.assertFalse(self.Report.search([("older_than_threshold", "=", True)]))
        self.company.rsb_unclaimed_credit_months = 12
        with freeze_time("2026-07-01"):
            flagged = self.Report.search([("older_than_threshold", "=", True)])
            self.assertEqual(flagged.move_id, self.credit_old | self.credit_boundary)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDashboardAndCollections(RSBReceivablesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._create_invoice
        cls.a_june = inv(cls.client_a, 200.0, "2026-05-10", "2026-06-10")
        cls.a_may = inv(cls.client_a, 300.0, "2026-04-01", "2026-05-01")
        inv(cls.client_a, 100.0, "2026-06-10", "2026-07-10")
        cls.b_june = inv(cls.client_b, 1000.0, "2026-06-01", "2026-06-29")
        cls._reconcile(cls._create_payment(cls.client_b, 250.0, "2026-06-20"), cls.b_june)
        cls._create_payment(cls.client_b, 40.0, "2026-05-31")  # last month: not collected now
        with freeze_time("2026-06-05"):
            ticket = cls._create_ticket(cls.client_trusted)
            ticket.rsb_deposit_amount = 129.0
            ticket.action_rsb_request_deposit()
            cls._register_payment(ticket.rsb_deposit_move_id)
        inv(cls.client_trusted, 50.0, "2026-06-15", move_type="out_refund")
        inv(cls.client_trusted, 75.0, "2025-01-01", move_type="out_refund")

    def _plan(self, invoices, first_date="2026-07-15"):
        return self._create_plan(
            invoices, first_date=first_date, instalment_count=3, interest_rate=0.0
        )

    def test_dashboard_figures_and_buttons(self):
        plan = self._plan(self.a_may)
        plan.action_confirm()
        dashboard = self.env.ref("remote_support_billing.rsb_receivables_dashboard_main")
        dashboard = dashboard.with_user(self.accountant)
        # what is owed past due nets the clients' credits: Harbor's 40 payment not applied
        # yet reduces its 750 (the list of overdue invoices still shows the invoices)
        self.assertEqual(dashboard.amount_overdue, 200.0 + 300.0 + 750.0 - 40.0)
        self.assertEqual(dashboard.overdue_count, 3)
        self.assertEqual(dashboard.amount_overdue_month, 200.0 + 750.0)
        self.assertEqual(dashboard.amount_collected_month, 250.0 + 129.0)
        self.assertEqual(dashboard.amount_deposits, 129.0)
        self.assertEqual(dashboard.amount_credits, 125.0 + 40.0, "credit notes + payment")
        self.assertEqual(dashboard.amount_old_credits, 75.0)
        self.assertEqual((dashboard.plans_active_count, dashboard.plans_broken_count), (1, 0))
        self.assertEqual(dashboard.plans_active_amount, 300.0)
        with freeze_time("2026-07-20"):  # the first instalment is 5 days late
            self.env["rsb.payment.plan"]._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "broken")
        dashboard.invalidate_recordset()
        self.assertEqual((dashboard.plans_active_count, dashboard.plans_broken_count), (0, 1))

        # every button opens the records its figure adds up
        Move = self.env["account.move"]
        overdue = Move.search(dashboard.action_open_overdue()["domain"])
        self.assertEqual(sum(overdue.mapped("amount_residual")), dashboard.amount_overdue + 40.0)
        month = Move.search(dashboard.action_open_overdue_month()["domain"])
        self.assertEqual(month, self.a_june | self.b_june)
        payments = self.env["account.payment"].search(
            dashboard.action_open_collected_month()["domain"]
        )
        self.assertEqual(sum(payments.mapped("amount")), dashboard.amount_collected_month)
        held = self.env["rsb.deposit.held.report"].search(
            dashboard.action_open_deposits()["domain"]
        )
        self.assertEqual(sum(held.mapped("amount")), 129.0 + 125.0 + 40.0)
        plans = self.env["rsb.payment.plan"].search(dashboard.action_open_plans_broken()["domain"])
        self.assertEqual(plans, plan)
        self.assertFalse(
            self.env["rsb.payment.plan"].search(dashboard.action_open_plans_active()["domain"])
        )
        levels = dashboard.action_open_dunning_levels()
        self.assertEqual(Move.search(levels["domain"]), overdue)
        self.assertIn("No level yet", dashboard.dunning_levels_html)

    def test_dashboard_queries_do_not_grow_with_data(self):
        def count_queries():
            dashboard = self.env.ref("remote_support_billing.rsb_receivables_dashboard_main")
            dashboard = dashboard.with_user(self.accountant)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            dashboard.read(
                [
                    "amount_overdue",
                    "overdue_count",
                    "dunning_levels_html",
                    "amount_deposits",
                    "amount_credits",
                    "amount_old_credits",
                    "plans_active_count",
                    "plans_active_amount",
                    "plans_broken_count",
                    "amount_collected_month",
                    "amount_overdue_month",
                ]
            )
            return self.env.cr.sql_log_count - before

        self._plan(self.a_may).action_confirm()
        count_queries()  # warm the caches (access rules, currencies)
        small = count_queries()
        for day in range(1, 11):
            invoice = self._create_invoice(self.client_trusted, 10.0 * day, f"2026-05-{day:02d}")
            if day % 3 == 0:
                self._plan(invoice).action_confirm()
        self.assertEqual(len(self.env["rsb.payment.plan"].search([("state", "=", "active")])), 4)
        count_queries()
        self.assertEqual(count_queries(), small)

    def test_collections_report(self):
        Report = self.env["rsb.collections.report"].with_user(self.accountant)
        self.assertFalse(Report.search([]), "empty until dunning marks clients")
        self.client_a.rsb_collections = True
        row = Report.search([])
        self.assertEqual(row.partner_id, self.client_a)
        self.assertEqual(
            (row.amount_balance, row.amount_overdue, row.open_count), (600.0, 500.0, 3)
        )
        self.assertEqual(row.oldest_due_date, date(2026, 5, 1))
        self.assertEqual(row.action_open_partner()["res_id"], self.client_a.id)
        invoices = self.env["account.move"].search(row.action_open_invoices()["domain"])
        self.assertEqual(len(invoices), 3)
        self.assertEqual(fields.Date.to_string(row.last_invoice_date), "2026-06-10")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestDsoSignAndPaymentsHeld(RSBReceivablesCommon):
    """June (30 days). Greenleaf: 500 invoiced, 300 of an unused deposit returned as credit
    by a settle-up credit note (not a refund of a sale). Harbor: 100 invoiced, paid 150 (in
    credit by 50)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        inv = cls._create_invoice
        inv(cls.client_a, 500.0, "2026-06-10")
        unused = inv(cls.client_a, 300.0, "2026-06-12", move_type="out_refund", post=False)
        unused.rsb_settlement_ticket_ids = cls._create_ticket(cls.client_a)
        unused.action_post()
        b_june = inv(cls.client_b, 100.0, "2026-06-10")
        cls.overpaid = cls._create_payment(cls.client_b, 150.0, "2026-06-11")
        cls._reconcile(cls.overpaid, b_june)
        cls.unapplied = cls._create_payment(cls.client_b, 40.0, "2026-05-15")

    def test_dso_sign(self):
        """Settle-up credit notes are not refunds; a client in credit has a DSO of 0."""
        wizard = (
            self.env["rsb.dso.wizard"]
            .with_user(self.accountant)
            .create({"date_from": "2026-06-01", "date_to": "2026-06-30"})
        )
        wizard.action_compute()
        self.assertEqual(
            {
                line.partner_id: (line.amount_receivable, line.amount_sales, line.dso)
                for line in wizard.line_ids
            },
            {
                self.client_a: (200.0, 500.0, 12.0),
                self.client_b: (-90.0, 100.0, 0.0),
            },
        )
        self.assertTrue(all(line.dso >= 0 for line in wizard.line_ids))
        self.assertEqual((wizard.amount_receivable, wizard.amount_sales), (110.0, 600.0))
        self.assertEqual(wizard.dso, 5.5)

    def test_unapplied_payments_are_held(self):
        Report = self.env["rsb.deposit.held.report"].with_user(self.accountant)
        rows = Report.search([("kind", "=", "payment")])
        self.assertEqual(
            {row.move_id: (row.partner_id, row.amount, row.age_days) for row in rows},
            {
                self.unapplied.move_id: (self.client_b, 40.0, 46),
                self.overpaid.move_id: (self.client_b, 50.0, 19),
            },
        )
        self.company.rsb_unclaimed_credit_months = 1
        flagged = Report.search([("kind", "=", "payment"), ("older_than_threshold", "=", True)])
        self.assertEqual(flagged.move_id, self.unapplied.move_id)
        # applied to an invoice, the payment is no longer held
        self._reconcile(self.unapplied, self._create_invoice(self.client_b, 40.0, "2026-06-20"))
        self.assertEqual(Report.search([("kind", "=", "payment")]).move_id, self.overpaid.move_id)
