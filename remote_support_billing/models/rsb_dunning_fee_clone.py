"""Fee invoices in sets: the first invoice of a group of alike fee invoices is made by the ORM
(the prototype), the others are copied from it by set-based SQL with their own client,
number, reference and labels; Odoo's checks then run on the copies."""

import logging
import re
from collections import namedtuple

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# what a copy needs, read for the whole batch before any invoice is made: the client, its
# display name, the fees [(fee id, amount, line label)] and their total
CloneSpec = namedtuple("CloneSpec", "partner_id display_name fees total")

# "0" switches the copying off: every fee invoice is then made by the ORM
CLONE_PARAM = "remote_support_billing.fee_invoice_clone"
# a group smaller than this is made by the ORM (the prototype's cost is not worth it)
CLONE_MIN_GROUP = 3

# The stored fields of invoices and their lines whose value depends on the client (found by
# _rsb_clone_client_fields from the registry's dependencies). Each one is either replaced per
# copy (partner, commercial partner, delivery address, its display name, the lines' partner)
# or equal for the whole group because the group key holds what it is computed from (fiscal
# position, payment term, preferred payment method, language, receivable account, taxes).
# A module that adds another such field switches the copying off (_rsb_clone_allowed).
CLONE_CLIENT_FIELDS = {
    "account.move": {
        # replaced per copy
        "partner_id",
        "commercial_partner_id",
        "partner_shipping_id",
        "invoice_partner_display_name",
        # equal in a group: computed from what the group key holds
        "fiscal_position_id",
        "invoice_payment_term_id",
        "invoice_date_due",
        "preferred_payment_method_line_id",
        "narration",
        "partner_bank_id",  # the company's bank account on a customer invoice
    },
    "account.move.line": {
        "partner_id",  # replaced per copy
        "analytic_distribution",  # copying refused when analytic distribution models exist
    },
}
# The modules whose overrides of an invoice's create / write / post a copy may skip, because
# the copying replicates what they do for an untaxed fee invoice: account (followers,
# customer rank; analytic lines refused), mail (tracking is off for fee invoices, followers
# copied), analytic (checks of distributions: fee lines have none), remote_support_billing
# (its _post acts on reversals and credits only). Another module's override switches the
# copying off: what it does is unknown.
CLONE_KNOWN_MODULES = {"account", "mail", "analytic", "remote_support_billing"}
CLONE_OVERRIDES = {
    "account.move": ("create", "write", "_post", "action_post"),
    "account.move.line": ("create", "write"),
}
# the amount columns of a copy: the prototype's value (0 or plus or minus the line's or the
# invoice's amount) scaled to the copy's amount; every other column is copied as it is
AMOUNT_TYPES = ("monetary",)
AMOUNT_FIELDS = {"account.move.line": {"price_unit"}, "account.move": set()}


class RsbDunningFee(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.fee"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ eligibility
    @api.model
    def _rsb_clone_client_fields(self):
        """The stored fields of account.move and account.move.line computed (transitively,
        through the registry's @api.depends) from the invoice's client."""
        registry = self.env.registry
        client = {"account.move": {"partner_id"}, "account.move.line": {"partner_id"}}
        hop = {
            ("account.move", "line_ids"): "account.move.line",
            ("account.move", "invoice_line_ids"): "account.move.line",
            ("account.move.line", "move_id"): "account.move",
        }
        memo = {}

        def depends_on_client(model, name):
            if name in client[model]:
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
                        depends_on_client(model, parts[0])
                        if parts[0] in self.env[model]._fields
                        else False
                    ):
                        found = True
                    elif (model, parts[0]) in hop and len(parts) > 1:
                        found = depends_on_client(hop[(model, parts[0])], parts[1])
                    if found:
                        break
            memo[(model, name)] = found
            return found

        return {
            model: {
                name
                for name, field in self.env[model]._fields.items()
                if field.store and depends_on_client(model, name)
            }
            for model in client
        }

    @api.model
    def _rsb_clone_allowed(self, journal):
        """May fee invoices of `journal` be copied from a prototype? Not when switched off
        (system parameter), in a journal secured by hashes, when analytic distribution models
        may give the lines a client-dependent distribution, when a module the copying does
        not know overrides an invoice's create, write or post, or added a stored field
        computed from the client."""
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
                    "Fee invoices made by the ORM: %s overridden by %s",
                    model,
                    sorted(modules - CLONE_KNOWN_MODULES),
                )
                return False
        for model, names in self._rsb_clone_client_fields().items():
            unknown = names - CLONE_CLIENT_FIELDS[model]
            if unknown:
                _logger.info(
                    "Fee invoices made by the ORM: %s fields %s depend on the client",
                    model,
                    sorted(unknown),
                )
                return False
        return True

    @api.model
    def _rsb_clone_keys(self, groups, journals):
        """The group key of each (run line, fees) of `groups`: fee invoices with the same key
        are alike but for their client, number and labels; None for one the ORM must make
        (a contact of a company, a delivery address of its own, a currency other than the
        company's). The amounts are not in the key: a copy's are scaled from the prototype's
        (see _rsb_clone_amounts)."""
        Fpos = self.env["account.fiscal.position"]
        keys = []
        for line, fees in groups:
            company = line.company_id
            partner = line.partner_id.with_company(company)
            if partner.commercial_partner_id != partner:
                keys.append(None)
                continue
            delivery = partner.address_get(["delivery"])["delivery"]
            currency = fees.currency_id or company.currency_id
            if delivery != partner.id or currency != company.currency_id:
                keys.append(None)
                continue
            fpos = Fpos.with_company(company)._get_fiscal_position(partner, delivery=partner)
            keys.append(
                (
                    company.id,
                    journals[company].id,
                    line.date,
                    line.run_id.name,
                    fpos.id,
                    partner.property_payment_term_id.id,
                    partner.property_account_receivable_id.id,
                    partner.property_inbound_payment_method_line_id.id,
                    partner.lang,
                    tuple(fee.level_id.fee_product_id.id for fee in fees),
                )
            )
        return keys

    @api.model
    def _rsb_clone_plan(self, groups, journals):
        """Which fee invoices of `groups` are copies: [(prototype index, [copy indexes])]
        for the groups of at least CLONE_MIN_GROUP alike invoices in a journal that allows
        it; the others are made by the ORM."""
        allowed = {
            company: self._rsb_clone_allowed(journal) for company, journal in journals.items()
        }
        if not any(allowed.values()):
            return []
        alike = {}
        for index, key in enumerate(self._rsb_clone_keys(groups, journals)):
            if key is not None and allowed[groups[index][0].company_id]:
                alike.setdefault(key, []).append(index)
        return [
            (indexes[0], indexes[1:])
            for indexes in alike.values()
            if len(indexes) >= CLONE_MIN_GROUP
        ]

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
    def _rsb_clone_amounts(self, prototype, specs):
        """The amount of each prototype line in each copy: {prototype line id: [amount of the
        line in copy k]}, the fee's amount on its line, their total on the payment term line;
        None when the prototype has other lines (taxes, cash rounding, several installments)
        or an amount column that is not 0 or plus or minus its line's amount (an early
        payment discount), or an analytic distribution: then the ORM makes them."""
        lines = prototype.line_ids.sorted("id")
        products = prototype.invoice_line_ids.sorted("id")
        terms = lines.filtered(lambda ln: ln.display_type == "payment_term")
        if (
            len(terms) != 1
            or lines != products | terms
            or any(lines.mapped("analytic_distribution"))
        ):
            return None
        amounts = {term.id: [spec.total for spec in specs] for term in terms}
        for position, product in enumerate(products):
            amounts[product.id] = [spec.fees[position][1] for spec in specs]
        magnitudes = {line.id: abs(line.balance) for line in lines}
        currency = prototype.currency_id
        for model, records, magnitude in (
            ("account.move.line", lines, magnitudes),
            ("account.move", prototype, {prototype.id: prototype.amount_total}),
        ):
            for record in records:
                for name in self._rsb_clone_amount_fields(model):
                    value = record[name]
                    if not currency.is_zero(value) and currency.compare_amounts(
                        abs(value), magnitude[record.id]
                    ):
                        return None
        return amounts

    @api.model
    def _rsb_clone_amount_fields(self, model):
        Model = self.env[model]
        return sorted(
            name
            for name, field in Model._fields.items()
            if field.store and (field.type in AMOUNT_TYPES or name in AMOUNT_FIELDS[model])
        )

    @api.model
    def _rsb_clone_specs(self, groups, indexes):
        """{index: CloneSpec} of groups[index] for the `indexes` to be copied, read in one
        pass over the batch's prefetched fees (before invoices are made)."""
        specs = {}
        for index in indexes:
            line, fees = groups[index]
            currency = fees.currency_id or line.company_id.currency_id
            specs[index] = CloneSpec(
                line.partner_id.id,
                line.partner_id.display_name,
                [(fee.id, fee.amount, fee._rsb_invoice_line_label()) for fee in fees],
                currency.round(sum(fees.mapped("amount"))),
            )
        return specs

    @api.model
    def _rsb_clone_fee_invoices(self, prototype, specs):
        """Copy the posted fee invoice `prototype` for each CloneSpec of `specs` (alike: same
        key as the prototype's, see _rsb_clone_keys) by INSERT ... SELECT: account_move and
        account_move_line rows with the client, number, payment reference, line labels and
        amounts replaced, the many2many rows, the client as follower; then customer ranks,
        Odoo's balance check, and the fees linked to their invoice lines. Returns the copies,
        or None if the prototype cannot be copied or the numbers after it were taken
        meanwhile (the caller makes them by the ORM then). The caller invalidates the cache.
        """
        self.env.flush_all()
        if prototype.payment_state != "not_paid":
            return None  # already matched: its residual and reconciliation are not the copies'
        amounts = self._rsb_clone_amounts(prototype, specs)
        names = self._rsb_clone_names(prototype, len(specs))
        if amounts is None or names is None or prototype.payment_reference != prototype.name:
            return None
        prototype_name = prototype.name
        try:
            # all the copies' rows or none: a failed check leaves the ORM to make them
            with self.env.cr.savepoint():
                move_ids = self._rsb_clone_moves(prototype, names, specs)
                if move_ids is None:
                    return None
                line_map = self._rsb_clone_lines(prototype, specs, move_ids, names, amounts)
                partner_of_move = {
                    move_id: spec.partner_id for move_id, spec in zip(move_ids, specs, strict=True)
                }
                self._rsb_clone_relations(line_map, prototype, partner_of_move)
                moves = self.env["account.move"].browse(move_ids)
                self._rsb_clone_check(moves, prototype, line_map)
        except UserError as error:
            _logger.warning(
                "Fee invoices not copied from %s (Odoo makes them instead): %s",
                prototype_name,
                error.args[0],
            )
            return None
        # the client's rank as action_post raises it (by how many invoices each one got)
        counts = {}
        for spec in specs:
            counts[spec.partner_id] = counts.get(spec.partner_id, 0) + 1
        by_count = {}
        for partner_id, count in counts.items():
            by_count.setdefault(count, []).append(partner_id)
        for count, partner_ids in by_count.items():
            self.env["res.partner"].browse(partner_ids)._increase_rank("customer_rank", count)
        products = prototype.invoice_line_ids.sorted("id")
        links = []
        for move_id, spec in zip(move_ids, specs, strict=True):
            copies = [line_map[(move_id, product.id)] for product in products]
            links += [
                (fee_id, move_id, copy)
                for (fee_id, _amount, _label), copy in zip(spec.fees, copies, strict=True)
            ]
        self._rsb_link_invoices(links)
        return moves
