from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

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
# The periodic rate of the annuity is the annual rate divided by the periods of a year.
PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "monthly": 12}
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
        " ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Open customer invoices of the client paid through this plan.",
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
    # Read from the books when displayed (not stored: storing them would make every change of
    # any invoice's balance look for plans to recompute), as the system: a client reading
    # their plan cannot read draft interest invoices.
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_amount_collected",
        compute_sudo=True,
        help="Paid since the plan started, the down payment excepted: principal paid on the "
        "invoices plus interest paid.",
    )
    amount_remaining = fields.Monetary(
        string="Remaining", compute="_compute_amount_collected", compute_sudo=True
    )
    amount_open = fields.Monetary(
        string="Open Balance",
        compute="_compute_amount_open",
        compute_sudo=True,
        help="What the client still owes on the plan's invoices and posted interest.",
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

    @api.depends("line_ids.date", "line_ids.amount", "line_ids.interest")
    def _compute_schedule_totals(self):
        for plan in self:
            lines = plan.line_ids.sorted("sequence")
            plan.end_date = max(lines.mapped("date"), default=False)
            plan.amount_instalment = lines[:1].amount
            plan.amount_interest = sum(lines.mapped("interest"))
            plan.amount_scheduled = sum(lines.mapped("amount"))

    @api.depends(
        "state",
        "amount_financed",
        "amount_scheduled",
        "invoice_ids.amount_residual",
        "line_ids.interest_move_id.state",
        "line_ids.interest_move_id.amount_residual",
    )
    def _compute_amount_collected(self):
        for plan in self:
            if plan.state == "draft":
                plan.amount_collected = 0.0
                plan.amount_remaining = plan.amount_scheduled
                continue
            principal_paid = plan.amount_financed - sum(plan.invoice_ids.mapped("amount_residual"))
            interest_paid = sum(
                move.amount_total - move.amount_residual
                for move in plan.line_ids.interest_move_id
                if move.state == "posted"
            )
            collected = plan.currency_id.round(max(principal_paid, 0.0) + interest_paid)
            plan.amount_collected = collected
            plan.amount_remaining = max(plan.amount_scheduled - collected, 0.0)

    @api.depends("invoice_ids.amount_residual", "line_ids.interest_move_id.amount_residual")
    def _compute_amount_open(self):
        for plan in self:
            moves = plan.invoice_ids | plan.line_ids.interest_move_id.filtered(
                lambda m: m.state == "posted"
            )
            plan.amount_open = sum(moves.mapped("amount_residual"))

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

    def action_confirm(self):
        """Start the plan: register what is paid now, prepare the interest invoices, pause
        dunning on the invoices and send the client the schedule."""
        # the invoices' balance may have moved since the draft was saved
        for fname in ("amount_due", "amount_financed"):
            self.env.add_to_compute(self._fields[fname], self)
        for plan in self:
            plan._rsb_check_can_confirm()
        self._rsb_generate_lines()
        self._rsb_set_state("active")
        for plan in self:
            plan._rsb_register_down_payment()
        self._rsb_create_interest_invoices()
        self._rsb_pause_dunning()
        for plan in self:
            plan._rsb_log_event(
                _(
                    "Payment plan %(plan)s agreed: %(count)s %(frequency)s instalments of "
                    "%(amount)s from %(date)s (owed %(due)s, paid now %(paid)s, interest "
                    "%(interest)s). Dunning is paused on its invoices until %(end)s.",
                    plan=plan.name,
                    count=plan.instalment_count,
                    frequency=dict(FREQUENCIES)[plan.frequency].lower(),
                    amount=format_amount(self.env, plan.amount_instalment, plan.currency_id),
                    date=format_date(self.env, plan.first_date),
                    due=format_amount(self.env, plan.amount_due, plan.currency_id),
                    paid=format_amount(self.env, plan.down_payment, plan.currency_id),
                    interest=format_amount(self.env, plan.amount_interest, plan.currency_id),
                    end=format_date(self.env, plan.end_date),
                )
            )
        self._rsb_send_schedule()
        self._rsb_check_done()
        return True

    def action_cancel(self):
        """Cancel a draft or running plan: future interest is not charged and dunning
        resumes on the invoices still open."""
        for plan in self:
            if plan.state not in ("draft", "active"):
                raise UserError(
                    _(
                        "Plan %(plan)s is %(state)s: only draft and running plans can be "
                        "cancelled.",
                        plan=plan.name,
                        state=dict(PLAN_STATES)[plan.state],
                    )
                )
        running = self.filtered(lambda p: p.state == "active")
        self._rsb_set_state("cancelled")
        running._rsb_cancel_future_interest()
        running._rsb_resume_dunning()
        for plan in running:
            plan._rsb_log_event(
                _("Payment plan %s cancelled: dunning resumes on its open invoices.", plan.name)
            )
        return True

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

    @api.model
    def _rsb_compute_schedule(self, amount, count, frequency, first_date, annual_rate, currency):
        """Instalments repaying ``amount`` (list of dicts, in order).

        With interest, a standard annuity: payment = P*r / (1 - (1+r)^-n), r the annual rate
        divided by the periods of a year; each interest is rounded to the currency, the
        principal is the payment less the interest. Without interest, equal instalments.
        In both cases the last instalment takes what is left, so the principals add up to
        ``amount`` exactly. Computed in decimals, rounded half-up to the currency.
        """
        if count <= 0:
            return []
        quantum = Decimal(str(currency.rounding))

        def rnd(value):
            return (value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum

        financed = rnd(Decimal(str(amount)))
        rate = Decimal(str(annual_rate or 0.0)) / Decimal(100) / PERIODS_PER_YEAR[frequency]
        if rate:
            payment = rnd(financed * rate / (1 - (1 + rate) ** -count))
        else:
            payment = rnd(financed / count)
        balance = financed
        schedule = []
        for index in range(count):
            interest = rnd(balance * rate)
            principal = balance if index == count - 1 else payment - interest
            balance -= principal
            schedule.append(
                {
                    "sequence": index + 1,
                    "date": self._rsb_instalment_date(first_date, frequency, index),
                    "principal": float(principal),
                    "interest": float(interest),
                    "amount": float(principal + interest),
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

    def _rsb_check_can_confirm(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Plan %s is already confirmed.", self.name))
        # the draft may be days old: check again what the constraints checked on save
        self._check_invoices()
        self._check_down_payment()
        self._check_first_date()
        self._check_instalment_count()
        self._check_interest_rate()
        if not self.line_ids:
            raise UserError(_("Plan %s has no schedule.", self.name))
        others = self.search(
            [
                ("id", "!=", self.id),
                ("state", "=", "active"),
                ("invoice_ids", "in", self.invoice_ids.ids),
            ]
        )
        if others:
            shared = self.invoice_ids & others.invoice_ids
            raise UserError(
                _(
                    "Invoices %(invoices)s are already in running plan %(plans)s.",
                    invoices=", ".join(shared.mapped("name")),
                    plans=", ".join(others.mapped("name")),
                )
            )
        if not self.currency_id.is_zero(self.down_payment) and not self.down_payment_journal_id:
            raise UserError(_("Choose the journal the amount paid now was received in."))

    def _rsb_register_down_payment(self):
        """The amount paid now, as a posted customer payment applied to the invoices."""
        self.ensure_one()
        if self.currency_id.is_zero(self.down_payment):
            return
        payment = self.env["account.payment"].create(self._prepare_rsb_down_payment_values())
        payment.action_post()
        self.down_payment_id = payment

    def _prepare_rsb_down_payment_values(self):
        self.ensure_one()
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.down_payment_journal_id.id,
            "amount": self.down_payment,
            "currency_id": self.currency_id.id,
            "date": fields.Date.context_today(self),
            "memo": _("%s: paid now", self.name),
            "rsb_payment_plan_id": self.id,
        }

    def _rsb_create_interest_invoices(self):
        """One draft interest invoice per instalment with interest, dated on the instalment
        and posted when it is due (by the daily cron, or when the instalment is paid)."""
        product = self.env.ref("remote_support_billing.product_rsb_plan_interest")
        lines = self.line_ids.filtered(lambda line: not line.currency_id.is_zero(line.interest))
        if not lines:
            return
        journals = {}
        for company in lines.company_id:
            journal = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(company),
                    ("type", "=", "sale"),
                ],
                limit=1,
            )
            if not journal:
                raise UserError(_("Company %s has no sales journal.", company.name))
            journals[company] = journal
        moves = self.env["account.move"].create(
            [
                line._prepare_rsb_interest_invoice_values(journals[line.company_id], product)
                for line in lines
            ]
        )
        for line, move in zip(lines, moves, strict=True):
            line.interest_move_id = move

    def _rsb_pause_values(self):
        self.ensure_one()
        return {
            "rsb_dunning_pause_reason": "payment_plan",
            "rsb_dunning_pause_until": self.end_date,
            "rsb_dunning_pause_note": self.name,
        }

    def _rsb_pause_dunning(self):
        for plan in self:
            open_invoices = plan.invoice_ids.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            open_invoices.write(plan._rsb_pause_values())

    def _rsb_resume_dunning(self):
        """Clear the plan's pause on its invoices; their dunning level is left as it was,
        so dunning resumes where it stopped."""
        for plan in self:
            moves = (plan.invoice_ids | plan.line_ids.interest_move_id).filtered(
                lambda m, name=plan.name: m.rsb_dunning_pause_reason == "payment_plan"
                and m.rsb_dunning_pause_note == name
            )
            moves.write(
                {
                    "rsb_dunning_pause_reason": False,
                    "rsb_dunning_pause_until": False,
                    "rsb_dunning_pause_note": False,
                }
            )

    def _rsb_cancel_future_interest(self):
        drafts = self.line_ids.interest_move_id.filtered(lambda m: m.state == "draft")
        drafts.button_cancel()

    def _rsb_get_line_to_pay(self):
        """The instalment the client pays next (paying ahead of time is allowed)."""
        self.ensure_one()
        if self.state != "active":
            return self.env["rsb.payment.plan.line"]
        return self.next_line_id

    def _rsb_open_moves_for(self, line):
        """What a payment of ``line`` pays: its interest invoice, then the open invoices."""
        self.ensure_one()
        open_invoices = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
        )
        interest = line.interest_move_id.filtered(lambda m: m.state != "cancel")
        return interest | open_invoices

    def _rsb_apply_payment(self, payment):
        """Reconcile a plan payment as the schedule says: the instalment's interest invoice
        first, then the plan's invoices oldest due date first. What is left stays on the
        client's account as an outstanding credit."""
        self.ensure_one()
        account = payment.destination_account_id

        def open_lines(moves):
            return moves.line_ids.filtered(
                lambda line: line.account_id == account
                and line.parent_state == "posted"
                and not line.reconciled
            )

        interest = payment.rsb_plan_line_id.interest_move_id
        if interest.state == "draft":
            interest.action_post()  # paid ahead of its date
        for debts in (interest, self.invoice_ids):
            counterpart = open_lines(payment.move_id)
            debt_lines = open_lines(debts)
            if counterpart and debt_lines:
                (counterpart + debt_lines).reconcile()
        line = payment.rsb_plan_line_id
        paid = format_amount(self.env, payment.amount, payment.currency_id)
        if line:
            body = _(
                "Payment %(payment)s of %(amount)s received for instalment %(seq)s of "
                "%(count)s of plan %(plan)s.",
                payment=payment.name,
                amount=paid,
                seq=line.sequence,
                count=len(self.line_ids),
                plan=self.name,
            )
        else:
            body = _(
                "Payment %(payment)s of %(amount)s received on plan %(plan)s.",
                payment=payment.name,
                amount=paid,
                plan=self.name,
            )
        self._rsb_log_event(body)

    def _rsb_check_done(self):
        """Complete the running plans whose invoices and interest are all paid."""
        for plan in self.filtered(lambda p: p.state == "active"):
            posted = (plan.invoice_ids | plan.line_ids.interest_move_id).filtered(
                lambda m: m.state == "posted"
            )
            if any(not move.currency_id.is_zero(move.amount_residual) for move in posted):
                continue
            plan._rsb_set_state("done")
            plan._rsb_cancel_future_interest()  # paid off early: no further interest
            plan._rsb_resume_dunning()
            plan._rsb_log_event(
                _(
                    "Payment plan %(plan)s completed: %(amount)s collected, every invoice paid.",
                    plan=plan.name,
                    amount=format_amount(self.env, plan.amount_collected, plan.currency_id),
                )
            )

    def _rsb_break(self, line):
        """A missed instalment breaks the plan: tell the client and the account manager,
        and let dunning resume on the invoices from the level they had reached."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        days = (today - line.date).days
        reason = _(
            "instalment %(seq)s of %(amount)s due on %(date)s is %(days)s days late",
            seq=line.sequence,
            amount=format_amount(self.env, line.amount, self.currency_id),
            date=format_date(self.env, line.date),
            days=days,
        )
        self._rsb_set_state("broken", break_date=today, break_reason=reason)
        self._rsb_cancel_future_interest()
        self._rsb_resume_dunning()
        self._rsb_log_event(
            _(
                "Payment plan %(plan)s broken: %(reason)s. Dunning resumes on its open invoices.",
                plan=self.name,
                reason=reason,
            )
        )
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_payment_plan_broken", raise_if_not_found=False
        )
        if template and self.partner_id.email:
            self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        manager = self.partner_id.user_id or self.user_id
        if manager:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=_("Payment plan broken: call the client"),
                note=_(
                    "Plan %(plan)s of %(client)s is broken: %(reason)s.",
                    plan=self.name,
                    client=self.partner_id.display_name,
                    reason=reason,
                ),
            )

    def _rsb_log_event(self, body):
        """Post the event in the plan's chatter and in the client's.

        The note on the client is posted in sudo (an accountant may not be allowed to edit
        clients) once the plan's own chatter accepted it from the current user, who stays
        its author.
        """
        for plan in self:
            plan.message_post(body=body, subtype_xmlid="mail.mt_note")
            plan.partner_id.sudo().message_post(
                body=Markup("%s<br/>%s") % (plan._get_html_link(), body),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )

    def _rsb_send_schedule(self):
        """Email the client the schedule with the portal link to pay."""
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_payment_plan_schedule",
            raise_if_not_found=False,
        )
        for plan in self:
            if template and plan.partner_id.email:
                plan._portal_ensure_token()
                plan.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
            else:
                plan.message_post(
                    body=_(
                        "The client has no email address: send them the schedule and "
                        "the portal link yourself."
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    @api.model
    def _cron_rsb_payment_plans(self):
        """Daily: post the interest invoices that fell due, complete the plans fully paid,
        break the plans with an instalment late by the company's number of days."""
        today = fields.Date.context_today(self)
        Line = self.env["rsb.payment.plan.line"]
        due_lines = Line.search(
            [
                ("plan_id.state", "=", "active"),
                ("interest_move_id.state", "=", "draft"),
                ("date", "<=", today),
            ],
            order="plan_id, sequence",
        )
        if due_lines:
            due_lines.interest_move_id.action_post()
            for plan, lines in due_lines.grouped("plan_id").items():
                plan._rsb_log_event(
                    _(
                        "Interest of instalment %(seq)s invoiced: %(moves)s.",
                        seq=", ".join(str(seq) for seq in lines.mapped("sequence")),
                        moves=", ".join(lines.interest_move_id.mapped("name")),
                    )
                )
        self.search([("state", "=", "active")])._rsb_check_done()
        late_lines = Line.search(
            [("plan_id.state", "=", "active"), ("date", "<", today)],
            order="plan_id, sequence",
        ).filtered(lambda line: line.state != "paid")
        for plan, lines in late_lines.grouped("plan_id").items():
            limit = today - timedelta(days=plan.company_id.rsb_plan_break_days)
            missed = lines.filtered(lambda line, limit=limit: line.date <= limit)[:1]
            if missed:
                plan._rsb_break(missed)
