"""The receivables dashboard's charts (aging of what is owed, overdue by dunning level, collected
per month), drawn as plain HTML bars from grouped queries."""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_amount, format_date

from .. import billing_math
from ..models.res_partner_statement import BUCKET_LABELS


class RsbReceivablesDashboard(models.Model):
    _inherit = "rsb.receivables.dashboard"

    aging_chart_html = fields.Html(
        string="Aging of What Is Owed", compute="_compute_charts", sanitize=False
    )
    level_chart_html = fields.Html(
        string="Overdue by Dunning Level (chart)", compute="_compute_charts", sanitize=False
    )
    collected_chart_html = fields.Html(
        string="Collected per Month", compute="_compute_charts", sanitize=False
    )

    @api.depends_context("company")
    def _compute_charts(self):
        for dashboard in self:
            dashboard.aging_chart_html = dashboard._rsb_bar_chart(dashboard._rsb_aging_rows())
            dashboard.level_chart_html = dashboard._rsb_bar_chart(dashboard._rsb_level_rows())
            dashboard.collected_chart_html = dashboard._rsb_bar_chart(
                dashboard._rsb_collected_rows(), css="bg-success"
            )

    def _rsb_aging_rows(self):
        """What is owed by age today, in billing_math's buckets: the totals of the Aging
        report (rsb.receivable.aging.report: per receivable item, credits negative) for the
        company, so that the chart and the report show the same figures."""
        fnames = [f"amount_{key}" for key, _upper in billing_math.aging_buckets()]
        [totals] = self.env["rsb.receivable.aging.report"]._read_group(
            [("company_id", "=", self._rsb_company().id)],
            [],
            [f"{fname}:sum" for fname in fnames],
        )
        return [
            (str(BUCKET_LABELS[key]), amount or 0.0)
            for (key, _upper), amount in zip(billing_math.aging_buckets(), totals, strict=True)
        ]

    def _rsb_level_rows(self):
        groups = self.env["account.move"]._read_group(
            self._rsb_overdue_domain(), ["rsb_dunning_level_id"], ["amount_residual_signed:sum"]
        )
        groups.sort(key=lambda g: (bool(g[0]), g[0].days if g[0] else 0))
        return [(level.name if level else _("No level yet"), amount) for level, amount in groups]

    def _rsb_collected_rows(self, months=6):
        today = self._rsb_today()
        start = today.replace(day=1) - relativedelta(months=months - 1)
        # the customer payments received, as "Collected This Month" counts them
        domain = [
            term
            for term in self._rsb_collected_month_domain()
            if not (isinstance(term, tuple) and term[0] == "date")
        ]
        groups = dict(
            self.env["account.payment"]._read_group(
                [*domain, ("date", ">=", start), ("date", "<=", today)],
                ["date:month"],
                ["amount_company_currency_signed:sum"],
            )
        )
        rows = []
        for index in range(months):
            month = start + relativedelta(months=index)
            rows.append((format_date(self.env, month, date_format="MMM y"), groups.get(month, 0.0)))
        return rows

    def _rsb_bar_chart(self, rows, css="bg-primary"):
        """Rows (label, amount) as horizontal bars scaled to the largest amount."""
        if not rows:
            return Markup("<p class='text-muted'>%s</p>") % _("Nothing yet.")
        top = max((abs(amount) for _label, amount in rows), default=0.0) or 1.0
        currency = self.currency_id or self._rsb_company().currency_id
        lines = Markup().join(
            Markup(
                "<div class='d-flex align-items-center gap-2 mb-1 o_rsb_bar'>"
                "<div style='width: 9rem' class='text-truncate'>%s</div>"
                "<div class='flex-grow-1 bg-light rounded' style='height: 1.1rem'>"
                "<div class='%s rounded h-100' style='width: %s%%'></div></div>"
                "<div style='width: 8rem' class='text-end'>%s</div></div>"
            )
            % (
                label,
                css,
                round(100.0 * abs(amount) / top, 1),
                format_amount(self.env, amount, currency),
            )
            for label, amount in rows
        )
        return Markup("<div class='o_rsb_chart'>%s</div>") % lines
