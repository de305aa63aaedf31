"""One line of the days-sales-outstanding result: a client's sales, receivable and DSO."""

from odoo import api, fields, models


class RsbDsoWizardLine(models.TransientModel):
    _name = "rsb.dso.wizard.line"
    _description = "Days Sales Outstanding per Client"
    _order = "dso desc, id"

    wizard_id = fields.Many2one(comodel_name="rsb.dso.wizard", required=True, ondelete="cascade")
    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    amount_receivable = fields.Monetary(string="Receivables at End", readonly=True)
    amount_sales = fields.Monetary(string="Credit Sales", readonly=True)
    dso = fields.Float(
        string="DSO (days)",
        digits=(16, 1),
        readonly=True,
        aggregator="max",
        help="Receivables at the end / credit sales of the period * days in the period; "
        "0 when the client had no credit sales in the period.",
    )
    dso_note = fields.Char(
        string="Note",
        compute="_compute_dso_note",
        help="Why a client has no DSO: without credit sales in the period, the days of "
        "sales its receivables represent are not defined.",
    )

    @api.depends("amount_sales", "amount_receivable")
    def _compute_dso_note(self):
        for line in self:
            currency = line.currency_id
            no_sales = currency and currency.compare_amounts(line.amount_sales, 0.0) <= 0
            line.dso_note = (
                self.env._("No credit sales in the period")
                if no_sales and not currency.is_zero(line.amount_receivable)
                else False
            )
