"""Payment plans: the schedule of instalments, an annuity computed by billing_math and
rebuilt while the plan is a draft."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from .. import billing_math

# The periodic rate of the annuity is the annual rate divided by the periods of a year.
PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "monthly": 12}


class RsbPaymentPlan(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.payment.plan"  # pylint: disable=consider-merging-classes-inherited

    end_date = fields.Date(string="Last Instalment", compute="_compute_schedule_totals", store=True)
    amount_instalment = fields.Monetary(
        string="Instalment", compute="_compute_schedule_totals", store=True
    )
    amount_interest = fields.Monetary(
        string="Total Interest", compute="_compute_schedule_totals", store=True
    )
    amount_scheduled = fields.Monetary(
        string="Total of Instalments", compute="_compute_schedule_totals", store=True
    )

    # ------------------------------------------------------------------ computes
    @api.depends("line_ids.date", "line_ids.amount", "line_ids.interest")
    def _compute_schedule_totals(self):
        for plan in self:
            lines = plan.line_ids.sorted("sequence")
            plan.end_date = max(lines.mapped("date"), default=False)
            plan.amount_instalment = lines[:1].amount
            plan.amount_interest = sum(lines.mapped("interest"))
            plan.amount_scheduled = sum(lines.mapped("amount"))

    # ------------------------------------------------------------------ business
    @api.model
    def _rsb_compute_schedule(self, amount, count, frequency, first_date, annual_rate, currency):
        """Instalments repaying ``amount`` at ``annual_rate`` % a year (list of dicts, in
        order): billing_math.annuity_schedule rounded to the currency, so the principals add
        up to ``amount`` exactly, the last instalment taking what is left."""
        rows = billing_math.annuity_schedule(
            amount,
            count,
            billing_math.to_decimal(annual_rate or 0.0) / 100,
            PERIODS_PER_YEAR[frequency],
            rounding=currency.rounding,
        )
        balance = billing_math.round_to(amount, currency.rounding)
        schedule = []
        for index, (payment, interest, principal) in enumerate(rows):
            balance -= principal
            schedule.append(
                {
                    "sequence": index + 1,
                    "date": self._rsb_instalment_date(first_date, frequency, index),
                    "principal": float(principal),
                    "interest": float(interest),
                    "amount": float(payment),
                    "balance": float(balance),
                }
            )
        if any(line["principal"] <= 0 for line in schedule):
            raise ValidationError(
                _(
                    "%(amount)s cannot be split into %(count)s instalments: choose fewer "
                    "instalments.",
                    amount=format_amount(self.env, amount, currency),
                    count=count,
                )
            )
        return schedule

    @api.model
    def _rsb_instalment_date(self, first_date, frequency, index):
        if frequency == "weekly":
            return first_date + timedelta(weeks=index)
        if frequency == "biweekly":
            return first_date + timedelta(weeks=2 * index)
        return first_date + relativedelta(months=index)

    def _rsb_generate_lines(self):
        """(Re)build the schedule of draft plans, in one batch."""
        drafts = self.filtered(lambda p: p.state == "draft")
        if not drafts:
            return
        drafts.line_ids.unlink()
        vals_list = []
        for plan in drafts:
            if (
                not plan.first_date
                or plan.instalment_count <= 0
                or plan.currency_id.compare_amounts(plan.amount_financed, 0.0) <= 0
            ):
                continue  # the constraints report what is wrong
            for line_vals in self._rsb_compute_schedule(
                plan.amount_financed,
                plan.instalment_count,
                plan.frequency,
                plan.first_date,
                plan.interest_rate,
                plan.currency_id,
            ):
                vals_list.append({**line_vals, "plan_id": plan.id})
        self.env["rsb.payment.plan.line"].create(vals_list)
