"""The documents of a settle-up: the invoice of the time (per line or per day, exact to the
minute); the deposit applied on it and the unused deposit returned are built with the other
deposit documents (helpdesk_ticket_deposit_documents.py)."""

from odoo import _, fields, models
from odoo.fields import Command
from odoo.tools import float_compare, float_is_zero, float_round, format_amount, format_date


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _prepare_rsb_settlement_invoice_values(self, plan):
        """Values of the settle-up invoice of the time (the deposit line is added once the
        taxed total is known). Hook for other addons."""
        self.ensure_one()
        partner = self.commercial_partner_id
        values = {
            "move_type": "out_invoice",
            "company_id": self._rsb_company().id,
            "journal_id": self._rsb_company()._rsb_get_sale_journal().id,
            "partner_id": partner.id,
            "currency_id": plan["currency"].id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.number,
            "invoice_line_ids": [
                Command.create(vals) for vals in self._prepare_rsb_time_lines_values(plan)
            ],
        }
        if self._rsb_client().rsb_prepay_required:
            # Clients who prepay pay the difference at once; trusted clients get their terms.
            values["invoice_payment_term_id"] = self.env.ref(
                "account.account_payment_term_immediate"
            ).id
        return values

    def _prepare_rsb_time_lines_values(self, plan):
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
            "analytic_distribution": self._rsb_get_time_analytic_distribution(product),
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

    def _rsb_get_time_analytic_distribution(self, product):
        """Analytic distribution of the time lines from the accountant's distribution
        models, computed once per invoice as Odoo would for each line (which would search
        the models once per line)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        partner = self.commercial_partner_id
        fiscal_position = (
            self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        )
        account = product.product_tmpl_id.with_company(company).get_product_accounts(
            fiscal_pos=fiscal_position
        )["income"]
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
        return distribution or False

    def _prepare_rsb_rounding_line_values(self, invoice, plan):
        """Quantities are shown in hours to the unit of measure's precision (10 minutes show
        as 0.17 h) and each line is rounded to the cent, but the time is charged exactly:
        charged minutes x rate / 60. This line, on the same account and taxes, carries the
        difference and says why.

        :return: the line values, or None when the lines are exact
        """
        self.ensure_one()
        currency = invoice.currency_id
        time_lines = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id
        )
        included = any(time_lines.tax_ids.mapped("price_include"))
        total = sum(time_lines.mapped("price_total" if included else "price_subtotal"))
        exact = self._rsb_amount_for_minutes(plan["charged_minutes"], plan["rate"])
        difference = currency.round(exact - total)
        if currency.is_zero(difference):
            return None
        last = time_lines[-1:]
        return {
            "name": _(
                "Exact time: %(minutes)s min at %(rate)s/h = %(amount)s (hours above are "
                "rounded to %(digits)s decimals and each line to the cent)",
                minutes=round(plan["charged_minutes"]),
                rate=format_amount(self.env, plan["rate"], currency),
                amount=format_amount(self.env, exact, currency),
                digits=self.env["decimal.precision"].precision_get("Product Unit of Measure"),
            ),
            "account_id": last.account_id.id,
            "quantity": 1.0,
            "price_unit": difference,
            "tax_ids": [Command.set(last.tax_ids.ids)],
            "analytic_distribution": last.analytic_distribution,
        }

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
