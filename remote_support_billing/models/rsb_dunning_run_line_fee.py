"""Late fees and interest of a dunning run line: what each newly reached level charges on
each overdue invoice (in the invoice's currency, each day of interest once) and the fee
invoices, taxed as the fee product says."""

from odoo import api, fields, models
from odoo.tools import float_compare, format_date


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
    def _rsb_compute_fees(self, rows, levels, date):
        """The fees the levels reached charge on a client's invoices at `date`: a list of
        (plan row, level, amount in the invoice's currency). Interest counts only the days
        not charged yet (`interest_until` of the row: the last day an earlier level charged
        interest up to). No fee on a fee invoice."""
        fees = []
        for row in rows:
            level = levels[row["level_id"]]
            if level.fee_type == "none" or row["is_fee"]:
                continue
            currency = self.env["res.currency"].browse(row["currency_id"])
            amount = level._rsb_compute_fee(
                row["residual_currency"], currency, row["date_due"], date, row["interest_until"]
            )
            if float_compare(amount, 0.0, precision_rounding=currency.rounding) > 0:
                fees.append((row, level, amount))
        return fees

    @api.model
    def _rsb_fee_total(self, fees, company, date):
        """The total of `fees` (see _rsb_compute_fees) in the company's currency at `date`."""
        total = sum(
            self.env["res.currency"]
            .browse(row["currency_id"])
            ._convert(amount, company.currency_id, company, date)
            for row, _level, amount in fees
        )
        return company.currency_id.round(total)

    def _rsb_charge_fees(self, fees_by_line):
        """The late fees of a batch of lines: one fee invoice per client and currency (the
        overdue invoices' currency), one invoice line per (overdue invoice, level), created
        and posted together; and the fee records that forbid charging the same invoice and
        level twice (SQL unique constraint) and remember up to which day interest is
        charged.

        :param fees_by_line: {line: [(plan row, level, amount in the invoice's currency)]}
        """
        lines = self.browse([line.id for line in fees_by_line])
        if not lines:
            return self.env["account.move"]
        Move = self.env["account.move"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True
        )
        journals = {}
        names = {
            move.id: move.name
            for move in Move.browse(
                [row["move_id"] for fees in fees_by_line.values() for row, _lv, _a in fees]
            )
        }
        batches, vals_list = [], []
        for line in lines:
            company = line.company_id
            if company not in journals:
                journals[company] = company._rsb_get_sale_journal()
            by_currency = {}
            for fee in fees_by_line[line]:
                by_currency.setdefault(fee[0]["currency_id"], []).append(fee)
            for currency_id, fees in by_currency.items():
                batches.append((line, fees))
                vals_list.append(
                    line._prepare_rsb_fee_invoice_values(
                        fees, journals[company], names, currency_id
                    )
                )
        fee_moves = Move.create(vals_list)
        fee_moves.action_post()
        fee_vals = []
        for (line, fees), fee_move in zip(batches, fee_moves, strict=True):
            line.fee_move_ids = [fields.Command.link(fee_move.id)]
            for (row, level, amount), move_line in zip(
                fees, fee_move.invoice_line_ids, strict=True
            ):
                fee_vals.append(
                    {
                        "move_id": row["move_id"],
                        "level_id": level.id,
                        "partner_id": line.partner_id.id,
                        "company_id": line.company_id.id,
                        "amount": amount,
                        "base_amount": row["residual_currency"],
                        "days_late": row["days_late"],
                        **line._rsb_interest_period(row, level),
                        "fee_move_id": fee_move.id,
                        "fee_line_id": move_line.id,
                        "run_id": line.run_id.id,
                    }
                )
        self.env["rsb.dunning.fee"].create(fee_vals)
        return fee_moves

    def _rsb_interest_period(self, row, level):
        """The days an interest fee charges: from the later of the due date and the day
        interest was charged until, to the run's date (billing_math.interest_due)."""
        if level.fee_type != "interest":
            return {}
        start = max(row["date_due"], row["interest_until"] or row["date_due"])
        return {"interest_from": start, "interest_until": self.date}

    def _prepare_rsb_fee_invoice_values(self, fees, journal, names, currency_id=None):
        """Values of the client's fee invoice (hook): in the overdue invoices' currency
        (`currency_id`, default the company's), one line per charged invoice with the
        level's fee product, whose income account and taxes it takes (taxes mapped by the
        client's fiscal position; the shipped fee product is untaxed)."""
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "journal_id": journal.id,
            "partner_id": self.partner_id.id,
            "currency_id": currency_id or self.company_id.currency_id.id,
            "invoice_date": self.date,
            "invoice_origin": self.run_id.name,
            "rsb_dunning_fee": True,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": level.fee_product_id.id,
                        "name": self._rsb_fee_line_label(row, level, names),
                        "quantity": 1.0,
                        "price_unit": amount,
                    }
                )
                for row, level, amount in fees
            ],
        }

    def _rsb_fee_line_label(self, row, level, names):
        if level.fee_type == "interest":
            period = self._rsb_interest_period(row, level)
            return self.env._(
                "Late interest (%(level)s) on invoice %(invoice)s, %(start)s to %(end)s",
                level=level.name,
                invoice=names[row["move_id"]],
                start=format_date(self.env, period["interest_from"]),
                end=format_date(self.env, period["interest_until"]),
            )
        return self.env._(
            "Late fee (%(level)s) on invoice %(invoice)s, %(days)s days overdue",
            level=level.name,
            invoice=names[row["move_id"]],
            days=row["days_late"],
        )
