"""The documents that move a ticket's deposit (the request invoice, the credit notes returning or
cancelling it, the deposit line of a settle-up invoice), built by one helper, taxed or not.

Untaxed (default): a deposit is an untaxed liability, the tax is charged on the final invoice
(e.g. US sales tax). Taxed (company setting "Tax deposits when received", VAT regimes): the
deposit carries the service product's taxes, mapped by the client's fiscal position; the deposit
amount is what the client pays, taxes included (the team's default as configured; a deposit
from an estimate is the estimated time with its taxes), and its untaxed price is worked back
from it.
Every later document of the deposit (applied, returned, cancelled) uses the taxes and the
account of the request, so the tax charged on the deposit is reversed exactly once, like
Odoo's down payments in sales.
"""

import logging

from odoo import _, fields, models
from odoo.fields import Command

from .. import ledger_guard

_logger = logging.getLogger(__name__)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ taxes
    def _rsb_get_new_deposit_taxes(self):
        """Taxes of a new deposit request: none unless the company taxes deposits when
        received; then the service product's sales taxes mapped by the client's fiscal
        position (what its settle-up invoice would charge)."""
        self.ensure_one()
        company = self._rsb_company()
        if not company.rsb_tax_deposits:
            return self.env["account.tax"]
        product = self.team_id.rsb_service_product_id.with_company(company)
        taxes = product.taxes_id._filter_taxes_by_company(company)
        return self._rsb_get_fiscal_position().map_tax(taxes)

    def _rsb_get_fiscal_position(self):
        """The client's fiscal position in the ticket's company, as Odoo computes it for an
        invoice to the client: from its invoicing and its delivery address."""
        self.ensure_one()
        partner = self.commercial_partner_id
        delivery = partner.browse(partner.address_get(["delivery"])["delivery"])
        return (
            self.env["account.fiscal.position"]
            .with_company(self._rsb_company())
            ._get_fiscal_position(partner, delivery=delivery)
        )

    # ------------------------------------------------------------------ values
    def _rsb_deposit_tags(self, role):
        """The values that put a journal item in this ticket's deposit ledger."""
        self.ensure_one()
        return {"rsb_deposit_ticket_id": self.id, "rsb_deposit_role": role}

    def _prepare_rsb_deposit_line_values(self, amount, role, name, account, taxes):
        """A line on the Customer Deposits `account` whose total with `taxes` is `amount`
        (what the client pays or gets back; negative on a settle-up invoice). With taxes,
        the untaxed price is worked back from the total (`_rsb_fit_deposit_total` then
        settles a rounding cent), except for the line that takes all the deposit held: it
        takes exactly the untaxed amount left on Customer Deposits, so that the account and
        the tax charged on the deposit both come back to zero, whatever the parts."""
        self.ensure_one()
        price = amount
        if taxes:
            price = self._rsb_get_deposit_price(abs(amount), taxes) * (1 if amount >= 0 else -1)
        return {
            "name": name,
            "quantity": 1.0,
            "price_unit": price,
            "account_id": account.id,
            "tax_ids": [Command.set(taxes.ids)],
            **self._rsb_deposit_tags(role),
        }

    def _rsb_get_deposit_price(self, total, taxes):
        """The unit price of a deposit line whose total with `taxes` is `total`: the untaxed
        amount, or for taxes included in the price, the untaxed amount with them."""
        self.ensure_one()
        currency = self.rsb_currency_id
        included = taxes.filtered("price_include")
        held, untaxed_held = self._rsb_get_deposit_held_with_untaxed()
        closing = not currency.is_zero(held) and currency.compare_amounts(total, held) == 0
        if included == taxes and not closing:
            return total
        untaxed = (
            untaxed_held
            if closing
            else taxes.with_context(force_price_include=True).compute_all(total, currency=currency)[
                "total_excluded"
            ]
        )
        if included:
            untaxed = included.with_context(force_price_include=False).compute_all(
                untaxed, currency=currency
            )["total_included"]
        return currency.round(untaxed)

    def _prepare_rsb_deposit_document_values(self, move_type, amount, role, name, **values):
        """Values of a deposit document of `amount` (taxes included): an invoice requesting
        it or a credit note returning or cancelling it, one line on Customer Deposits with
        the deposit's taxes, due at once, in the ticket's currency. `values` override (e.g. a
        credit note's `ref`, `reversed_entry_id`, or the `account`/`taxes` of its request).
        The one builder of the deposit documents; hook for other addons."""
        self.ensure_one()
        account = values.pop("account", None) or self._rsb_get_deposit_account()
        taxes = values.pop("taxes", None)
        if taxes is None:
            taxes = self._rsb_get_deposit_taxes()
        return {
            "move_type": move_type,
            "company_id": self._rsb_company().id,
            "journal_id": self._rsb_company()._rsb_get_sale_journal().id,
            "partner_id": self.commercial_partner_id.id,
            "currency_id": self.rsb_currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_payment_term_id": self.env.ref("account.account_payment_term_immediate").id,
            "invoice_origin": self.number,
            # the salesperson is the ticket's technician (else whoever asks), never the
            # system the document is created by
            "invoice_user_id": (
                self.user_id
                or (self.env.user if not self.env.user._is_superuser() else self.env.user.browse())
            ).id,
            "invoice_line_ids": [
                Command.create(
                    self._prepare_rsb_deposit_line_values(amount, role, name, account, taxes)
                )
            ],
            **values,
        }

    def _prepare_rsb_deposit_invoice_values(self, amount=None):
        """Values of the deposit request (of `amount`, default the ticket's deposit), a draft
        invoice posted when the money arrives (then dated that day): Dr Receivable / Cr
        Customer Deposits (a liability) and, taxed, Cr the taxes. Hook for other addons."""
        self.ensure_one()
        values = self._prepare_rsb_deposit_document_values(
            "out_invoice",
            self.rsb_deposit_amount if amount is None else amount,
            "request",
            _("Deposit for ticket %(number)s: %(name)s", number=self.number, name=self.name),
            account=self._rsb_company()._rsb_get_deposit_account(),
            taxes=self._rsb_get_new_deposit_taxes(),
            rsb_deposit_ticket_id=self.id,
            invoice_date=False,  # posting dates it: the day the money arrives
        )
        values["name"] = "/"  # numbered when posted (even the journal's first document)
        return values

    def _prepare_rsb_unused_deposit_values(self, amount):
        """Credit note returning the unused deposit (taxes included): Dr Customer Deposits
        (and, taxed, Dr the taxes) / Cr Receivable. Hook for other addons."""
        self.ensure_one()
        return self._prepare_rsb_deposit_document_values(
            "out_refund",
            amount,
            "return",
            _(
                "Unused deposit (%(move)s, ticket %(ticket)s)",
                move=self.rsb_deposit_move_id.name,
                ticket=self.number,
            ),
            ref=_("Unused deposit of ticket %s", self.number),
        )

    def _prepare_rsb_deposit_applied_line_values(self, amount):
        """The deposit deducted from the settle-up invoice (taxes included): a negative line
        on the deposit's account with the deposit's taxes, like Odoo's down payments."""
        self.ensure_one()
        return self._prepare_rsb_deposit_line_values(
            -amount,
            "apply",
            _(
                "Deposit applied (%(move)s, ticket %(ticket)s)",
                move=self.rsb_deposit_move_id.name,
                ticket=self.number,
            ),
            self._rsb_get_deposit_account(),
            self._rsb_get_deposit_taxes(),
        )

    def _rsb_get_deposit_held_with_untaxed(self):
        """:return: (deposit held with its taxes, its untaxed part on Customer Deposits), in
        the ticket's currency, from posted journal items"""
        self.ensure_one()
        if not isinstance(self.id, int):
            return 0.0, 0.0
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search([("rsb_deposit_ticket_id", "=", self.id), ("parent_state", "=", "posted")])
        )
        held = self._rsb_get_deposit_figures()[self.id]["held"]
        return held, -sum(lines.mapped("amount_currency"))

    # ------------------------------------------------------------------ documents
    def _rsb_create_deposit_document(self, values, amount):
        """Create a draft deposit document from its values, its total exactly `amount`.
        :return: the draft document"""
        self.ensure_one()
        Move = self.env["account.move"]
        move = ledger_guard.ledger_writer(Move).create(values).with_env(Move.env)
        self._rsb_fit_deposit_total(move, amount)
        return move

    def _rsb_set_deposit_document_total(self, move, total):
        """Make the draft deposit document `move` ask for `total` (taxes included)."""
        self.ensure_one()
        line = move.invoice_line_ids.filtered("rsb_deposit_ticket_id")
        ledger_guard.ledger_writer(move).write(
            {
                "invoice_line_ids": [
                    Command.update(
                        line.id, {"price_unit": self._rsb_get_deposit_price(total, line.tax_ids)}
                    )
                ]
            }
        )
        self._rsb_fit_deposit_total(move, total)

    def _rsb_post_deposit_document(self, values, amount):
        """Create a deposit document from its values, make its total exactly `amount` and
        post it. :return: the posted document"""
        move = self._rsb_create_deposit_document(values, amount)
        move.action_post()
        return move

    def _rsb_apply_deposit(self, invoice, available):
        """Deduct the deposit from the draft settle-up invoice, up to its total (taxes
        included). :return: the amount applied"""
        self.ensure_one()
        currency = invoice.currency_id
        before = invoice.amount_total
        applied = min(available, before)
        if currency.compare_amounts(applied, 0.0) <= 0:
            return 0.0
        ledger_guard.ledger_writer(invoice).write(
            {
                "invoice_line_ids": [
                    Command.create(self._prepare_rsb_deposit_applied_line_values(applied))
                ]
            }
        )
        self._rsb_fit_deposit_total(invoice, currency.round(before - applied))
        return currency.round(before - invoice.amount_total)

    def _rsb_fit_deposit_total(self, move, total):
        """Make the draft document's total exactly `total`: an untaxed price worked back from
        a tax-included deposit can end a cent off once the tax is rounded; the cent goes on
        the deposit's tax line (and the receivable), as Odoo's sales app does for a fixed
        down payment. The deposit ledger counts the deposit with the tax of its document."""
        currency = move.currency_id
        delta = currency.round(total - move.amount_total)
        if currency.is_zero(delta):
            return
        # a rounding difference is a cent per taxed line at most: anything larger is not
        # rounding (a predicted total gone wrong) and must not be hidden in a tax line
        if abs(delta) > currency.rounding * len(move.line_ids) + 1e-9:
            _logger.warning(
                "Deposit of %s: total %s is %s off the expected %s; not fitted.",
                self.display_name,
                move.amount_total,
                delta,
                total,
            )
            return
        taxes = move.line_ids.filtered("rsb_deposit_ticket_id").tax_ids
        tax_line = move.line_ids.filtered(
            lambda line: line.tax_line_id in taxes and line.tax_line_id.amount_type != "fixed"
        )[:1]
        receivable = move.line_ids.filtered(lambda line: line.display_type == "payment_term")
        if not tax_line or len(receivable) != 1:
            return  # instalments: the cent stays (the figures read what was booked)
        sign = 1 if move.is_inbound() else -1
        move.line_ids = [
            Command.update(
                receivable.id, {"amount_currency": receivable.amount_currency + sign * delta}
            ),
            Command.update(
                tax_line.id, {"amount_currency": tax_line.amount_currency - sign * delta}
            ),
        ]
