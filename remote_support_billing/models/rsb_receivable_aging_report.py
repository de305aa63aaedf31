"""The receivables aging report: the open receivable items (invoices, each instalment on its
own, credit notes, payments not applied yet) by how late they are, in the buckets of
billing_math.aging_bucket."""

from odoo import _, fields, models
from odoo.tools import SQL

from .. import billing_math

# The buckets' keys and bounds come from billing_math (one definition); their labels here.
AGING_BUCKETS = [
    ("current", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
]


class RsbReceivableAgingReport(models.Model):
    """The open receivable items by how late they are, one row per receivable journal item
    (`res.partner._rsb_open_items_sql`, the one rule: an invoice with a payment term has a
    row per open instalment, aged on its own due date; credit notes and payments not applied
    yet are negative rows), in the company's currency. Buckets are computed against today
    when the report is read. ``amount_overdue`` is what is overdue once the client's credits
    are allocated to the oldest debts: its total per client is what dunning reminds them of
    and the dashboard's Overdue figure."""

    _name = "rsb.receivable.aging.report"
    _description = "Receivables Aging"
    _auto = False
    _rec_name = "move_id"
    _order = "date_due, id"

    move_id = fields.Many2one(comodel_name="account.move", string="Document", readonly=True)
    move_type = fields.Selection(
        selection=[
            ("out_invoice", "Invoice"),
            ("out_refund", "Credit Note"),
            ("entry", "Payment / Other"),
            ("out_receipt", "Receipt"),
        ],
        string="Type",
        readonly=True,
    )
    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(selection=AGING_BUCKETS, string="Age", readonly=True)
    amount_residual = fields.Monetary(string="Open Amount", readonly=True)
    amount_current = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_90_plus = fields.Monetary(string="90+", readonly=True)
    amount_overdue = fields.Monetary(
        string="Overdue (Credits Netted)",
        readonly=True,
        help="What is left overdue of the item once the client's open credits (credit notes, "
        "payments not applied yet) are allocated to the oldest debts: what dunning reminds "
        "the client of.",
    )

    _depends = {
        "account.move": [
            "move_type",
            "state",
            "invoice_user_id",
            "invoice_date",
            "rsb_deposit_ticket_id",
        ],
        "account.move.line": [
            "partner_id",
            "company_id",
            "account_id",
            "parent_state",
            "reconciled",
            "date",
            "date_maturity",
            "amount_residual",
            "amount_residual_currency",
        ],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        days = SQL("(%s::date - items.date_due)", today)
        # billing_math.aging_bucket, in SQL: the first bucket whose bound the days do not pass
        bucket = SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL("WHEN %s <= %s THEN %s", days, upper, key)
                for key, upper in billing_math.aging_buckets(billing_math.AGING_LIMITS)
                if upper is not None
            ),
            billing_math.aging_buckets(billing_math.AGING_LIMITS)[-1][0],
        )

        def in_bucket(name):
            return SQL("CASE WHEN %s = %s THEN items.residual ELSE 0.0 END", bucket, name)

        return SQL(
            """
            SELECT items.id AS id,
                   items.move_id AS move_id,
                   m.move_type AS move_type,
                   items.partner_id AS partner_id,
                   m.invoice_user_id AS user_id,
                   items.company_id AS company_id,
                   company.currency_id AS currency_id,
                   m.invoice_date AS invoice_date,
                   items.date_due AS date_due,
                   GREATEST(%(days)s, 0) AS days_overdue,
                   %(bucket)s AS bucket,
                   items.residual AS amount_residual,
                   %(current)s AS amount_current,
                   %(b30)s AS amount_1_30,
                   %(b60)s AS amount_31_60,
                   %(b90)s AS amount_61_90,
                   %(b90p)s AS amount_90_plus,
                   CASE WHEN items.residual > 0 AND items.date_due < %(today)s
                        THEN items.net ELSE 0.0 END AS amount_overdue
              FROM (%(items)s) items
              JOIN account_move m ON m.id = items.move_id
              JOIN res_company company ON company.id = items.company_id
            """,
            days=days,
            today=today,
            bucket=bucket,
            current=in_bucket("current"),
            b30=in_bucket("1_30"),
            b60=in_bucket("31_60"),
            b90=in_bucket("61_90"),
            b90p=in_bucket("90_plus"),
            items=self.env["res.partner"]._rsb_open_items_sql(),
        )

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action(name=self.move_id.display_name)

    def action_open_moves(self):
        """The selected rows' invoices and credit notes, to act on them."""
        return self.move_id._get_records_action(name=_("Open Receivables"))
