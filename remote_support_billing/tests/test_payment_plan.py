from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02")
class TestPaymentPlan(RSBReceivablesCommon):
    """A client owing $700 on two overdue invoices agrees to pay $100 now and $600 in six
    monthly instalments at 12% a year from April 1st."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a.user_id = cls.helpdesk_manager  # the client's account manager
        cls.inv1 = cls._create_invoice(cls.client_a, 400.0, "2026-01-05")
        cls.inv2 = cls._create_invoice(cls.client_a, 300.0, "2026-02-01")
        cls.invoices = cls.inv1 | cls.inv2
        cls.Plan = cls.env["rsb.payment.plan"]

    def _confirmed_plan(self, **vals):
        plan = self._create_plan(self.invoices, down_payment=100.0, **vals)
        plan.action_confirm()
        return plan

    # ------------------------------------------------------------------ schedules
    def test_schedule_with_interest_exact(self):
        """$600 at 12%/year over 6 monthly instalments: r = 1% a month, payment
        600 * 0.01 / (1 - 1.01^-6) = 103.529... -> 103.53; each interest rounded to the
        cent; the last instalment takes the rest so the principal adds up to 600.00."""
        plan = self._create_plan(self.invoices, down_payment=100.0)
        self.assertEqual(plan.amount_due, 700.0)
        self.assertEqual(plan.amount_financed, 600.0)
        lines = plan.line_ids.sorted("sequence")
        self.assertEqual(
            [
                (str(line.date), line.principal, line.interest, line.amount, line.balance)
                for line in lines
            ],
            [
                ("2026-04-01", 97.53, 6.00, 103.53, 502.47),
                ("2026-05-01", 98.51, 5.02, 103.53, 403.96),
                ("2026-06-01", 99.49, 4.04, 103.53, 304.47),
                ("2026-07-01", 100.49, 3.04, 103.53, 203.98),
                ("2026-08-01", 101.49, 2.04, 103.53, 102.49),
                ("2026-09-01", 102.49, 1.02, 103.51, 0.00),
            ],
        )
        self.assertAlmostEqual(sum(lines.mapped("principal")), 600.0, places=6)
        self.assertEqual(plan.amount_instalment, 103.53)
        self.assertAlmostEqual(plan.amount_interest, 21.16, places=6)
        self.assertAlmostEqual(plan.amount_scheduled, 621.16, places=6)
        self.assertEqual(plan.end_date, date(2026, 9, 1))

    def test_schedule_weekly_and_biweekly_rates(self):
        Plan = self.Plan
        weekly = Plan._rsb_compute_schedule(
            1000.0, 4, "weekly", date(2026, 3, 9), 10.4, self.currency
        )
        # r = 10.4% / 52 = 0.2% a week
        self.assertEqual(
            [
                (str(line["date"]), line["principal"], line["interest"], line["amount"])
                for line in weekly
            ],
            [
                ("2026-03-09", 249.25, 2.00, 251.25),
                ("2026-03-16", 249.75, 1.50, 251.25),
                ("2026-03-23", 250.25, 1.00, 251.25),
                ("2026-03-30", 250.75, 0.50, 251.25),
            ],
        )
        biweekly = Plan._rsb_compute_schedule(
            2600.0, 5, "biweekly", date(2026, 3, 9), 13.0, self.currency
        )
        # r = 13% / 26 = 0.5% every two weeks
        self.assertEqual([line["interest"] for line in biweekly], [13.00, 10.43, 7.84, 5.24, 2.63])
        self.assertEqual([line["amount"] for line in biweekly], [527.83] * 4 + [527.82])
        self.assertEqual(str(biweekly[-1]["date"]), "2026-05-04")
        self.assertAlmostEqual(sum(line["principal"] for line in biweekly), 2600.0, places=6)

    def test_schedule_without_interest(self):
        """Equal instalments; the last one absorbs the rounding. Monthly dates keep the day
        of the first one (or the month's last day)."""
        schedule = self.Plan._rsb_compute_schedule(
            100.0, 3, "monthly", date(2026, 3, 31), 0.0, self.currency
        )
        self.assertEqual(
            [
                (
                    str(line["date"]),
                    line["principal"],
                    line["interest"],
                    line["amount"],
                    line["balance"],
                )
                for line in schedule
            ],
            [
                ("2026-03-31", 33.33, 0.0, 33.33, 66.67),
                ("2026-04-30", 33.33, 0.0, 33.33, 33.34),
                ("2026-05-31", 33.34, 0.0, 33.34, 0.0),
            ],
        )
        plan = self._create_plan(self.invoices, interest_rate=0.0, instalment_count=7)
        self.assertEqual(plan.line_ids.mapped("amount"), [100.0] * 7)
        plan = self._create_plan(self.inv1, interest_rate=0.0, instalment_count=7)
        self.assertEqual(plan.line_ids.mapped("amount"), [57.14] * 6 + [57.16])

    def test_schedule_follows_draft_changes(self):
        plan = self._create_plan(self.invoices, down_payment=100.0)
        plan.write({"instalment_count": 3, "interest_rate": 0.0})
        self.assertEqual(plan.line_ids.mapped("amount"), [200.0, 200.0, 200.0])

    # ------------------------------------------------------------------ confirm
    def test_confirm_pays_down_payment_pauses_dunning_and_sends_schedule(self):
        plan = self._confirmed_plan()
        self.assertEqual(plan.state, "active")
        # the down payment is a posted payment applied to the oldest invoice
        self.assertEqual(plan.down_payment_id.amount, 100.0)
        self.assertEqual(plan.down_payment_id.state, "in_process")
        self.assertEqual(self.inv1.amount_residual, 300.0)
        self.assertEqual(self.inv2.amount_residual, 300.0)
        self.assertEqual(plan.amount_due, 700.0, "the amount owed is frozen at confirmation")
        self.assertEqual(plan.amount_collected, 0.0)
        self.assertEqual(plan.amount_paid_total, 100.0, "paid so far: the down payment")
        # no interest invoice ahead of its instalment (issue 24: drafts showed "To
        # Validate" on the dashboard, one numbered in a future year); each is invoiced when due
        self.assertFalse(plan.line_ids.interest_move_id)
        line1 = plan.line_ids.filtered(lambda line: line.sequence == 1)
        line2 = plan.line_ids.filtered(lambda line: line.sequence == 2)
        self.assertEqual(line2.interest, 5.02)
        with freeze_time("2026-04-01"):
            self.Plan._cron_rsb_payment_plans()
        interest = plan.line_ids.interest_move_id
        self.assertEqual(interest, line1.interest_move_id, "instalment 1 fell due, not 2")
        self.assertEqual(interest.state, "posted")
        self.assertEqual(interest.invoice_date, date(2026, 4, 1))
        self.assertEqual(interest.amount_total, line1.interest)
        self.assertEqual(
            interest.invoice_line_ids.product_id,
            self.env.ref("remote_support_billing.product_rsb_plan_interest"),
        )
        # dunning skips the invoices until the plan's end
        for move in self.invoices | interest:
            self.assertEqual(move.rsb_dunning_pause_reason, "payment_plan")
            self.assertEqual(move.rsb_dunning_pause_until, date(2026, 9, 1))
            self.assertEqual(move.rsb_dunning_pause_note, plan.name)
        # the client is emailed the schedule; the plan is in its chatter
        mail = plan.message_ids.filtered(lambda m: plan.name in (m.subject or ""))
        self.assertTrue(mail)
        self.assertIn(self.client_a, mail.partner_ids)
        self.assertIn("103.53", mail.body)
        self.assertIn("502.47", mail.body)
        self.assertTrue(any("agreed" in body for body in self.client_a.message_ids.mapped("body")))

    def test_confirm_twice_or_overlapping_refused(self):
        plan = self._confirmed_plan()
        with self.assertRaises(UserError):
            plan.action_confirm()
        other = self._create_plan(self.inv2, first_date="2026-05-01")
        with self.assertRaises(UserError):
            other.action_confirm()
        self.assertEqual(other.state, "draft")
        self.assertFalse(other.line_ids.interest_move_id)

    def test_terms_locked_once_confirmed(self):
        plan = self._confirmed_plan()
        with self.assertRaises(UserError):
            plan.with_user(self.accountant).write({"state": "done"})
        with self.assertRaises(UserError):
            self._create_plan(self.inv2, state="active")
        self.assertEqual(plan.state, "active")
        with self.assertRaises(UserError):
            plan.write({"instalment_count": 3})
        with self.assertRaises(UserError):
            plan.unlink()
        self.assertEqual(len(plan.line_ids), 6)

    # ------------------------------------------------------------------ paying
    def test_instalment_pays_interest_then_oldest_invoice(self):
        plan = self._confirmed_plan()
        line1 = plan.line_ids.filtered(lambda line: line.sequence == 1)
        with freeze_time("2026-04-01"):
            payment = self._pay_instalment(plan)
        self.assertEqual(payment.amount, 103.53)
        # instalment line -> payment -> reconciled invoices
        self.assertEqual(line1.payment_ids, payment)
        self.assertEqual(payment.reconciled_invoice_ids, line1.interest_move_id | self.inv1)
        self.assertEqual(line1.interest_move_id.state, "posted")
        self.assertEqual(line1.interest_move_id.payment_state, "paid")
        self.assertEqual(self.inv1.amount_residual, 300.0 - 97.53)
        self.assertEqual(self.inv2.amount_residual, 300.0)
        self.assertEqual(line1.state, "paid")
        self.assertEqual(plan.amount_collected, 103.53)
        self.assertEqual(plan.next_line_id.sequence, 2)
        self.assertTrue(
            any("instalment 1 of 6" in body for body in plan.message_ids.mapped("body"))
        )
        self.assertTrue(
            any("instalment 1 of 6" in body for body in self.client_a.message_ids.mapped("body"))
        )

    def test_instalment_paid_ahead_of_its_date(self):
        plan = self._confirmed_plan()
        line1 = plan.line_ids.filtered(lambda line: line.sequence == 1)
        with freeze_time("2026-03-10"):
            self._pay_instalment(plan)
        self.assertEqual(line1.interest_move_id.state, "posted")
        self.assertEqual(line1.interest_move_id.invoice_date, date(2026, 3, 10), "issued now")
        self.assertEqual(line1.interest_move_id.invoice_date_due, date(2026, 4, 1))
        self.assertEqual(line1.interest_move_id.amount_residual, 0.0)
        self.assertEqual(line1.state, "paid")

    def test_partial_instalment(self):
        plan = self._confirmed_plan()
        line1 = plan.line_ids.filtered(lambda line: line.sequence == 1)
        with freeze_time("2026-04-01"):
            self._pay_instalment(plan, amount=50.0)
        self.assertEqual(line1.state, "partial")
        self.assertEqual(line1.amount_residual, 53.53)
        self.assertEqual(line1.interest_move_id.amount_residual, 0.0, "interest is paid first")
        self.assertEqual(self.inv1.amount_residual, 300.0 - 44.0)

    def test_cron_posts_interest_when_due(self):
        plan = self._confirmed_plan()
        with freeze_time("2026-04-01"):
            self.Plan._cron_rsb_payment_plans()
        interest = plan.line_ids.sorted("sequence").interest_move_id
        self.assertEqual(interest.mapped("state"), ["posted"], "the others when due")
        self.assertEqual(interest[0].rsb_dunning_pause_reason, "payment_plan")
        note = f"Interest of instalment 1 invoiced: {interest[0].name}"
        self.assertTrue(any(note in body for body in plan.message_ids.mapped("body")))
        self.assertTrue(any(note in body for body in self.client_a.message_ids.mapped("body")))
        self.assertEqual(plan.state, "active")

    def test_plan_completes_when_everything_is_paid(self):
        plan = self._confirmed_plan()
        for line in plan.line_ids.sorted("sequence"):
            with freeze_time(line.date):
                self.Plan._cron_rsb_payment_plans()
                self.assertEqual(plan.state, "active")
                self._pay_instalment(plan, line=line)
        self.assertEqual(plan.state, "done")
        self.assertEqual(self.invoices.mapped("payment_state"), ["paid", "paid"])
        interest = plan.line_ids.interest_move_id
        self.assertEqual(set(interest.mapped("payment_state")), {"paid"})
        self.assertEqual(set(plan.line_ids.mapped("state")), {"paid"})
        self.assertAlmostEqual(plan.amount_collected, 621.16, places=6)
        self.assertAlmostEqual(plan.amount_paid_total, 721.16, places=6)
        self.assertEqual(plan.amount_remaining, 0.0)
        # every cent traceable: the 6 payments applied exactly the schedule
        for line in plan.line_ids:
            self.assertEqual(line.payment_ids.amount, line.amount)
            self.assertIn(line.interest_move_id, line.payment_ids.reconciled_invoice_ids)
        self.assertEqual(len(plan.payment_ids), 7, "down payment + 6 instalments")
        for move in self.invoices | interest:
            self.assertFalse(move.rsb_dunning_pause_reason)
        self.assertTrue(
            any("completed" in body for body in self.client_a.message_ids.mapped("body"))
        )

    def test_paid_off_early_outside_the_plan(self):
        """The client pays the whole balance through the invoices: the plan completes at
        the next cron run and the interest not due yet is never charged."""
        plan = self._confirmed_plan()
        with freeze_time("2026-04-02"):
            self.Plan._cron_rsb_payment_plans()
            payment = self._create_payment(self.client_a, 600.0 + 6.0, "2026-04-02")
            self._reconcile(
                payment,
                self.invoices
                | plan.line_ids.interest_move_id.filtered(lambda m: m.state == "posted"),
            )
            self.Plan._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "done")
        interest = plan.line_ids.sorted("sequence").interest_move_id
        self.assertEqual(interest.mapped("state"), ["posted"], "interest to come never invoiced")

    def _write_off(self, invoice, amount):
        """Write part of an invoice off as the write-off wizard does: an internal entry
        Dr bad debts / Cr receivable, reconciled with the invoice (no document to the
        client)."""
        Account = self.env["account.account"]
        expense = Account.search(
            [*Account._check_company_domain(self.company), ("account_type", "=", "expense")],
            limit=1,
        )
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": fields.Date.context_today(invoice),
                "line_ids": [
                    fields.Command.create(
                        {"account_id": expense.id, "debit": amount, "name": "Bad debt"}
                    ),
                    fields.Command.create(
                        {
                            "account_id": self.receivable.id,
                            "partner_id": invoice.commercial_partner_id.id,
                            "credit": amount,
                            "name": "Bad debt",
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        (entry.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_id == self.receivable and not line.reconciled
        ).reconcile()
        return entry

    def test_plan_collected_after_write_off(self):
        """Only money counts as collected: writing off part of a plan's invoice, or crediting
        it, lowers what is open, not what the plan collected."""
        plan = self._confirmed_plan()
        line1, line2 = plan.line_ids.sorted("sequence")[:2]
        with freeze_time("2026-04-01"):
            self._pay_instalment(plan)
        self.assertEqual(plan.amount_collected, 103.53)
        open_before = plan.amount_open
        with freeze_time("2026-04-20"):
            self._write_off(self.inv2, 50.0)
            credit_note = self._create_invoice(
                self.client_a, 20.0, "2026-04-20", move_type="out_refund"
            )
            (credit_note.line_ids | self.inv2.line_ids).filtered(
                lambda line: line.account_id == self.receivable and not line.reconciled
            ).reconcile()
        self.assertEqual(self.inv2.amount_residual, 230.0)
        self.assertAlmostEqual(plan.amount_open, open_before - 70.0, places=6)
        self.assertEqual(plan.amount_collected, 103.53, "a write-off or credit note is not paid")
        self.assertEqual(plan.amount_paid_total, 203.53, "paid so far: down payment included")
        self.assertEqual((line1.state, line2.state), ("paid", "open"))
        self.assertEqual(line2.amount_residual, line2.amount)

    def test_payments_before_the_plan_are_not_collected_by_it(self):
        self._register_payment(self.inv1, 40.0)
        plan = self._confirmed_plan()
        self.assertEqual(plan.amount_due, 660.0)
        self.assertEqual(plan.amount_paid_before, 40.0)
        self.assertEqual((plan.amount_collected, plan.amount_paid_total), (0.0, 100.0))
        with freeze_time("2026-04-01"):
            payment = self._pay_instalment(plan)
        self.assertEqual(plan.amount_collected, payment.amount)
        self.assertEqual(plan.line_ids.sorted("sequence")[0].state, "paid")

    # ------------------------------------------------------------------ breaking
    def test_missed_instalment_breaks_plan_and_resumes_dunning(self):
        plan = self._confirmed_plan()
        level = self.env["rsb.dunning.level"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.assertTrue(level, "the default dunning levels ship with the main company")
        self.inv1.rsb_dunning_level_id = level
        with freeze_time("2026-04-05"):  # 4 days late: still on track
            self.Plan._cron_rsb_payment_plans()
            self.assertEqual(plan.state, "active")
            # a dunning run while the plan is on track skips the covered invoices
            run = (
                self.env["rsb.dunning.run"]
                .with_user(self.accountant)
                .create({"date": date(2026, 4, 5)})
            )
            run.action_preview()
            line = run.line_ids.filtered(lambda line: line.partner_id == self.client_a)
            self.assertTrue(line, "the client's plan invoices are listed, as paused")
            self.assertEqual(line.paused_move_ids & self.invoices, self.invoices)
        with freeze_time("2026-04-06"):  # 5 days late: broken
            self.Plan._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.break_date, date(2026, 4, 6))
        self.assertIn("instalment 1", plan.break_reason)
        interest = plan.line_ids.sorted("sequence").interest_move_id
        # dunning resumes: the pause is cleared, the level reached is kept
        for move in self.invoices | interest[0]:
            self.assertFalse(move.rsb_dunning_pause_reason)
            self.assertFalse(move.rsb_dunning_pause_until)
            self.assertFalse(move.rsb_dunning_pause_note)
        self.assertEqual(self.inv1.rsb_dunning_level_id, level)
        # interest already due stays owed; interest to come is not charged
        self.assertEqual(interest.mapped("state"), ["posted"], "interest to come never invoiced")
        # the client is emailed, the account manager gets an activity
        mail = plan.message_ids.filtered(lambda m: "has ended" in (m.subject or ""))
        self.assertTrue(mail)
        self.assertIn(self.client_a, mail.partner_ids)
        self.assertEqual(plan.activity_ids.user_id, self.helpdesk_manager)
        self.assertTrue(any("broken" in body for body in self.client_a.message_ids.mapped("body")))
        # a broken plan stays broken
        with freeze_time("2026-04-07"):
            self.Plan._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "broken")

    def test_break_days_setting_and_responsible_fallback(self):
        self.company.rsb_plan_break_days = 10
        self.client_a.user_id = False
        plan = self._confirmed_plan()
        with freeze_time("2026-04-10"):
            self.Plan._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "active")
        with freeze_time("2026-04-11"):
            self.Plan._cron_rsb_payment_plans()
        self.assertEqual(plan.state, "broken")
        self.assertEqual(plan.activity_ids.user_id, self.accountant, "the plan's responsible")

    def test_cancel_resumes_dunning(self):
        plan = self._confirmed_plan()
        plan.with_user(self.accountant).action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertFalse(plan.line_ids.interest_move_id, "no interest was invoiced ahead")
        self.assertFalse(self.inv1.rsb_dunning_pause_reason)
        self.assertEqual(self.inv1.amount_residual, 300.0, "the down payment stays applied")

    # ------------------------------------------------------------------ entry points
    def test_server_action_and_partner_button(self):
        Plan = self.Plan.with_user(self.accountant)
        action = Plan._rsb_action_new_from_invoices(self.invoices)
        self.assertEqual(action["res_model"], "rsb.payment.plan")
        self.assertEqual(action["context"]["default_partner_id"], self.client_a.id)
        other = self._create_invoice(self.client_b, 50.0, "2026-02-01")
        with self.assertRaises(UserError):
            Plan._rsb_action_new_from_invoices(self.invoices | other)
        paid = self._create_invoice(self.client_a, 10.0, "2026-02-01")
        self._pay_invoice(paid)
        with self.assertRaises(UserError):
            Plan._rsb_action_new_from_invoices(self.invoices | paid)
        action = self.contact_a.with_user(self.accountant).action_rsb_new_payment_plan()
        self.assertEqual(action["context"]["default_partner_id"], self.client_a.id)
        self.assertEqual(
            sorted(action["context"]["default_invoice_ids"][0][2]), sorted(self.invoices.ids)
        )
        # a plan created for a contact belongs to the client company
        plan = self._create_plan(self.invoices, partner_id=self.contact_a.id)
        self.assertEqual(plan.partner_id, self.client_a)
        self.assertEqual(self.client_a.with_user(self.accountant).rsb_payment_plan_count, 1)
        self.assertEqual(self.contact_a.with_user(self.accountant).rsb_payment_plan_count, 1)

    # ------------------------------------------------------------------ bad input
    def _assert_refused(self, exception, **vals):
        invoices = vals.pop("invoices", self.invoices)
        before = [(m.amount_residual, m.rsb_dunning_pause_reason) for m in self.invoices]
        with self.assertRaises(exception):
            self._create_plan(invoices, **vals)
        self.assertFalse(self.Plan.search([]), "nothing created")
        self.assertFalse(self.env["rsb.payment.plan.line"].search([]))
        self.assertEqual(
            [(m.amount_residual, m.rsb_dunning_pause_reason) for m in self.invoices], before
        )

    def test_bad_instalment_count(self):
        self._assert_refused(ValidationError, instalment_count=0)
        self._assert_refused(ValidationError, instalment_count=-3)
        self._assert_refused(ValidationError, instalment_count=1000)
        self._assert_refused(
            ValidationError,
            instalment_count=200,
            interest_rate=0.0,
            invoices=self._create_invoice(self.client_a, 1.0, "2026-02-01"),
        )

    def test_bad_invoices(self):
        paid = self._create_invoice(self.client_a, 50.0, "2026-02-01")
        self._pay_invoice(paid)
        self._assert_refused(ValidationError, invoices=self.invoices | paid)
        other_client = self._create_invoice(self.client_b, 50.0, "2026-02-01")
        self._assert_refused(ValidationError, invoices=self.invoices | other_client)
        draft = self._create_invoice(self.client_a, 50.0, "2026-02-01", post=False)
        self._assert_refused(ValidationError, invoices=self.invoices | draft)
        refund = self._create_invoice(self.client_a, 50.0, "2026-02-01", move_type="out_refund")
        self._assert_refused(ValidationError, invoices=self.invoices | refund)
        self._assert_refused(ValidationError, invoices=self.env["account.move"])

    def test_bad_interest_rate(self):
        self._assert_refused(ValidationError, interest_rate=-0.5)
        self._assert_refused(ValidationError, interest_rate=100.01)
        self.assertTrue(self._create_plan(self.invoices, interest_rate=100.0).line_ids)

    def test_first_date_in_the_past(self):
        self._assert_refused(ValidationError, first_date="2026-03-01")
        self.assertTrue(self._create_plan(self.invoices, first_date="2026-03-02").line_ids)

    def test_bad_down_payment(self):
        self._assert_refused(ValidationError, down_payment=700.0)
        self._assert_refused(ValidationError, down_payment=700.01)
        self._assert_refused(ValidationError, down_payment=-1.0)

    def test_confirm_refused_when_draft_went_stale(self):
        """A draft saved last week with a first date now past cannot be confirmed."""
        plan = self._create_plan(self.invoices, first_date="2026-03-05", down_payment=100.0)
        with freeze_time("2026-03-06"), self.assertRaises(ValidationError):
            plan.action_confirm()
        self.assertEqual(plan.state, "draft")
        self.assertFalse(plan.down_payment_id)
        self.assertFalse(plan.line_ids.interest_move_id)
        self.assertEqual(self.inv1.amount_residual, 400.0)
        self.assertFalse(self.inv1.rsb_dunning_pause_reason)
        # an invoice paid meanwhile: refused too
        plan.first_date = "2026-04-01"
        self._pay_invoice(self.inv2)
        with self.assertRaises(ValidationError):
            plan.action_confirm()
        self.assertEqual(plan.state, "draft")

    def test_confirm_rebuilds_the_schedule_on_the_current_balance(self):
        """50 was paid on an invoice after the draft was saved: the plan finances 550."""
        plan = self._create_plan(self.invoices, down_payment=100.0, interest_rate=0.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [100.0] * 6)
        self._pay_invoice(self.inv1, amount=50.0)
        plan.action_confirm()
        self.assertEqual((plan.amount_due, plan.amount_financed), (650.0, 550.0))
        self.assertEqual(plan.line_ids.mapped("amount"), [91.67] * 5 + [91.65])

    def test_register_payment_button(self):
        plan = self._confirmed_plan()
        action = plan.with_user(self.accountant).action_register_payment()
        context = action["context"]
        self.assertEqual(context["default_amount"], 103.53)
        self.assertEqual(context["default_rsb_plan_line_id"], plan.next_line_id.id)
        payment = (
            self.env["account.payment"]
            .with_user(self.accountant)
            .with_context(**context)
            .create({"journal_id": self.bank_journal.id})
        )
        payment.action_post()
        self.assertEqual(payment.rsb_payment_plan_id, plan)
        self.assertEqual(plan.line_ids.sorted("sequence")[0].state, "paid")

    def test_payment_of_another_client_refused(self):
        plan = self._confirmed_plan()
        with self.assertRaises(ValidationError):
            self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.client_b.id,
                    "amount": 10.0,
                    "journal_id": self.bank_journal.id,
                    "rsb_payment_plan_id": plan.id,
                }
            )
        self.assertEqual(len(plan.payment_ids), 1)

    def test_schedule_amounts_in_currency_precision(self):
        plan = self._create_plan(
            self.invoices,
            interest_rate=7.3,
            instalment_count=11,
            frequency="biweekly",
            down_payment=0.0,
        )
        for line in plan.line_ids:
            for value in (line.principal, line.interest, line.amount, line.balance):
                self.assertEqual(value, round(value, 2))
        self.assertAlmostEqual(sum(plan.line_ids.mapped("principal")), 700.0, places=6)
        self.assertEqual(plan.line_ids.sorted("sequence")[-1].balance, 0.0)
        self.assertEqual(fields.Date.to_string(plan.end_date), "2026-08-19")
