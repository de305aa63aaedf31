"""The owner's receivables dashboard: what clients owe, deposits held, plans, this month."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import format_amount


class RsbReceivablesDashboard(models.Model):
    """The owner's view of receivables on one screen. Each figure comes from one grouped
    query; what clients owe is `res.partner._rsb_get_receivable_position` (credits netted,
    deposit requests excluded) and the invoice lists are `_rsb_owed_invoice_domain`.

    One record (`rsb_receivables_dashboard_main`), opened by the menu's action: a saved
    record, so the breadcrumb reads its name and the form has nothing to save. Its figures
    are computed for the company the user works in (the company switcher), never stored."""

    _name = "rsb.receivables.dashboard"
    _description = "Receivables Dashboard"

    company_id = fields.Many2one(comodel_name="res.company", compute="_compute_company_id")
    currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_company_id")

    @api.depends_context("company")
    def _compute_company_id(self):
        self.company_id = self.env.company
        self.currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_display_name(self):
        """The breadcrumb reads "Receivables: <company>", not "New"."""
        for dashboard in self:
            dashboard.display_name = _("Receivables: %s", self.env.company.name)

    amount_overdue = fields.Monetary(
        string="Overdue",
        compute="_compute_overdue",
        help="What clients owe past due, net of their open credits (credit notes, payments "
        "not applied yet). Unpaid deposit requests are not owed.",
    )
    overdue_count = fields.Integer(string="Overdue Invoices", compute="_compute_overdue")
    dunning_levels_html = fields.Html(
        string="Overdue by Dunning Level", compute="_compute_dunning_levels", sanitize=False
    )
    amount_deposits = fields.Monetary(string="Deposits Not Applied", compute="_compute_deposits")
    amount_credits = fields.Monetary(
        string="Credits Kept",
        compute="_compute_deposits",
        help="Open credit notes and customer payments not applied to an invoice yet.",
    )
    amount_old_credits = fields.Monetary(
        string="Held Longer Than Threshold", compute="_compute_deposits"
    )
    plans_active_count = fields.Integer(string="Plans On Track", compute="_compute_plans")
    plans_active_amount = fields.Monetary(string="Still to Collect", compute="_compute_plans")
    plans_broken_count = fields.Integer(string="Broken Plans", compute="_compute_plans")
    amount_collected_month = fields.Monetary(
        string="Collected This Month", compute="_compute_month"
    )
    amount_overdue_month = fields.Monetary(
        string="Fell Due This Month, Unpaid",
        compute="_compute_month",
        help="Invoices due since the first of the month, still unpaid today.",
    )

    # ------------------------------------------------------------------ domains
    def _rsb_company(self):
        """The company whose figures are shown: the one the user works in."""
        return self.env.company

    def _rsb_today(self):
        return fields.Date.context_today(self)

    def _rsb_overdue_domain(self):
        return self.env["res.partner"]._rsb_owed_invoice_domain(
            self._rsb_company(), overdue_date=self._rsb_today()
        )

    def _rsb_overdue_month_domain(self):
        """The invoices with a receivable item (an instalment) that fell due this month and
        is still unpaid (per item, as `_rsb_owed_invoice_domain`)."""
        return [
            *self._rsb_overdue_domain(),
            (
                "line_ids",
                "any",
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                    ("date_maturity", ">=", self._rsb_today().replace(day=1)),
                    ("date_maturity", "<", self._rsb_today()),
                ],
            ),
        ]

    def _rsb_collected_month_domain(self):
        return [
            ("company_id", "=", self._rsb_company().id),
            ("partner_type", "=", "customer"),
            ("payment_type", "=", "inbound"),
            ("state", "in", ("in_process", "paid")),
            ("date", ">=", self._rsb_today().replace(day=1)),
            ("date", "<=", self._rsb_today()),
        ]

    def _rsb_plans_domain(self, state):
        return [("company_id", "=", self._rsb_company().id), ("state", "=", state)]

    # ------------------------------------------------------------------ computes
    @api.depends_context("company")
    def _compute_overdue(self):
        Partner = self.env["res.partner"]
        for dashboard in self:
            company = dashboard._rsb_company()
            positions = Partner._rsb_get_receivable_position(company, dashboard._rsb_today())
            dashboard.amount_overdue = company.currency_id.round(
                sum(position["overdue"] for position in positions.values())
            )
            dashboard.overdue_count = self.env["account.move"].search_count(
                dashboard._rsb_overdue_domain()
            )

    @api.depends_context("company")
    def _compute_dunning_levels(self):
        Move = self.env["account.move"]
        for dashboard in self:
            groups = Move._read_group(
                dashboard._rsb_overdue_domain(),
                ["rsb_dunning_level_id"],
                ["amount_residual_signed:sum", "__count"],
            )
            groups.sort(key=lambda g: (bool(g[0]), g[0].days if g[0] else 0))
            rows = Markup().join(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
                )
                % (
                    level.name if level else _("No level yet"),
                    count,
                    format_amount(self.env, amount, dashboard.currency_id),
                )
                for level, amount, count in groups
            )
            dashboard.dunning_levels_html = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (_("Level"), _("Invoices"), _("Overdue"), rows)

    @api.depends_context("company")
    def _compute_deposits(self):
        Report = self.env["rsb.deposit.held.report"]
        for dashboard in self:
            domain = [("company_id", "=", dashboard._rsb_company().id)]
            by_kind = dict(Report._read_group(domain, ["kind"], ["amount:sum"]))
            dashboard.amount_deposits = by_kind.get("deposit", 0.0)
            dashboard.amount_credits = (
                by_kind.get("credit", 0.0)
                + by_kind.get("refund", 0.0)
                + by_kind.get("payment", 0.0)
            )
            [(old,)] = Report._read_group(
                [*domain, ("older_than_threshold", "=", True)], [], ["amount:sum"]
            )
            dashboard.amount_old_credits = old

    @api.depends_context("company")
    def _compute_plans(self):
        Plan = self.env["rsb.payment.plan"]
        for dashboard in self:
            counts = dict(
                Plan._read_group(
                    [
                        ("company_id", "=", dashboard._rsb_company().id),
                        ("state", "in", ("active", "broken")),
                    ],
                    ["state"],
                    ["__count"],
                )
            )
            dashboard.plans_active_count = counts.get("active", 0)
            dashboard.plans_broken_count = counts.get("broken", 0)
            # what is left comes from the books: read in batch for all the running plans
            running = Plan.search(dashboard._rsb_plans_domain("active"))
            dashboard.plans_active_amount = sum(running.mapped("amount_remaining"))

    @api.depends_context("company")
    def _compute_month(self):
        for dashboard in self:
            [(collected,)] = self.env["account.payment"]._read_group(
                dashboard._rsb_collected_month_domain(), [], ["amount_company_currency_signed:sum"]
            )
            # what is left of the items (instalments) that fell due this month: the Aging
            # report's rows (one rule, `res.partner._rsb_open_items_sql`)
            today = dashboard._rsb_today()
            [(overdue,)] = self.env["rsb.receivable.aging.report"]._read_group(
                [
                    ("company_id", "=", dashboard._rsb_company().id),
                    ("amount_residual", ">", 0),
                    ("date_due", ">=", today.replace(day=1)),
                    ("date_due", "<", today),
                    ("move_type", "=", "out_invoice"),
                ],
                [],
                ["amount_residual:sum"],
            )
            dashboard.amount_collected_month = collected
            dashboard.amount_overdue_month = overdue

    # ------------------------------------------------------------------ buttons
    def _rsb_invoice_action(self, domain, name, **context):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update({"domain": domain, "name": name, "context": {"create": False, **context}})
        return action

    def action_open_overdue(self):
        self.ensure_one()
        return self._rsb_invoice_action(self._rsb_overdue_domain(), _("Overdue Invoices"))

    def action_open_dunning_levels(self):
        self.ensure_one()
        return self._rsb_invoice_action(
            self._rsb_overdue_domain(),
            _("Overdue by Dunning Level"),
            group_by=["rsb_dunning_level_id"],
        )

    def action_open_overdue_month(self):
        self.ensure_one()
        return self._rsb_invoice_action(
            self._rsb_overdue_month_domain(), _("Fell Due This Month, Unpaid")
        )

    def action_open_collected_month(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_payments")
        action.update(
            {
                "domain": self._rsb_collected_month_domain(),
                "name": _("Collected This Month"),
                "context": {"create": False},
            }
        )
        return action

    def action_open_deposits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_deposit_held_report_action"
        )
        action["domain"] = [("company_id", "=", self._rsb_company().id)]
        return action

    def action_open_plans_active(self):
        return self._rsb_plans_action("active", _("Plans On Track"))

    def action_open_plans_broken(self):
        return self._rsb_plans_action("broken", _("Broken Plans"))

    def _rsb_plans_action(self, state, name):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_payment_plan_action"
        )
        action.update({"domain": self._rsb_plans_domain(state), "name": name, "context": {}})
        return action
