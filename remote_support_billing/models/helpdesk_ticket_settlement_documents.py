"""The documents of a settle-up: the quantities and amounts of the time (the team's rules,
exact to the minute) and the invoice of the time (per line or per day), complete before it
exists; the deposit applied on it and the unused deposit returned are built with the other
deposit documents (helpdesk_ticket_deposit_documents.py)."""

from odoo import _, fields, models
from odoo.fields import Command
from odoo.tools import float_compare, float_is_zero, float_round, format_amount, format_date

from .. import billing_math, ledger_guard

# settle-up documents made by one create(vals_list) and posted by one action_post
DOCUMENT_CHUNK = 250


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ documents
    def _rsb_make_posted_documents(self, vals_list, fit=None):
        """Posted documents from `vals_list` (one per ticket of `self`, in order), made by
        the ORM: one create(vals_list) and one action_post per DOCUMENT_CHUNK documents, so
        that every module's create, constraints, computed fields and posting rules run on
        them. `fit(ticket, move)` is called on each draft before it is posted.

        :return: account.move, in the order of `vals_list`
        """
        Move = self.env["account.move"]
        made = Move
        tickets = list(self)
        for start in range(0, len(vals_list), DOCUMENT_CHUNK):
            chunk = slice(start, start + DOCUMENT_CHUNK)
            # the documents carry the tickets' deposit tags (the deposit applied or returned)
            moves = ledger_guard.ledger_writer(Move).create(vals_list[chunk]).with_env(Move.env)
            if fit:
                for ticket, move in zip(tickets[chunk], moves, strict=True):
                    fit(ticket, move)
            moves.action_post()
            made |= moves
        return made

    # ------------------------------------------------------------------ quantities
    def _rsb_get_charged_minutes(self, minutes):
        """The team's billing rules on a number of billable minutes (free quick fix, rounding
        increment, minimum charge): see `billing_math.charged_minutes`."""
        self.ensure_one()
        team = self.team_id
        return float(
            billing_math.charged_minutes(
                minutes,
                increment=team.rsb_rounding_minutes,
                minimum=team.rsb_minimum_minutes,
                free=team.rsb_free_minutes,
            )
        )

    def _rsb_minutes_to_quantity(self, minutes):
        """Hours shown on the invoice for a number of minutes, at the precision of quantities."""
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        return float(billing_math.hours_quantity(minutes, digits))

    def _rsb_amount_for_minutes(self, minutes, rate):
        """What the minutes are worth at the hourly rate, exact to the currency's rounding."""
        self.ensure_one()
        return float(billing_math.amount_for_minutes(minutes, rate, self.rsb_currency_id.rounding))

    # ------------------------------------------------------------------ invoice
    def _prepare_rsb_settlement_invoice_values(self, plan):
        """Values of the settle-up invoice of the time, complete before it exists: the time
        lines and the rounding line, each with its account and taxes (as Odoo would compute
        them), so that the batch creates every invoice with one create and the deposit line
        is computed from the predicted total (`_rsb_predict_amount_total`). Hook for other
        addons (a line they add must carry its `tax_ids`)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        # the same for every ticket of a client: computed once per batch when given
        accounting = plan.get("accounting") or self._rsb_get_time_accounting()
        time_values = self._prepare_rsb_time_lines_values(plan, accounting)
        rounding = self._prepare_rsb_rounding_line_values(plan, time_values, accounting)
        values = {
            "move_type": "out_invoice",
            "company_id": self._rsb_company().id,
            "journal_id": self._rsb_company()._rsb_get_sale_journal().id,
            "partner_id": partner.id,
            "currency_id": plan["currency"].id,
            "fiscal_position_id": accounting["fiscal_position"].id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.number,
            "invoice_line_ids": [
                Command.create(vals) for vals in time_values + ([rounding] if rounding else [])
            ],
        }
        if self._rsb_client().rsb_prepay_required:
            # Clients who prepay pay the difference at once; trusted clients get their terms.
            values["invoice_payment_term_id"] = self.env.ref(
                "account.account_payment_term_immediate"
            ).id
        return values

    def _rsb_get_time_accounting(self):
        """The fiscal position, income account, taxes and analytic distribution of the time
        lines: what Odoo computes for an invoice line of the team's service product for this
        client (`_get_computed_account`, `_get_computed_taxes`), computed once per invoice.

        :return: dict with fiscal_position, account, taxes, analytic_distribution
        """
        self.ensure_one()
        company = self._rsb_company()
        partner = self.commercial_partner_id
        product = self.team_id.rsb_service_product_id.with_company(company)
        fiscal_position = self._rsb_get_fiscal_position()
        account = (
            product.product_tmpl_id.get_product_accounts(fiscal_pos=fiscal_position)["income"]
            or company._rsb_get_sale_journal().default_account_id
        )
        taxes = product.taxes_id.filtered_domain(
            self.env["account.tax"]._check_company_domain(company)
        ) or account.tax_ids.filtered(lambda tax: tax.type_tax_use == "sale")
        taxes = taxes._filter_taxes_by_company(company)
        if taxes and fiscal_position:
            taxes = fiscal_position.map_tax(taxes)
        distribution = self.env["account.analytic.distribution.model"]._get_distribution(
            {
                "product_id": product.id,
                "product_categ_id": product.categ_id.id,
                "partner_id": partner.id,
                "partner_category_id": partner.category_id.ids,
                "account_prefix": account.code,
                "company_id": company.id,
            }
        )
        return {
            "fiscal_position": fiscal_position,
            "account": account,
            "taxes": taxes,
            "analytic_distribution": distribution or False,
        }

    def _prepare_rsb_time_lines_values(self, plan, accounting):
        """Invoice lines of the time: one per timesheet line or per day (team setting),
        and one for the rounding up / minimum charge. Quantities are rounded cumulatively
        so they add up exactly to the billed hours."""
        self.ensure_one()
        product = self.team_id.rsb_service_product_id
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        common = {
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "price_unit": plan["rate"],
            "account_id": accounting["account"].id,
            "tax_ids": [Command.set(accounting["taxes"].ids)],
            "analytic_distribution": accounting["analytic_distribution"],
        }
        values, raw, billed = [], 0.0, 0.0
        for name, lines in self._rsb_group_time_lines(plan["billable_lines"]):
            raw += sum(lines.mapped("unit_amount"))
            cumulated = float_round(raw, precision_digits=digits)
            quantity = float_round(cumulated - billed, precision_digits=digits)
            billed = cumulated
            values.append({**common, "name": name, "quantity": quantity})
        adjustment = float_round(plan["quantity"] - billed, precision_digits=digits)
        if not float_is_zero(adjustment, precision_digits=digits):
            values.append(
                {
                    **common,
                    "name": self._rsb_get_adjustment_label(plan),
                    "quantity": adjustment,
                }
            )
        return values

    def _prepare_rsb_rounding_line_values(self, plan, time_values, accounting):
        """Quantities are shown in hours to the unit of measure's precision (10 minutes show
        as 0.17 h) and each line is rounded to the cent, but the time is charged exactly:
        charged minutes x rate / 60. This line, on the same account and taxes, carries the
        difference and says why. Each line's amount is what the invoice line will show
        (Odoo's tax engine on the line, as `_compute_totals` does).

        :return: the line values, or None when the lines are exact
        """
        self.ensure_one()
        currency = plan["currency"]
        company = self._rsb_company()
        AccountTax = self.env["account.tax"]
        taxes = accounting["taxes"]
        included = any(taxes.mapped("price_include"))
        total = 0.0
        for vals in time_values:
            base_line = self._rsb_base_line(vals, currency)
            AccountTax._add_tax_details_in_base_line(base_line, company)
            details = base_line["tax_details"]
            total += details["total_included_currency" if included else "total_excluded_currency"]
        exact = self._rsb_amount_for_minutes(plan["charged_minutes"], plan["rate"])
        difference = currency.round(exact - total)
        if currency.is_zero(difference):
            return None
        return {
            "name": _(
                "Exact time: %(minutes)s min at %(rate)s/h = %(amount)s (hours above are "
                "rounded to %(digits)s decimals and each line to the cent)",
                minutes=round(plan["charged_minutes"]),
                rate=format_amount(self.env, plan["rate"], currency),
                amount=format_amount(self.env, exact, currency),
                digits=self.env["decimal.precision"].precision_get("Product Unit of Measure"),
            ),
            "account_id": accounting["account"].id,
            "quantity": 1.0,
            "price_unit": difference,
            "tax_ids": [Command.set(taxes.ids)],
            "analytic_distribution": accounting["analytic_distribution"],
        }

    def _rsb_base_line(self, vals, currency, **kwargs):
        """A base line of Odoo's tax engine for invoice line values (price, quantity,
        discount, product, account, analytic distribution and taxes given in `vals`), as
        `account.move._prepare_product_base_line_for_taxes_computation` makes it from the
        created line. `kwargs` as there (rate, sign, tax_tag_invert)."""
        AccountTax = self.env["account.tax"]
        tax_ids = []
        for command in vals.get("tax_ids") or []:
            if command[0] == Command.SET:
                tax_ids = list(command[2])
            elif command[0] == Command.LINK:
                tax_ids.append(command[1])
        return AccountTax._prepare_base_line_for_taxes_computation(
            None,
            price_unit=vals.get("price_unit", 0.0),
            quantity=vals.get("quantity", 1.0),
            discount=vals.get("discount", 0.0),
            tax_ids=AccountTax.browse(tax_ids),
            product_id=self.env["product.product"].browse(vals.get("product_id")),
            partner_id=self.commercial_partner_id,
            currency_id=currency,
            account_id=self.env["account.account"].browse(vals.get("account_id")),
            analytic_distribution=vals.get("analytic_distribution"),
            **kwargs,
        )

    def _rsb_invoice_base_lines(self, values):
        """:return: (base lines of the invoice's lines, their values), taxes computed and
        rounded as the company computes them (`_get_rounded_base_and_tax_lines`)."""
        self.ensure_one()
        company = self.env["res.company"].browse(values["company_id"])
        currency = self.env["res.currency"].browse(values["currency_id"])
        AccountTax = self.env["account.tax"]
        rate = self.env["res.currency"]._get_conversion_rate(
            company.currency_id, currency, company, values["invoice_date"]
        )
        line_values = [
            command[2]
            for command in values["invoice_line_ids"]
            if command[0] == Command.CREATE
            and command[2].get("display_type", "product") == "product"
        ]
        # an invoice is inbound: its lines are credits (sign -1), their tax tags inverted
        base_lines = [
            self._rsb_base_line(vals, currency, rate=rate, sign=-1) for vals in line_values
        ]
        for base_line in base_lines:
            base_line["tax_tag_invert"] = bool(base_line["tax_ids"])
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        return base_lines, line_values

    def _rsb_predict_amount_total(self, values):
        """The total (taxes included) the invoice created from `values` will have: Odoo's
        tax engine on its lines (`_get_tax_totals_summary`)."""
        self.ensure_one()
        base_lines, _values = self._rsb_invoice_base_lines(values)
        currency = self.env["res.currency"].browse(values["currency_id"])
        company = self.env["res.company"].browse(values["company_id"])
        summary = self.env["account.tax"]._get_tax_totals_summary(base_lines, currency, company)
        return currency.round(summary["total_amount_currency"])

    def _rsb_complete_invoice_lines(self, values):
        """Give the invoice values what Odoo's synchronisation would add once the invoice
        exists (each line's amounts and tax tags, the tax lines), computed by Odoo's own tax
        engine (`_prepare_tax_lines`), so that the create does not rewrite every line of
        every invoice: the invoice is the same, line for line. The payment term line is
        left to the create (one batched create for all invoices)."""
        self.ensure_one()
        company = self.env["res.company"].browse(values["company_id"])
        AccountTax = self.env["account.tax"]
        base_lines, line_values = self._rsb_invoice_base_lines(values)
        AccountTax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        results = AccountTax._prepare_tax_lines(base_lines, company)
        for vals, (_base_line, to_update) in zip(
            line_values, results["base_lines_to_update"], strict=True
        ):
            vals.update(to_update)
        values["line_ids"] = [
            *values.pop("invoice_line_ids"),
            *(
                Command.create({**tax_vals, "display_type": "tax"})
                for tax_vals in results["tax_lines_to_add"]
            ),
        ]
        return values

    def _rsb_group_time_lines(self, lines):
        """:return: [(invoice line label, timesheet lines)] in date order"""
        self.ensure_one()
        if self.team_id.rsb_invoice_grouping == "day":
            return [
                (
                    _(
                        "%(date)s: %(work)s",
                        date=format_date(self.env, day),
                        work="; ".join(day_lines.mapped("name")),
                    ),
                    day_lines,
                )
                for day, day_lines in lines.grouped("date").items()
            ]
        return [
            (
                _(
                    "%(date)s: %(work)s (%(who)s)",
                    date=format_date(self.env, line.date),
                    work=line.name,
                    who=line.employee_id.name or line.user_id.name or "",
                ),
                line,
            )
            for line in lines
        ]

    def _rsb_get_adjustment_label(self, plan):
        team = self.team_id
        minutes = plan["minutes"]
        if team.rsb_rounding_minutes:
            minutes = (
                float_round(
                    minutes / team.rsb_rounding_minutes,
                    precision_rounding=1.0,
                    rounding_method="UP",
                )
                * team.rsb_rounding_minutes
            )
        if float_compare(team.rsb_minimum_minutes, minutes, precision_digits=2) > 0:
            return _("Minimum charge (%s min)", team.rsb_minimum_minutes)
        return _(
            "Rounded up to %(increment)s-minute increments (%(logged)s min logged)",
            increment=team.rsb_rounding_minutes,
            logged=round(plan["minutes"]),
        )

    def _rsb_close_currency_residue(self, moves):
        """A settle-up document in a foreign currency that the deposit pays in full (its
        total 0 in its currency: time paid now, or a deposit that covers it exactly) keeps a
        cent or two on the receivable in the company's currency (its lines are converted one
        by one): nothing would ever match it. Odoo's own exchange difference entry closes it,
        as a reconciliation in full does (Exchange Gain or Loss journal)."""
        lines = moves.filtered(lambda m: m.state == "posted").line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
            and not line.reconciled
            and line.currency_id != line.company_currency_id
            and line.currency_id.is_zero(line.amount_residual_currency)
            and not line.company_currency_id.is_zero(line.amount_residual)
        )
        if not lines:
            return
        values = [
            line._prepare_exchange_difference_move_vals(
                [{"amount_residual": line.amount_residual}], exchange_date=line.date
            )
            for line in lines
        ]
        self.env["account.move.line"].sudo()._create_exchange_difference_moves(
            [value for value in values if value and value["to_reconcile"]]
        )
