"""Days Sales Outstanding over a period, per client and overall."""

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class RsbDsoWizard(models.TransientModel):
    """Days Sales Outstanding over a period, per client and overall:

        DSO = receivables at the end of the period / credit sales of the period
              * days in the period

    Receivables: balance of the receivable accounts on the last day (posted entries).
    Credit sales: customer invoices less real refunds (credit notes) dated in the period,
    taxes included (as the receivables are). Deposit requests are not sales (an advance),
    so neither the credit notes that return an unused deposit (settle-up) nor those that
    reverse a deposit request are refunds. All in the company's currency. The DSO is never
    negative: a client with credit (receivables below 0) or no net sales has a DSO of 0.
    """

    _name = "rsb.dso.wizard"
    _description = "Days Sales Outstanding"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - relativedelta(days=89),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )
    days = fields.Integer(string="Days in Period", compute="_compute_days")
    line_ids = fields.One2many(
        comodel_name="rsb.dso.wizard.line", inverse_name="wizard_id", string="Clients"
    )
    amount_receivable = fields.Monetary(string="Receivables at End", readonly=True)
    amount_sales = fields.Monetary(string="Credit Sales", readonly=True)
    dso = fields.Float(string="DSO (days)", digits=(16, 1), readonly=True)
    computed = fields.Boolean(readonly=True)

    @api.depends("date_from", "date_to", "company_id")
    def _compute_display_name(self):
        """A readable breadcrumb: the period, not "rsb.dso.wizard,1"."""
        for wizard in self:
            wizard.display_name = _(
                "DSO %(date_from)s to %(date_to)s",
                date_from=format_date(self.env, wizard.date_from),
                date_to=format_date(self.env, wizard.date_to),
            )

    @api.depends("date_from", "date_to")
    def _compute_days(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to:
                wizard.days = (wizard.date_to - wizard.date_from).days + 1
            else:
                wizard.days = 0

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(_("The period must start before it ends."))

    def action_compute(self):
        self.ensure_one()
        receivables, sales = self._rsb_get_figures()
        partners = self.env["res.partner"].browse(receivables) | self.env["res.partner"].browse(
            sales
        )
        currency = self.currency_id
        self.line_ids.unlink()
        self.env["rsb.dso.wizard.line"].create(
            [
                {
                    "wizard_id": self.id,
                    "partner_id": partner.id,
                    "amount_receivable": receivables.get(partner.id, 0.0),
                    "amount_sales": sales.get(partner.id, 0.0),
                    "dso": self._rsb_dso(
                        receivables.get(partner.id, 0.0), sales.get(partner.id, 0.0)
                    ),
                }
                for partner in partners.sorted("display_name")
                if not (
                    currency.is_zero(receivables.get(partner.id, 0.0))
                    and currency.is_zero(sales.get(partner.id, 0.0))
                )
            ]
        )
        total_receivable = currency.round(sum(receivables.values()))
        total_sales = currency.round(sum(sales.values()))
        self.write(
            {
                "amount_receivable": total_receivable,
                "amount_sales": total_sales,
                "dso": self._rsb_dso(total_receivable, total_sales),
                "computed": True,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_dso_wizard_line_action"
        )
        action["domain"] = [("wizard_id", "=", self.id)]
        return action

    def _rsb_dso(self, receivable, sales):
        compare = self.currency_id.compare_amounts
        if compare(sales, 0.0) <= 0 or compare(receivable, 0.0) <= 0:
            return 0.0
        return round(receivable / sales * self.days, 1)

    @api.model
    def _rsb_sales_domain(self):
        """What is a sale or a real refund (hook): not a deposit request, not the credit note
        of an unused deposit (settle-up), not the reversal of a deposit request."""
        return [
            ("rsb_deposit_ticket_id", "=", False),
            "|",
            ("move_type", "=", "out_invoice"),
            "&",
            ("rsb_settlement_ticket_ids", "=", False),
            "!",
            ("reversed_entry_id.rsb_deposit_ticket_id", "!=", False),
        ]

    def _rsb_get_figures(self):
        """({client id: receivables at the end}, {client id: credit sales}), each from one
        grouped query, per commercial partner."""
        company = self.company_id
        receivable_groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("date", "<=", self.date_to),
                ("partner_id", "!=", False),
            ],
            ["partner_id"],
            ["balance:sum"],
        )
        receivables = {}
        for partner, balance in receivable_groups:
            client = partner.commercial_partner_id.id
            receivables[client] = receivables.get(client, 0.0) + balance
        sales_groups = self.env["account.move"]._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("invoice_date", ">=", self.date_from),
                ("invoice_date", "<=", self.date_to),
                *self._rsb_sales_domain(),
            ],
            ["commercial_partner_id"],
            ["amount_total_signed:sum"],
        )
        sales = {partner.id: amount for partner, amount in sales_groups}
        # A settle-up invoice is the sale of the time, gross: the deposit applied on it (a
        # negative line) was a prepayment of that sale, not a discount (issue 24: $215 of
        # time with $172 of deposit is a $215 sale, not $43).
        applied = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("rsb_deposit_role", "=", "apply"),
                ("display_type", "=", "product"),
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.invoice_date", ">=", self.date_from),
                ("move_id.invoice_date", "<=", self.date_to),
            ]
        )
        for line in applied:
            client = line.move_id.commercial_partner_id.id
            gross = -line.currency_id._convert(
                line.price_total, company.currency_id, company, line.date
            )
            sales[client] = sales.get(client, 0.0) + gross
        return receivables, sales
