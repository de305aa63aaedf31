"""Late fees on the client's next settle-up invoice (company setting "Late Fees Billed": on
the client's next settle-up invoice): the fees dunning charged and no invoice billed yet are
added to the client's next settle-up invoice, in its currency, one line per fee (the level's
fee product, its account and taxes through the client's fiscal position), and linked to it:
billed exactly once (the fee rows are locked, SKIP LOCKED: a fee the dunning job is invoicing
at that moment is left to it). The deposit pays the time only, never late fees. A fee that
waits longer than the company's days is invoiced on its own by the daily dunning job
(`rsb.dunning.fee._rsb_pending_domain`). A full reversal of the settle-up invoice releases its
fees: they are billed again on the next settle-up (or on their own).
"""

from collections import defaultdict

from odoo import _, models
from odoo.fields import Command
from odoo.tools import SQL, format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_take_pending_fees(self):
        """The late fees to bill on the settle-up invoices of these tickets (those of
        companies billing fees on settle-ups), locked for this transaction.

        :return: {(company, commercial partner, currency): rsb.dunning.fee}
        """
        tickets = self.filtered(lambda t: t._rsb_company().rsb_fee_billing == "settle_up")
        if not tickets:
            return {}
        Fee = self.env["rsb.dunning.fee"].sudo()
        candidates = Fee.search(
            [
                ("fee_move_id", "=", False),
                ("run_line_id", "!=", False),
                ("company_id", "in", tickets._rsb_company().ids),
                ("partner_id", "in", tickets.commercial_partner_id.ids),
            ],
            order="id",
        )
        if not candidates:
            return {}
        Fee.flush_model(["fee_move_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM rsb_dunning_fee WHERE id = ANY(%s) AND fee_move_id IS NULL "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                candidates.ids,
            )
        )
        fees = Fee.browse([row[0] for row in self.env.cr.fetchall()])
        fees.invalidate_recordset(["fee_move_id"])
        result = defaultdict(lambda: Fee)
        for fee in fees:
            result[(fee.company_id, fee.partner_id, fee.currency_id)] |= fee
        return dict(result)

    def _prepare_rsb_fee_lines_values(self, fees, fiscal_position):
        """Invoice lines of `fees` on this ticket's settle-up invoice: one per fee, the
        level's fee product with its income account and taxes, mapped by the client's
        fiscal position (the settle-up carries every line's taxes)."""
        self.ensure_one()
        company = self._rsb_company()
        values = []
        for fee in fees:
            product = fee.level_id.fee_product_id.with_company(company)
            account = product.product_tmpl_id.get_product_accounts(fiscal_pos=fiscal_position)[
                "income"
            ]
            account = account or company._rsb_get_sale_journal().default_account_id
            taxes = product.taxes_id._filter_taxes_by_company(company)
            if taxes and fiscal_position:
                taxes = fiscal_position.map_tax(taxes)
            values.append(
                {
                    **fee._rsb_prepare_fee_line_values(),
                    "account_id": account.id,
                    "tax_ids": [Command.set(taxes.ids)],
                }
            )
        return values

    def _rsb_link_settle_up_fees(self, fees, invoice):
        """Link `fees` to the settle-up invoice that bills them (its line per fee)."""
        lines = {line.name: line for line in invoice.invoice_line_ids}
        links = [
            (fee.id, invoice.id, lines[fee._rsb_invoice_line_label()].id)
            for fee in fees
            if fee._rsb_invoice_line_label() in lines
        ]
        self.env["rsb.dunning.fee"].sudo()._rsb_link_invoices(links)
        return _(
            "Late fees on earlier invoices billed with this settle-up: %s.",
            format_amount(self.env, sum(fees.mapped("amount")), invoice.currency_id),
        )

    def _rsb_release_settle_up_fees(self, move):
        """The settle-up invoice `move` was reversed in full: its late fees are billed again
        (next settle-up, or on their own)."""
        fees = self.env["rsb.dunning.fee"].sudo().search([("fee_move_id", "=", move.id)])
        if fees:
            fees.write({"fee_move_id": False, "fee_line_id": False})
        return fees
