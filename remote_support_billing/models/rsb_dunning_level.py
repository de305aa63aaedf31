"""Dunning levels: the steps of a company's dunning ladder, what each one does and the late
fee or interest it charges."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from .. import billing_math

FEE_TYPES = [
    ("none", "No Fee"),
    ("fixed", "Fixed Amount"),
    ("percent", "Percentage of the Overdue Amount"),
    ("interest", "Interest per Year on the Overdue Amount"),
]

# The default ladder: (xml id suffix, name, days from the due date, values).
DEFAULT_LEVELS = [
    (
        "reminder",
        "Friendly reminder",
        -3,
        {
            "send_email": True,
            "mail_template": "mail_template_rsb_dunning_reminder",
        },
    ),
    (
        "overdue",
        "Overdue: invoice attached",
        1,
        {
            "send_email": True,
            "attach_invoices": True,
            "mail_template": "mail_template_rsb_dunning_overdue",
        },
    ),
    (
        "second",
        "Second reminder",
        7,
        {
            "send_email": True,
            "attach_invoices": True,
            "send_sms": True,
            "mail_template": "mail_template_rsb_dunning_second",
            "sms_template": "sms_template_rsb_dunning",
        },
    ),
    (
        "call",
        "Phone call",
        14,
        {
            "send_email": True,
            "create_activity": True,
            "revoke_trust": True,
            "mail_template": "mail_template_rsb_dunning_second",
        },
    ),
    (
        "hold",
        "Credit hold",
        21,
        {
            "send_email": True,
            "attach_invoices": True,
            "send_sms": True,
            "credit_hold": True,
            "revoke_trust": True,
            "mail_template": "mail_template_rsb_dunning_hold",
            "sms_template": "sms_template_rsb_dunning",
        },
    ),
    (
        "letter",
        "Formal letter",
        30,
        {
            "send_email": True,
            "send_letter": True,
            "credit_hold": True,
            "revoke_trust": True,
            "mail_template": "mail_template_rsb_dunning_letter",
        },
    ),
    (
        "collections",
        "Collections",
        45,
        {
            "send_email": True,
            "send_letter": True,
            "credit_hold": True,
            "revoke_trust": True,
            "collections": True,
            "mail_template": "mail_template_rsb_dunning_letter",
        },
    ),
]


class RsbDunningLevel(models.Model):
    """One step of a company's dunning ladder: when it is reached (days from the due date)
    and what it does. A level's actions happen once per invoice (see rsb.dunning.history)."""

    _name = "rsb.dunning.level"
    _description = "Dunning Level"
    _order = "company_id, days, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    days = fields.Integer(
        required=True,
        help="Days from the invoice due date when the level is reached; negative: before "
        "the due date (a friendly reminder).",
    )
    # --- email
    send_email = fields.Boolean(string="Email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "rsb.dunning.run.line")],
        help="Rendered on the client's dunning line: lists all their overdue invoices with "
        "a portal pay link per invoice.",
    )
    attach_invoices = fields.Boolean(
        string="Attach Invoice PDFs", help="Attach the PDF of every listed invoice."
    )
    # --- SMS
    send_sms = fields.Boolean(string="SMS")
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain=[("model", "=", "res.partner")]
    )
    # --- activity
    create_activity = fields.Boolean(string="Activity")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
    )
    activity_user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        help="Who does the activity; empty: the client's account manager (salesperson), "
        "else the user running dunning.",
    )
    activity_summary = fields.Char(default=lambda self: _("Call the client about overdue invoices"))
    # --- letter
    send_letter = fields.Boolean(
        string="Formal Letter",
        help="A PDF letter (amount, invoices, deadline, consequence) attached to the client "
        "and posted in their chatter; the client sees it in the portal.",
    )
    letter_deadline_days = fields.Integer(string="Letter Deadline (days)", default=10)
    letter_consequence = fields.Text(
        translate=True,
        default=lambda self: _(
            "If the amount is not paid by the deadline, we will stop all work for you and "
            "hand the debt to a collection agency."
        ),
    )
    # --- late fee
    fee_type = fields.Selection(FEE_TYPES, default="none", required=True)
    fee_fixed = fields.Monetary(string="Fixed Fee", currency_field="currency_id")
    fee_percent = fields.Float(string="Fee (%)", digits=(16, 4))
    fee_interest_rate = fields.Float(string="Interest (% per year)", digits=(16, 4))
    fee_min = fields.Monetary(string="Minimum Fee", currency_field="currency_id")
    fee_max = fields.Monetary(string="Fee Cap", currency_field="currency_id", help="0: no cap.")
    fee_product_id = fields.Many2one(
        "product.product",
        string="Fee Product",
        domain=[("type", "=", "service")],
        help="The invoice line of the fee uses this product (and its income account).",
    )
    # --- consequences
    credit_hold = fields.Boolean(
        help="Put the client on credit hold: no new ticket until the overdue balance is paid."
    )
    revoke_trust = fields.Boolean(help="A trusted client loses trust and must prepay again.")
    collections = fields.Boolean(
        help="At or above the company's collections threshold the client is marked for "
        "collections; below it, a write-off is proposed."
    )

    _sql_constraints = [
        (
            "days_company_uniq",
            "UNIQUE(company_id, days)",
            "Two dunning levels of a company cannot have the same number of days.",
        ),
    ]

    @api.constrains(
        "fee_type",
        "fee_fixed",
        "fee_percent",
        "fee_interest_rate",
        "fee_min",
        "fee_max",
        "fee_product_id",
        "letter_deadline_days",
    )
    def _check_fee(self):
        for level in self:
            rounding = level.currency_id.rounding or 0.01
            amounts = (
                level.fee_fixed,
                level.fee_percent,
                level.fee_interest_rate,
                level.fee_min,
                level.fee_max,
            )
            if any(float_compare(a, 0.0, precision_rounding=rounding) < 0 for a in amounts):
                raise ValidationError(
                    _("Fee amounts and rates cannot be negative (%s).", level.name)
                )
            if (
                level.fee_max
                and float_compare(level.fee_min, level.fee_max, precision_rounding=rounding) > 0
            ):
                raise ValidationError(_("The minimum fee of %s is above its cap.", level.name))
            if level.fee_type != "none" and not level.fee_product_id:
                raise ValidationError(_("Level %s charges a fee: set its fee product.", level.name))
            if level.letter_deadline_days < 0:
                raise ValidationError(_("A letter deadline cannot be negative."))

    # ------------------------------------------------------------------ business
    def _rsb_compute_fee(self, amount, currency, due_date, date, charged_until=None, items=None):
        """The late fee of this level on an invoice with `amount` overdue (in `currency`, the
        invoice's), due on `due_date`, charged on `date`: fixed, percentage, or yearly
        interest (actual/365) for the days of lateness not charged yet, i.e. since
        `charged_until` when an earlier level charged interest up to that day
        (billing_math.interest_due: each day bears interest once across levels); with
        `items` (the overdue items with their payments, see billing_math.interest_on_balance)
        interest runs on the balance outstanding day by day. Then the
        minimum, then the cap. The fixed amount, minimum and cap are set in the company's
        currency and converted at `date`. Rounded to `currency`."""
        self.ensure_one()
        company_currency = self.company_id.currency_id

        def convert(value):
            if not value or currency == company_currency:
                return value  # nothing to convert (a set-up amount is already rounded)
            return company_currency._convert(value, currency, self.company_id, date)

        if self.fee_type == "fixed":
            fee = convert(self.fee_fixed)
        elif self.fee_type == "percent":
            fee = amount * self.fee_percent / 100.0
        elif self.fee_type == "interest":
            if not billing_math.interest_days(due_date, date, charged_until):
                return 0.0  # every day of lateness already bore interest
            rate = billing_math.to_decimal(self.fee_interest_rate) / 100
            if items is not None:
                fee = billing_math.interest_on_balance(
                    items, rate, date, charged_until, rounding=None
                )
            else:
                fee = billing_math.interest_due(
                    amount, rate, due_date, date, charged_until, rounding=None
                )
            fee = float(fee)
        else:
            return 0.0
        fee = max(fee, convert(self.fee_min))
        if self.fee_max:
            fee = min(fee, convert(self.fee_max))
        return float(billing_math.round_to(fee, currency.rounding))

    def _rsb_action_labels(self):
        """What the level does, in words (preview and chatter)."""
        self.ensure_one()
        labels = []
        if self.send_email:
            labels.append(_("Email") + (_(" with invoice PDFs") if self.attach_invoices else ""))
        if self.send_sms:
            labels.append(_("SMS"))
        if self.create_activity:
            labels.append(_("Activity"))
        if self.send_letter:
            labels.append(_("Formal letter"))
        if self.fee_type != "none":
            labels.append(_("Late fee"))
        if self.credit_hold:
            labels.append(_("Credit hold"))
        if self.revoke_trust:
            labels.append(_("Revoke trust"))
        if self.collections:
            labels.append(_("Collections"))
        return labels

    @api.model
    def _rsb_default_levels_values(self, company):
        """Values of the default ladder for `company` (hook: adapt the defaults)."""
        vals_list = []
        fee_product = self.env.ref(
            "remote_support_billing.product_rsb_dunning_fee", raise_if_not_found=False
        )
        for _key, name, days, options in DEFAULT_LEVELS:
            vals = {
                "name": name,
                "days": days,
                "company_id": company.id,
                "fee_product_id": fee_product.id if fee_product else False,
            }
            for key, value in options.items():
                if key == "mail_template":
                    template = self.env.ref(
                        f"remote_support_billing.{value}", raise_if_not_found=False
                    )
                    vals["mail_template_id"] = template.id if template else False
                elif key == "sms_template":
                    template = self.env.ref(
                        f"remote_support_billing.{value}", raise_if_not_found=False
                    )
                    vals["sms_template_id"] = template.id if template else False
                else:
                    vals[key] = value
            vals_list.append(vals)
        return vals_list

    @api.model
    def _rsb_create_default_levels(self, company):
        """Create the default ladder for a company that has no level yet."""
        existing = self.with_context(active_test=False).search([("company_id", "=", company.id)])
        if existing:
            return self.browse()
        return self.create(self._rsb_default_levels_values(company))
