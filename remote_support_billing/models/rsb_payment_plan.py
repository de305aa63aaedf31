"""Payment plans: the plan model, its fields, constraints, edit rules and buttons (the
schedule, the accounting and the lifecycle live in the rsb_payment_plan_*.py files)."""

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

PLAN_STATES = [
    ("draft", "Draft"),
    ("active", "On Track"),
    ("broken", "Broken"),
    ("done", "Completed"),
    ("cancelled", "Cancelled"),
]
FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
]
MAX_INSTALMENTS = 240
# What defines the schedule: it cannot change once the plan is confirmed.
SCHEDULE_FIELDS = {
    "partner_id",
    "company_id",
    "invoice_ids",
    "down_payment",
    "instalment_count",
    "frequency",
    "first_date",
    "interest_rate",
}


class RsbPaymentPlan(models.Model):
    """A client's overdue invoices paid in instalments.

    The covered invoices stay open (the receivable stays on them). Each instalment pays its
    interest invoice first, then the covered invoices oldest first; while the plan is on
    track dunning skips the invoices.
    """

    _name = "rsb.payment.plan"
    _description = "Payment Plan"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: _("New")
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        tracking=True,
        check_company=True,
        index=True,
        help="The client company: a plan covers the invoices of one commercial partner.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Told when the plan breaks, unless the client has a salesperson.",
    )
    state = fields.Selection(
        selection=PLAN_STATES, default="draft", required=True, tracking=True, copy=False, index=True
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_currency_id", store=True, precompute=True
    )
    invoice_ids = fields.Many2many(
        comodel_name="account.move",
        relation="rsb_payment_plan_invoice_rel",
        column1="plan_id",
        column2="move_id",
        string="Invoices",
        copy=False,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'),"
        " ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial')),"
        " ('rsb_deposit_ticket_id', '=', False)]",
        help="Open customer invoices of the client paid through this plan (deposit requests "
        "are not debts: they are cancelled or waived, never financed).",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    amount_due = fields.Monetary(
        string="Amount Owed",
        compute="_compute_amount_due",
        store=True,
        help="Open balance of the invoices when they were selected, refreshed and frozen when "
        "the plan is confirmed.",
    )
    down_payment = fields.Monetary(
        string="Paid Now", tracking=True, help="Down payment received when the plan is agreed."
    )
    down_payment_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Paid Now Into",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        default=lambda self: self._default_down_payment_journal_id(),
    )
    down_payment_id = fields.Many2one(
        comodel_name="account.payment", string="Down Payment", readonly=True, copy=False
    )
    amount_financed = fields.Monetary(
        string="Financed",
        compute="_compute_amount_financed",
        store=True,
        help="What the instalments repay: the amount owed less what is paid now.",
    )
    instalment_count = fields.Integer(string="Instalments", default=3, tracking=True)
    frequency = fields.Selection(
        selection=FREQUENCIES, default="monthly", required=True, tracking=True
    )
    first_date = fields.Date(
        string="First Instalment",
        required=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(months=1),
    )
    interest_rate = fields.Float(
        string="Annual Interest (%)",
        digits=(6, 4),
        tracking=True,
        help="Yearly rate; each instalment's interest is invoiced when the instalment is due.",
    )
    line_ids = fields.One2many(
        comodel_name="rsb.payment.plan.line", inverse_name="plan_id", string="Schedule", copy=False
    )
    next_line_id = fields.Many2one(
        comodel_name="rsb.payment.plan.line",
        string="Next Instalment",
        compute="_compute_next_line_id",
    )
    payment_ids = fields.One2many(
        comodel_name="account.payment", inverse_name="rsb_payment_plan_id", string="Payments"
    )
    payment_count = fields.Integer(compute="_compute_payment_count")
    break_date = fields.Date(string="Broken On", readonly=True, copy=False)
    break_reason = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A payment plan reference must be unique.",
        ),
    ]

    # ------------------------------------------------------------------ defaults
    lift_hold = fields.Boolean(
        string="Lift Credit Hold and Collections",
        default=True,
        help="When the plan is agreed, lift the client's credit hold and take them out of "
        "collections (the reason, this plan, is posted on the client). Dunning stays paused "
        "on the plan's invoices; a broken plan lets dunning run again.",
    )

    def _default_down_payment_journal_id(self):
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "bank"),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------ computes
    @api.depends("invoice_ids", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            if plan.state == "draft" or not plan.currency_id:
                plan.currency_id = plan.invoice_ids[:1].currency_id or plan.company_id.currency_id

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for plan in self:
            plan.invoice_count = len(plan.invoice_ids)

    @api.depends("invoice_ids", "state")
    def _compute_amount_due(self):
        # Not triggered by the invoices' balances (that would cost a query on every payment
        # of any invoice): action_confirm refreshes it before building the final schedule.
        for plan in self:
            if plan.state == "draft" or not plan.id:
                plan.amount_due = sum(plan.invoice_ids.mapped("amount_residual"))
            # once confirmed the amount owed is what the schedule was built on: kept as it was

    @api.depends("amount_due", "down_payment")
    def _compute_amount_financed(self):
        for plan in self:
            plan.amount_financed = plan.amount_due - plan.down_payment

    @api.depends("line_ids.state")
    def _compute_next_line_id(self):
        for plan in self:
            plan.next_line_id = plan.line_ids.sorted("sequence").filtered(
                lambda line: line.state != "paid"
            )[:1]

    @api.depends("payment_ids")
    def _compute_payment_count(self):
        for plan in self:
            plan.payment_count = len(plan.payment_ids)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for plan in self:
            plan.access_url = f"/my/payment_plans/{plan.id}"
        return res

    # ------------------------------------------------------------------ constraints
    @api.constrains("instalment_count")
    def _check_instalment_count(self):
        for plan in self:
            if plan.instalment_count <= 0:
                raise ValidationError(
                    _(
                        "A payment plan needs at least one instalment (%s given).",
                        plan.instalment_count,
                    )
                )
            if plan.instalment_count > MAX_INSTALMENTS:
                raise ValidationError(
                    _("A payment plan has at most %s instalments.", MAX_INSTALMENTS)
                )

    @api.constrains("interest_rate")
    def _check_interest_rate(self):
        for plan in self:
            if plan.interest_rate < 0 or plan.interest_rate > 100:
                raise ValidationError(
                    _(
                        "The annual interest rate must be between 0 and 100%% (%s%% given).",
                        plan.interest_rate,
                    )
                )

    @api.constrains("first_date", "state")
    def _check_first_date(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state == "draft" and plan.first_date and plan.first_date < today:
                raise ValidationError(
                    _(
                        "The first instalment (%(date)s) cannot be in the past.",
                        date=format_date(self.env, plan.first_date),
                    )
                )

    @api.constrains("invoice_ids", "partner_id", "company_id")
    def _check_invoices(self):
        for plan in self.filtered(lambda p: p.state == "draft"):
            if not plan.invoice_ids:
                raise ValidationError(_("Select the invoices the payment plan covers."))
            client = plan.partner_id.commercial_partner_id
            for invoice in plan.invoice_ids:
                if invoice.move_type != "out_invoice" or invoice.state != "posted":
                    raise ValidationError(
                        _(
                            "%s is not a posted customer invoice: a payment plan covers open "
                            "customer invoices only.",
                            invoice.display_name,
                        )
                    )
                if invoice.payment_state in (
                    "paid",
                    "in_payment",
                    "reversed",
                ) or invoice.currency_id.is_zero(invoice.amount_residual):
                    raise ValidationError(
                        _(
                            "Invoice %s is already paid: it cannot be part of a payment plan.",
                            invoice.name,
                        )
                    )
                if invoice.commercial_partner_id != client:
                    raise ValidationError(
                        _(
                            "Invoice %(invoice)s is billed to %(other)s, not to %(client)s: a "
                            "payment plan covers the invoices of one client.",
                            invoice=invoice.name,
                            other=invoice.commercial_partner_id.display_name,
                            client=client.display_name,
                        )
                    )
            if len(plan.invoice_ids.currency_id) > 1:
                raise ValidationError(_("The invoices of a payment plan must share one currency."))

    @api.constrains("down_payment", "invoice_ids")
    def _check_down_payment(self):
        for plan in self.filtered(lambda p: p.state == "draft"):
            currency = plan.currency_id
            if currency.compare_amounts(plan.down_payment, 0.0) < 0:
                raise ValidationError(_("The amount paid now cannot be negative."))
            if currency.compare_amounts(plan.down_payment, plan.amount_due) >= 0:
                raise ValidationError(
                    _(
                        "The amount paid now (%(paid)s) must be less than what is owed "
                        "(%(due)s): register a plain payment instead of a plan.",
                        paid=format_amount(self.env, plan.down_payment, currency),
                        due=format_amount(self.env, plan.amount_due, currency),
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                self._rsb_check_state_change(vals)
            self._rsb_normalize_partner(vals)
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("rsb.payment.plan") or _("New")
        plans = super().create(vals_list)
        plans._rsb_generate_lines()
        return plans

    def write(self, vals):
        self._rsb_check_state_change(vals)
        self._rsb_normalize_partner(vals)
        schedule_change = SCHEDULE_FIELDS & vals.keys()
        if schedule_change and self.filtered(lambda p: p.state != "draft"):
            raise UserError(
                _(
                    "The terms of a confirmed payment plan cannot change: cancel it and create "
                    "a new plan."
                )
            )
        res = super().write(vals)
        if schedule_change:
            self._rsb_generate_lines()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        if self.filtered(lambda p: p.state not in ("draft", "cancelled")):
            raise UserError(
                _(
                    "Only draft or cancelled payment plans can be deleted: a confirmed plan "
                    "has payments and interest invoices."
                )
            )

    # ------------------------------------------------------------------ actions
    @api.model
    def _rsb_action_new_from_invoices(self, invoices):
        """Open a new plan for the selected invoices (server action of the invoice list)."""
        invoices = invoices.filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            raise UserError(_("Select the client's open customer invoices first."))
        if len(invoices.commercial_partner_id) > 1:
            raise UserError(
                _(
                    "The selected invoices belong to different clients (%s): a payment plan "
                    "covers one client's invoices.",
                    ", ".join(invoices.commercial_partner_id.mapped("display_name")),
                )
            )
        not_open = invoices.filtered(
            lambda m: m.state != "posted" or m.payment_state not in ("not_paid", "partial")
        )
        if not_open:
            raise UserError(
                _(
                    "These invoices are not open (draft, cancelled or paid): %s",
                    ", ".join(not_open.mapped("display_name")),
                )
            )
        return self._rsb_action_new(invoices.commercial_partner_id, invoices)

    @api.model
    def _rsb_action_new(self, partner, invoices):
        return {
            "type": "ir.actions.act_window",
            "name": _("New Payment Plan"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": partner.id,
                "default_company_id": (invoices.company_id[:1] or self.env.company).id,
                "default_invoice_ids": [fields.Command.set(invoices.ids)],
            },
        }

    def action_send_schedule(self):
        self._rsb_send_schedule()
        return True

    def action_register_payment(self):
        """Record an instalment received outside the portal (bank transfer, cheque)."""
        self.ensure_one()
        if self.state != "active":
            raise UserError(_("Payments are registered on running plans only."))
        line = self.next_line_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Instalment Payment"),
            "res_model": "account.payment",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_payment_type": "inbound",
                "default_partner_type": "customer",
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_currency_id": self.currency_id.id,
                "default_amount": line.amount_residual,
                "default_journal_id": self.down_payment_journal_id.id,
                "default_memo": line._rsb_payment_reference() if line else self.name,
                "default_rsb_payment_plan_id": self.id,
                "default_rsb_plan_line_id": line.id,
            },
        }

    def action_view_invoices(self):
        self.ensure_one()
        return self.invoice_ids._get_records_action(name=_("Invoices of %s", self.name))

    def action_view_interest_invoices(self):
        self.ensure_one()
        return self.line_ids.interest_move_id._get_records_action(
            name=_("Interest Invoices of %s", self.name)
        )

    def action_view_payments(self):
        self.ensure_one()
        return self.payment_ids._get_records_action(name=_("Payments of %s", self.name))

    # ------------------------------------------------------------------ business
    def _rsb_check_state_change(self, vals):
        """The status follows the plan's buttons, payments and cron, on every path (form,
        import, RPC): it is not written directly."""
        if (
            "state" in vals
            and not self.env.context.get("rsb_plan_state_change")
            and not self.env.su
        ):
            raise UserError(
                _(
                    "The status of a payment plan follows its buttons (Confirm, Cancel) and "
                    "its payments; it cannot be set directly."
                )
            )

    def _rsb_set_state(self, state, **vals):
        self.with_context(rsb_plan_state_change=True).write({"state": state, **vals})

    @api.model
    def _rsb_normalize_partner(self, vals):
        """A plan belongs to the client company (commercial partner), not to a contact."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id
