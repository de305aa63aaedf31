"""Late fees and interest of a dunning run line: what each newly reached level charges on
each overdue invoice (in the invoice's currency, each day of interest once) and the fee
invoices, taxed as the fee product says."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, float_compare


class RsbDunningRunLine(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run.line"  # pylint: disable=consider-merging-classes-inherited

    fee_move_ids = fields.Many2many(
        "account.move",
        "rsb_dunning_run_line_fee_move_rel",
        "line_id",
        "move_id",
        string="Fee Invoices",
        readonly=True,
        help="The late fees and interest charged: one invoice per currency of the overdue "
        "invoices.",
    )

    # ------------------------------------------------------------------ business
    @api.model
    def _rsb_compute_fees(self, rows, levels, date, memo=None):
        """The fees the levels reached charge on a client's invoices at `date`: a list of
        (plan row, level, amount in the invoice's currency). Interest counts only the days
        not charged yet (`interest_until` of the row: the last day an earlier level charged
        interest up to), on the balance outstanding each day (the row's `items`: a payment
        stops interest on what it paid from its date). Fees are computed on what is left of
        the overdue items once the client's credits are netted (`_rsb_plan`). No fee on a
        fee invoice.

        :param memo: a dict kept by the caller across clients (the levels that charge)"""
        memo = {} if memo is None else memo
        if "charging" not in memo:
            memo["charging"] = {lid for lid, level in levels.items() if level.fee_type != "none"}
        charging = memo["charging"]
        fees = []
        for row in rows:
            if row["is_fee"] or row["level_id"] not in charging:
                continue
            level = levels[row["level_id"]]
            currency = self.env["res.currency"].browse(row["currency_id"])
            amount = level._rsb_compute_fee(
                row["residual_currency"],
                currency,
                row["date_due"],
                date,
                row["interest_until"],
                items=row.get("items"),
            )
            if float_compare(amount, 0.0, precision_rounding=currency.rounding) > 0:
                fees.append((row, level, amount))
        return fees

    @api.model
    def _rsb_fee_total(self, fees, company, date):
        """The total of `fees` (see _rsb_compute_fees) in the company's currency at `date`."""
        total = sum(
            amount
            if row["currency_id"] == company.currency_id.id
            else self.env["res.currency"]
            .browse(row["currency_id"])
            ._convert(amount, company.currency_id, company, date)
            for row, _level, amount in fees
        )
        return company.currency_id.round(total)

    def _rsb_record_fees(self, fees_by_line):
        """The fee rows of a batch of lines in one INSERT (set-based): they charge the fee
        once per invoice and level (SQL unique constraint: a row already there is kept) and
        remember up to which day interest is charged. Invoiced later, in batches, by
        rsb.dunning.fee._rsb_invoice_pending (restartable).

        :param fees_by_line: {line id: [(plan row, level, amount in the invoice's currency)]}
        """
        columns = defaultdict(list)
        for line in self.browse(list(fees_by_line)):
            for row, level, amount in fees_by_line[line.id]:
                period = line._rsb_interest_period(row, level)
                columns["move"].append(row["move_id"])
                columns["level"].append(level.id)
                columns["partner"].append(line.partner_id.id)
                columns["company"].append(line.company_id.id)
                columns["currency"].append(row["currency_id"])
                columns["amount"].append(amount)
                columns["base"].append(row["residual_currency"])
                columns["days"].append(row["days_late"])
                columns["ifrom"].append(period.get("interest_from"))
                columns["iuntil"].append(period.get("interest_until"))
                columns["run"].append(line.run_id.id)
                columns["line"].append(line.id)
        if not columns:
            return
        self.env["rsb.dunning.fee"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO rsb_dunning_fee (
                move_id, level_id, partner_id, company_id, currency_id, amount, base_amount,
                days_late, interest_from, interest_until, run_id, run_line_id,
                create_uid, write_uid, create_date, write_date)
            SELECT v.*, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(move)s::int[], %(level)s::int[], %(partner)s::int[],
                          %(company)s::int[], %(currency)s::int[], %(amount)s::numeric[],
                          %(base)s::numeric[], %(days)s::int[], %(ifrom)s::date[],
                          %(iuntil)s::date[], %(run)s::int[], %(line)s::int[]) AS v
            ON CONFLICT (move_id, level_id) DO NOTHING
            """,
                uid=self.env.uid,
                **columns,
            )
        )
        self.env["rsb.dunning.fee"].invalidate_model()

    def _rsb_interest_period(self, row, level):
        """The days an interest fee charges: from the later of the due date and the day
        interest was charged until, to the run's date (billing_math.interest_due)."""
        if level.fee_type != "interest":
            return {}
        start = max(row["date_due"], row["interest_until"] or row["date_due"])
        return {"interest_from": start, "interest_until": self.date}

    def _prepare_rsb_fee_invoice_values(self, fees, journal):
        """Values of the client's fee invoice for `fees` (rsb.dunning.fee of this line, all in
        one currency, the overdue invoices'), one line per charged invoice with the level's
        fee product, whose income account and taxes it takes (taxes mapped by the client's
        fiscal position; the shipped fee product is untaxed). Hook."""
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "journal_id": journal.id,
            "partner_id": self.partner_id.id,
            "currency_id": fees.currency_id.id or self.company_id.currency_id.id,
            "invoice_date": self.date,
            "invoice_origin": self.run_id.name,
            "rsb_dunning_fee": True,
            "invoice_line_ids": [
                fields.Command.create(fee._rsb_prepare_fee_line_values()) for fee in fees
            ],
        }
