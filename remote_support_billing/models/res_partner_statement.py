"""A client's statement of account: opening balance, the period's invoices, payments, credits
and deposit requests, the closing balance, what is owed (the one definition,
`_rsb_get_receivable_position`), deposits and credit held, and the aging."""

from collections import defaultdict

from odoo import _, models
from odoo.tools.translate import LazyTranslate

from .. import billing_math

_lt = LazyTranslate(__name__)
# Labels of billing_math's aging buckets (their keys and bounds are defined there).
BUCKET_LABELS = {
    "current": _lt("Not due"),
    "1_30": _lt("1-30 days"),
    "31_60": _lt("31-60 days"),
    "61_90": _lt("61-90 days"),
    "90_plus": _lt("Over 90 days"),
}


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def action_rsb_print_statement(self):
        return self.env.ref("remote_support_billing.rsb_partner_statement_report").report_action(
            self.commercial_partner_id
        )

    def _rsb_statement_data(self, company, date_from, date_to):
        """The figures of one client's statement, in the company's currency. Private: the
        caller checked that the user may see this client's account."""
        self.ensure_one()
        currency = company.currency_id
        Line = self.env["account.move.line"]
        base_domain = [
            ("partner_id", "child_of", self.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        opening = sum(Line.search(base_domain + [("date", "<", date_from)]).mapped("balance"))
        lines = Line.search(
            base_domain + [("date", ">=", date_from), ("date", "<=", date_to)],
            order="date, move_id, id",
        )
        rows, running = [], opening
        for move, move_lines in lines.grouped("move_id").items():
            amount = sum(move_lines.mapped("balance"))
            running += amount
            rows.append(
                {
                    "date": move.date,
                    "name": move.name,
                    "kind": self._rsb_statement_kind(move),
                    "ticket": move.rsb_deposit_ticket_id.number or move.invoice_origin or "",
                    "due": move.invoice_date_due if move.is_invoice() else False,
                    "debit": amount if amount > 0 else 0.0,
                    "credit": -amount if amount < 0 else 0.0,
                    "balance": currency.round(running),
                }
            )
        position = self._rsb_get_receivable_position(company, date_to).get(
            self.id, self._rsb_empty_position()
        )
        unpaid_requests = sum(
            self.env["account.move"]
            .search(
                [
                    ("commercial_partner_id", "=", self.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("rsb_deposit_ticket_id", "!=", False),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
            .mapped("amount_residual_signed")
        )
        held = self.env["rsb.deposit.held.report"].search(
            [("partner_id", "=", self.id), ("company_id", "=", company.id)]
        )
        return {
            "currency": currency,
            "date_from": date_from,
            "date_to": date_to,
            "opening": currency.round(opening),
            "rows": rows,
            "closing": currency.round(running),
            "position": position,
            "unpaid_requests": currency.round(unpaid_requests),
            "held": held,
            "held_total": currency.round(sum(held.mapped("amount"))),
            "aging": self._rsb_statement_aging(company, date_to),
        }

    def _rsb_statement_kind(self, move):
        if move.move_type == "out_invoice":
            return _("Deposit request") if move.rsb_deposit_ticket_id else _("Invoice")
        if move.move_type == "out_refund":
            return _("Credit note")
        if move.origin_payment_id or move.statement_line_id:
            return _("Payment")
        return _("Entry")

    def _rsb_statement_aging(self, company, date_to):
        """The invoices the client owes (`_rsb_owed_invoice_domain`: deposit requests are not
        debts) by age at `date_to`, in the buckets of billing_math.aging_bucket."""
        invoices = self.env["account.move"].search(self._rsb_owed_invoice_domain(company))
        buckets = defaultdict(float)
        for invoice in invoices:
            due = invoice.invoice_date_due or invoice.invoice_date or invoice.date
            key = billing_math.aging_bucket((date_to - due).days)
            buckets[key] += invoice.amount_residual_signed
        return [
            (str(BUCKET_LABELS[key]), company.currency_id.round(buckets[key]))
            for key, _upper in billing_math.aging_buckets()
        ]
