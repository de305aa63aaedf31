"""Posted invoices in sets: the first invoice of a group of alike invoices is made by the ORM
(the prototype), the others are copied from it by set-based SQL with their own client,
number, labels, quantities, prices and amounts; Odoo's checks then run on the copies.

The callers decide which invoices are alike: the fee invoices of a dunning run
(rsb_dunning_fee_clone.py) and the settle-up documents of a batch of tickets
(helpdesk_ticket_settlement_clone.py). The SQL is in rsb_move_clone_sql.py."""

import logging
import re
from collections import namedtuple

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# One copy of a prototype:
# - partner_id, display_name: the copy's client and its display name;
# - total: the copy's amount total (>= 0): every amount column of the prototype's invoice
#   (0 or plus or minus its total) is scaled to it;
# - move_values: {account_move column: value} of this copy (None keeps the prototype's);
# - lines: one dict per line of the prototype (in id order): "amount", the line's amount
#   (>= 0: every amount column of the prototype's line, 0 or plus or minus its amount, is
#   scaled to it), and {account_move_line column: value} of this copy (None keeps the
#   prototype's; a payment term line's label follows the copy's number);
# - relations: {many2many field of CLONE_OWN_RELATIONS: ids} of this copy.
MoveCopy = namedtuple(
    "MoveCopy", "partner_id display_name total move_values lines relations", defaults=(None,)
)

# "0" switches the copying off: every invoice is then made by the ORM
CLONE_PARAM = "remote_support_billing.fee_invoice_clone"
# a group smaller than this is made by the ORM (the prototype's cost is not worth it)
CLONE_MIN_GROUP = 3

# What differs between a prototype and its copies: the client, and what a caller gives per
# copy (move_values, lines). The stored fields computed (transitively, through the
# registry's @api.depends) from these are found by _rsb_clone_dependent_fields; each one
# must be listed here: replaced per copy, an amount (scaled), or equal in a group because
# the callers' group key holds what it is computed from. A module that adds another such
# field switches the copying off (_rsb_clone_allowed).
CLONE_INPUTS = {
    "account.move": {"partner_id", "invoice_origin", "ref", "rsb_settlement_ticket_ids"},
    "account.move.line": {"partner_id", "name", "quantity", "price_unit", "rsb_deposit_ticket_id"},
}
CLONE_CLIENT_FIELDS = {
    "account.move": {
        # replaced per copy
        "partner_id",
        "commercial_partner_id",
        "partner_shipping_id",
        "invoice_partner_display_name",
        "invoice_origin",
        "ref",
        "rsb_settlement_ticket_ids",  # never copied: the caller links each copy
        # equal in a group: computed from what the group key holds
        "fiscal_position_id",
        "invoice_payment_term_id",
        "invoice_date_due",
        "preferred_payment_method_line_id",
        "narration",
        "partner_bank_id",  # the company's bank account on a customer invoice
    },
    "account.move.line": {
        # replaced per copy
        "partner_id",
        "name",
        "quantity",
        "price_unit",
        "rsb_deposit_ticket_id",
        "ref",  # the invoice's
        # amounts, scaled
        "price_subtotal",
        "price_total",
        "analytic_distribution",  # copying refused when analytic distribution models exist
    },
}
# many2many fields never copied from the prototype: each copy's rows are the caller's
CLONE_OWN_RELATIONS = {"account.move": {"rsb_settlement_ticket_ids"}}
# The modules whose overrides of an invoice's create / write / post a copy may skip, because
# the copying replicates what they do for an untaxed invoice: account (followers, customer
# rank, the paid hook of a zero invoice; analytic lines refused), mail (followers and the
# creation message copied), analytic (checks of distributions: the lines have none),
# remote_support_billing (its _post acts on reversals and credits: _rsb_on_posted is called
# on the copies). Another module's override switches the copying off: what it does is
# unknown.
CLONE_KNOWN_MODULES = {"account", "mail", "analytic", "remote_support_billing"}
CLONE_OVERRIDES = {
    "account.move": ("create", "write", "_post", "action_post"),
    "account.move.line": ("create", "write"),
}
# the amount columns of a copy: the prototype's value (0 or plus or minus the line's or the
# invoice's amount) scaled to the copy's amount; every other column is copied as it is
AMOUNT_TYPES = ("monetary",)
AMOUNT_FIELDS = {"account.move.line": {"price_unit"}, "account.move": set()}


class RsbMoveClone(models.AbstractModel):
    _name = "rsb.move.clone"
    _description = "Invoices copied from a prototype (set-based)"

    # ------------------------------------------------------------------ eligibility
    @api.model
    def _rsb_clone_dependent_fields(self):
        """The stored fields of account.move and account.move.line computed (transitively,
        through the registry's @api.depends) from what differs between copies
        (CLONE_INPUTS)."""
        registry = self.env.registry
        hop = {
            ("account.move", "line_ids"): "account.move.line",
            ("account.move", "invoice_line_ids"): "account.move.line",
            ("account.move.line", "move_id"): "account.move",
        }
        memo = {}

        def depends_on_inputs(model, name):
            if name in CLONE_INPUTS[model]:
                return True
            if (model, name) in memo:
                return memo[(model, name)]
            memo[(model, name)] = False
            field = self.env[model]._fields.get(name)
            found = False
            if field is not None and (field.compute or field.related):
                for path in registry.field_depends[field]:
                    parts = path.split(".")
                    if (
                        depends_on_inputs(model, parts[0])
                        if parts[0] in self.env[model]._fields
                        else False
                    ):
                        found = True
                    elif (model, parts[0]) in hop and len(parts) > 1:
                        found = depends_on_inputs(hop[(model, parts[0])], parts[1])
                    if found:
                        break
            memo[(model, name)] = found
            return found

        return {
            model: {
                name
                for name, field in self.env[model]._fields.items()
                if field.store and depends_on_inputs(model, name)
            }
            for model in CLONE_INPUTS
        }

    @api.model
    def _rsb_clone_allowed(self, journal):
        """May invoices of `journal` be copied from a prototype? Not when switched off
        (system parameter), in a journal secured by hashes, when analytic distribution models
        may give the lines a client-dependent distribution, when a module the copying does
        not know overrides an invoice's create, write or post, or added a stored field
        computed from what differs between copies."""
        param = self.env["ir.config_parameter"].sudo().get_param(CLONE_PARAM, "1")
        if param.strip().lower() in ("0", "false", "no", "off"):
            return False
        if journal.restrict_mode_hash_table:
            return False
        if self.env["account.analytic.distribution.model"].sudo().search_count([], limit=1):
            return False
        for model, methods in CLONE_OVERRIDES.items():
            modules = {
                cls._module
                for cls in type(self.env[model]).__mro__
                if getattr(cls, "_module", None) and any(m in vars(cls) for m in methods)
            }
            if modules - CLONE_KNOWN_MODULES:
                _logger.info(
                    "Invoices made by the ORM: %s overridden by %s",
                    model,
                    sorted(modules - CLONE_KNOWN_MODULES),
                )
                return False
        for model, names in self._rsb_clone_dependent_fields().items():
            unknown = names - CLONE_CLIENT_FIELDS[model]
            if unknown:
                _logger.info(
                    "Invoices made by the ORM: %s fields %s depend on what copies change",
                    model,
                    sorted(unknown),
                )
                return False
        return True

    # ------------------------------------------------------------------ copying
    @api.model
    def _rsb_clone_names(self, prototype, count):
        """`count` names following the prototype's in its journal's sequence (the last name
        read as sequence.mixin does, in the prototype's prefix), with their number; None
        if a name would change prefix."""
        last = prototype._get_last_sequence(with_prefix=prototype.sequence_prefix)
        fmt, values = prototype._get_sequence_format_param(prototype.name)
        if last:
            values["seq"] = max(values["seq"], prototype._get_sequence_format_param(last)[1]["seq"])
        regex = prototype._make_regex_non_capturing(
            prototype._sequence_fixed_regex.replace(r"?P<seq>", "")
        )
        names = []
        for _i in range(count):
            values["seq"] += 1
            name = fmt.format(**values)
            match = re.match(regex, name)
            if name[: match.start(1)] != prototype.sequence_prefix:
                return None
            names.append((name, int(match.group(1) or 0)))
        return names

    @api.model
    def _rsb_clone_amount_fields(self, model):
        Model = self.env[model]
        return sorted(
            name
            for name, field in Model._fields.items()
            if field.store and (field.type in AMOUNT_TYPES or name in AMOUNT_FIELDS[model])
        )

    @api.model
    def _rsb_clone_scalable(self, prototype, copies):
        """Can every amount of `copies` be scaled from the prototype's? Its lines are
        those of the copies (as many), it has no tax or cash rounding line, one payment
        term line, no analytic distribution, and every amount column of a line (of the
        invoice) is 0 or plus or minus the line's amount (the invoice's total): not for an
        early payment discount, a tax or a foreign currency rate. A price given per copy
        (move_values, lines) is not scaled. A line that is 0 in the prototype is 0 in every
        copy, and the other way round (a scaled 0 stays 0)."""
        lines = prototype.line_ids.sorted("id")
        terms = lines.filtered(lambda ln: ln.display_type == "payment_term")
        if (
            len(terms) != 1
            or set(lines.mapped("display_type")) - {"product", "payment_term"}
            or any(lines.mapped("analytic_distribution"))
            or prototype.currency_id != prototype.company_currency_id
            or any(len(copy.lines) != len(lines) for copy in copies)
        ):
            return False
        currency = prototype.currency_id
        proto_amounts = {line.id: abs(line.amount_currency) for line in lines}
        for position, line in enumerate(lines):
            zero = currency.is_zero(proto_amounts[line.id])
            if any(zero != currency.is_zero(copy.lines[position]["amount"]) for copy in copies):
                return False
        zero = currency.is_zero(prototype.amount_total)
        if any(zero != currency.is_zero(copy.total) for copy in copies):
            return False
        explicit = {name for copy in copies for vals in copy.lines for name in vals}
        for model, records, magnitude in (
            ("account.move.line", lines, proto_amounts),
            ("account.move", prototype, {prototype.id: prototype.amount_total}),
        ):
            for record in records:
                for name in self._rsb_clone_amount_fields(model):
                    if model == "account.move.line" and name in explicit:
                        continue
                    value = record[name]
                    if not currency.is_zero(value) and currency.compare_amounts(
                        abs(value), magnitude[record.id]
                    ):
                        return False
        return True

    @api.model
    def _rsb_clone_moves_from(self, prototype, copies):
        """Copy the posted invoice `prototype` for each MoveCopy of `copies` by
        INSERT ... SELECT: account_move and account_move_line rows with the client, number,
        payment reference (when the prototype's is its number), labels, quantities, prices
        and amounts replaced, the many2many rows, the followers and the chatter (the client
        as follower); then customer ranks,
        Odoo's balance check, the paid hook of a zero invoice and the addon's own reactions
        to a posted document (_rsb_on_posted).

        All the copies' rows or none: a failed check rolls them back. Returns (copies,
        {(copy id, prototype line id): copy line id}), or None if the prototype cannot be
        copied or the numbers after it were taken meanwhile (the caller makes them by the
        ORM then). The caller invalidates the cache."""
        self.env.flush_all()
        if prototype.move_type not in ("out_invoice", "out_refund"):
            return None
        if prototype.state != "posted" or any(prototype.line_ids.mapped("matched_debit_ids")):
            return None
        if any(prototype.line_ids.mapped("matched_credit_ids")):
            return None
        zero = prototype.currency_id.is_zero(prototype.amount_total)
        if prototype.payment_state != ("paid" if zero else "not_paid"):
            return None  # matched already: its residual and reconciliation are not the copies'
        if not self._rsb_clone_scalable(prototype, copies):
            return None
        names = self._rsb_clone_names(prototype, len(copies))
        if names is None or prototype.payment_reference not in (False, prototype.name):
            return None
        prototype_name = prototype.name
        try:
            with self.env.cr.savepoint():
                move_ids = self._rsb_clone_moves(prototype, names, copies)
                if move_ids is None:
                    return None
                line_map = self._rsb_clone_lines(prototype, copies, move_ids, names)
                partner_of_move = {
                    move_id: copy.partner_id for move_id, copy in zip(move_ids, copies, strict=True)
                }
                self._rsb_clone_relations(line_map, prototype, partner_of_move)
                self._rsb_clone_own_relations(move_ids, copies)
                self._rsb_clone_messages(prototype, move_ids)
                moves = self.env["account.move"].browse(move_ids)
                self._rsb_clone_check(moves, prototype, line_map)
        except UserError as error:
            _logger.warning(
                "Invoices not copied from %s (Odoo makes them instead): %s",
                prototype_name,
                error.args[0],
            )
            return None
        _logger.debug("%s invoices copied from %s", len(copies), prototype_name)
        # the client's rank as action_post raises it (by how many invoices each one got)
        counts = {}
        for copy in copies:
            counts[copy.partner_id] = counts.get(copy.partner_id, 0) + 1
        by_count = {}
        for partner_id, count in counts.items():
            by_count.setdefault(count, []).append(partner_id)
        for count, partner_ids in by_count.items():
            self.env["res.partner"].browse(partner_ids)._increase_rank("customer_rank", count)
        self.env.invalidate_all()
        # what _post does after the numbers: a zero invoice is paid at once
        if zero and prototype.is_invoice(include_receipts=True):
            moves._invoice_paid_hook()
        moves._rsb_on_posted()
        return moves, line_map
