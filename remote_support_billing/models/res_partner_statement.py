"""A client's statement of account: opening balance, the period's invoices, payments, credits
and deposit requests, the closing balance, what is owed (the one definition,
`_rsb_get_receivable_position`), deposits and credit held, and the aging."""

from collections import defaultdict

from odoo import _, models
from odoo.tools import SQL, format_amount
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
        # a stable order: by date, and on one day what is owed before what pays it
        moves = sorted(
            lines.grouped("move_id").items(),
            key=lambda item: (item[0].date, self._rsb_statement_order(item[0]), item[0].id),
        )
        rows, running = [], opening
        for move, move_lines in moves:
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
                    # an invoice that owes nothing (its deposit paid it all) shows its amount
                    "note": self._rsb_statement_note(move, amount, currency),
                }
            )
        # what was owed and overdue as the books stood at the end of the period, not today
        position = self._rsb_get_receivable_position(company, date_to, as_of=True).get(
            self.id, self._rsb_empty_position()
        )
        # the deposits asked and not paid: open requests, drafts booked when paid (not debts)
        unpaid_requests = sum(
            self.env["account.move"]
            .search(
                [
                    ("commercial_partner_id", "=", self.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "draft"),
                    ("rsb_deposit_ticket_id", "!=", False),
                ]
            )
            .mapped("amount_total_signed")
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
            # the credits are netted in "open" already: only what is left of them is the
            # client's, said once (the held table lists each credit, it is not added again)
            "credit_left": currency.round(max(-position["balance"], 0.0)),
            "unpaid_requests": currency.round(unpaid_requests),
            "held": held,
            "held_total": currency.round(sum(held.mapped("amount"))),
            "aging": self._rsb_statement_aging(company, date_to),
        }

    def _rsb_statement_order(self, move):
        """Same-day rows: invoices and deposit requests, then credit notes, then payments."""
        if move.move_type == "out_invoice":
            return 0
        if move.move_type == "out_refund":
            return 1
        return 2

    def _rsb_statement_note(self, move, amount, currency):
        if move.move_type == "out_invoice" and currency.is_zero(amount):
            return _(
                "Total %s, paid by its deposit",
                format_amount(self.env, move.amount_total_signed, currency),
            )
        return ""

    def _rsb_statement_kind(self, move):
        if move.move_type == "out_invoice":
            return _("Deposit request") if move.rsb_deposit_ticket_id else _("Invoice")
        if move.move_type == "out_refund":
            return _("Credit note")
        if move.origin_payment_id or move.statement_line_id:
            return _("Payment")
        return _("Entry")

    def _rsb_statement_aging(self, company, date_to):
        """What the client owed at the end of `date_to` by age, per receivable item (its
        own due date: instalments count), net of the credits (the one rule,
        `_rsb_open_items_sql` as of that date), in the buckets of billing_math.aging_bucket.
        Their total is the statement's Open."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT date_due, net FROM (%s) items WHERE net > 0",
                self._rsb_open_items_sql(company, [self.id], as_of=date_to),
            )
        )
        buckets = defaultdict(float)
        for due, net in self.env.cr.fetchall():
            buckets[billing_math.aging_bucket((date_to - due).days)] += net
        return [
            (str(BUCKET_LABELS[key]), company.currency_id.round(buckets[key]))
            for key, _upper in billing_math.aging_buckets()
        ]
