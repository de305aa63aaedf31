"""The settle-up documents of a batch of tickets made in sets: alike documents (same client
terms, accounts, line layout; untaxed, in the company's currency) are one made by the ORM
and the others copied from it by rsb.move.clone, each with its own client, number, origin,
labels, quantities, prices and amounts; the others are made by the ORM."""

import logging

from odoo import models
from odoo.fields import Command
from odoo.tools import float_round

from .rsb_move_clone import CLONE_MIN_GROUP, MoveCopy

_logger = logging.getLogger(__name__)


class HelpdeskTicket(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_make_posted_documents(self, vals_list, fit=None):
        """Posted documents from `vals_list` (one per ticket of `self`, in order): those of
        alike groups copied from the first of their group (`_rsb_document_copy_plan`), the
        others made by the ORM in one create and one action_post, `fit(ticket, move)` called
        on each draft the ORM makes before it is posted. A group whose copying is refused
        is made by the ORM. Each document is linked to its ticket.

        :return: account.move, in the order of `vals_list`
        """
        Move = self.env["account.move"]
        tickets = list(self)
        plan = self._rsb_document_copy_plan(vals_list)
        copied = {index for _proto, copies in plan for index in copies}
        # what a copy needs, read before the ORM makes anything (its create may change vals)
        specs = {index: tickets[index]._rsb_document_copy(vals_list[index]) for index in copied}

        def orm(indexes):
            if not indexes:
                return Move
            _logger.debug("%s settle-up documents made by the ORM", len(indexes))
            moves = Move.create([vals_list[index] for index in indexes])
            if fit:
                for index, move in zip(indexes, moves, strict=True):
                    fit(tickets[index], move)
            moves.action_post()
            return moves

        made_by_orm = [index for index in range(len(vals_list)) if index not in copied]
        made = dict(zip(made_by_orm, orm(made_by_orm), strict=True))
        Clone = self.env["rsb.move.clone"]
        for proto, copies in plan:
            done = Clone._rsb_clone_moves_from(made[proto], [specs[index] for index in copies])
            moves = done[0] if done else orm(copies)
            made.update(zip(copies, moves, strict=True))
        if copied:
            self.env.invalidate_all()  # the copies were written by SQL
        return Move.browse([made[index].id for index in range(len(vals_list))])

    def _rsb_document_copy_plan(self, vals_list):
        """Which documents of `vals_list` (one per ticket of `self`) are copies:
        [(prototype index, [copy indexes])] for groups of at least CLONE_MIN_GROUP alike
        documents (`_rsb_document_copy_key`) in a journal that allows copying."""
        tickets = list(self)
        allowed, alike, clients = {}, {}, {}
        for index, vals in enumerate(vals_list):
            key = tickets[index]._rsb_document_copy_key(vals, clients)
            if key is None:
                continue
            journal = self.env["account.journal"].browse(vals["journal_id"])
            if journal not in allowed:
                allowed[journal] = self.env["rsb.move.clone"]._rsb_clone_allowed(journal)
            if allowed[journal]:
                alike.setdefault(key, []).append(index)
        return [
            (indexes[0], indexes[1:])
            for indexes in alike.values()
            if len(indexes) >= CLONE_MIN_GROUP
        ]

    @staticmethod
    def _rsb_document_lines(vals):
        """The line values of document values (created by invoice_line_ids or line_ids),
        or None when a command is not a create."""
        commands = [*vals.get("invoice_line_ids", []), *vals.get("line_ids", [])]
        if any(command[0] != Command.CREATE for command in commands):
            return None
        return [command[2] for command in commands]

    def _rsb_document_line_amount(self, line, currency):
        """The amount of an untaxed line: as the tax engine set it, else quantity x price."""
        if "amount_currency" in line:
            return abs(line["amount_currency"])
        return abs(currency.round(line.get("quantity", 1.0) * line.get("price_unit", 0.0)))

    def _rsb_document_copy_key(self, vals, clients=None):
        """What alike documents share (everything but the client, the ticket, the labels,
        quantities, prices and amounts, and whether each line and the total are zero); None
        for a document the ORM must make: taxed, discounted, with an analytic distribution,
        in another currency than the company's, for a contact of a company or a client
        with a delivery address of its own.

        :param clients: a dict the caller keeps across the batch (`_rsb_document_client_key`
            of each client, read once)"""
        self.ensure_one()
        lines = self._rsb_document_lines(vals)
        company = self.env["res.company"].browse(vals["company_id"])
        if not lines or vals["currency_id"] != company.currency_id.id:
            return None
        clients = {} if clients is None else clients
        client = (vals["partner_id"], company.id, vals["move_type"])
        if client not in clients:
            clients[client] = self._rsb_document_client_key(vals, company)
        if clients[client] is None:
            return None
        currency = company.currency_id
        layout = []
        for line in lines:
            taxes = [tax for command in line.get("tax_ids") or [] for tax in command[2] or []]
            if (
                taxes
                or line.get("display_type", "product") != "product"
                or line.get("analytic_distribution")
                or line.get("discount")
            ):
                return None
            layout.append(
                (
                    line.get("account_id"),
                    line.get("product_id"),
                    line.get("product_uom_id"),
                    line.get("rsb_deposit_role"),
                    bool(line.get("rsb_deposit_ticket_id")),
                    # the sign of the line (a copy's amounts take the prototype's signs)
                    self._rsb_document_line_sign(line, currency),
                )
            )
        total = self._rsb_document_total(vals, lines, currency)
        return (
            *clients[client],
            vals["journal_id"],
            vals.get("invoice_date"),
            vals.get("fiscal_position_id") or clients[client][2],
            vals.get("invoice_payment_term_id") or clients[client][3],
            repr(sorted((vals.get("sending_data") or {}).items())),
            bool(vals.get("ref")),
            tuple(layout),
            currency.is_zero(total),
        )

    def _rsb_document_client_key(self, vals, company):
        """The part of `_rsb_document_copy_key` that comes from the client (the same for
        each of their documents of a kind); None for a contact of a company or a client with
        a delivery address of its own."""
        partner = self.env["res.partner"].browse(vals["partner_id"]).with_company(company)
        if partner.commercial_partner_id != partner:
            return None
        if partner.address_get(["delivery"])["delivery"] != partner.id:
            return None
        fiscal_position = (
            self.env["account.fiscal.position"]
            .with_company(company)
            ._get_fiscal_position(partner, delivery=partner)
        )
        # the bank account Odoo gives the document: the company's on an invoice, the
        # client's on a credit note (money out), as account.move._compute_partner_bank_id
        bank_partner = company.partner_id if vals["move_type"] == "out_invoice" else partner
        bank = (
            bank_partner.bank_ids.filtered(lambda b: not b.company_id or b.company_id == company)
            .sorted(lambda b: not b.allow_out_payment)[:1]
            .id
        )
        return (
            company.id,
            vals["move_type"],
            fiscal_position.id,
            partner.property_payment_term_id.id,
            bank,
            partner.property_account_receivable_id.id,
            partner.property_inbound_payment_method_line_id.id,
            partner.lang,
        )

    def _rsb_document_line_sign(self, line, currency):
        """-1, 0 or 1: the sign of an untaxed line's price (quantity x price)."""
        if "amount_currency" in line:
            value = -line["amount_currency"]
        else:
            value = line.get("quantity", 1.0) * line.get("price_unit", 0.0)
        return 0 if currency.is_zero(value) else (1 if value > 0 else -1)

    def _rsb_document_total(self, vals, lines, currency):
        """The total of an untaxed document: its lines' amounts, signed as the document."""
        sign = -1 if vals["move_type"] == "out_invoice" else 1
        total = 0.0
        for line in lines:
            if "amount_currency" in line:
                total += sign * line["amount_currency"]
            else:
                total += currency.round(line.get("quantity", 1.0) * line.get("price_unit", 0.0))
        return currency.round(total)

    def _rsb_document_copy(self, vals):
        """The MoveCopy of document values of this ticket (alike its prototype: see
        `_rsb_document_copy_key`): the client, origin and reference, each line's label,
        quantity, price and amount (the payment term line last: the total), linked to the
        ticket."""
        self.ensure_one()
        company = self.env["res.company"].browse(vals["company_id"])
        currency = company.currency_id
        partner = self.env["res.partner"].browse(vals["partner_id"])
        lines = self._rsb_document_lines(vals)
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        total = self._rsb_document_total(vals, lines, currency)
        copy_lines = []
        for line in lines:
            copy_lines.append(
                {
                    "amount": self._rsb_document_line_amount(line, currency),
                    "name": line.get("name"),
                    "quantity": float_round(line.get("quantity", 1.0), precision_digits=digits),
                    "price_unit": line.get("price_unit", 0.0),
                    "rsb_deposit_ticket_id": line.get("rsb_deposit_ticket_id"),
                }
            )
        copy_lines.append({"amount": total})  # the payment term line
        return MoveCopy(
            partner.id,
            partner.display_name,
            total,
            {"invoice_origin": vals.get("invoice_origin"), "ref": vals.get("ref")},
            copy_lines,
            {"rsb_settlement_ticket_ids": [self.id]},
        )
