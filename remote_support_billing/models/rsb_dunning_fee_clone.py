"""Fee invoices in sets: the first invoice of a group of alike fee invoices is made by the ORM
(the prototype), the others are copied from it by set-based SQL with their own client,
number, reference and labels; Odoo's checks then run on the copies."""

import logging
import re

from psycopg2 import errors as pgerrors

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

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
        may give the lines a client-dependent distribution, or when a module added a stored
        field computed from the client that the copying does not know."""
        param = self.env["ir.config_parameter"].sudo().get_param(CLONE_PARAM, "1")
        if param.strip().lower() in ("0", "false", "no", "off"):
            return False
        if journal.restrict_mode_hash_table:
            return False
        if self.env["account.analytic.distribution.model"].sudo().search_count([], limit=1):
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

    def _rsb_clone_columns(self, table):
        self.env.cr.execute(
            SQL(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s"
                " ORDER BY ordinal_position",
                table,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rsb_clone_amounts(self, prototype, groups):
        """The amount of each prototype line in each copy: {prototype line id: [amount of the
        line in copy k]}, the fee's amount on its line, their total on the payment term line;
        None when the prototype has other lines (taxes, cash rounding, several installments)
        or an amount column that is not 0 or plus or minus its line's amount (an early
        payment discount): then the ORM makes them."""
        lines = prototype.line_ids.sorted("id")
        products = prototype.invoice_line_ids.sorted("id")
        terms = lines.filtered(lambda ln: ln.display_type == "payment_term")
        if len(terms) != 1 or lines != products | terms:
            return None
        totals = [fees.currency_id.round(sum(fees.mapped("amount"))) for _line, fees in groups]
        amounts = {term.id: totals for term in terms}
        for position, product in enumerate(products):
            amounts[product.id] = [fees[position].amount for _line, fees in groups]
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
    def _rsb_clone_fee_invoices(self, prototype, groups):
        """Copy the posted fee invoice `prototype` for each (run line, fees) of `groups`
        (alike: same key as the prototype's, see _rsb_clone_keys) by INSERT ... SELECT:
        account_move and account_move_line rows with the client, number, payment reference,
        line labels and amounts replaced, the many2many rows, the client as follower; then
        customer ranks, Odoo's balance check, and the fees linked to their invoice lines.
        Returns the copies, or None if the prototype cannot be copied or the numbers after
        it were taken meanwhile (the caller makes them by the ORM then).
        """
        self.env.flush_all()
        amounts = self._rsb_clone_amounts(prototype, groups)
        names = self._rsb_clone_names(prototype, len(groups))
        if amounts is None or names is None or prototype.payment_reference != prototype.name:
            return None
        partners = self.env["res.partner"].browse([line.partner_id.id for line, _f in groups])
        totals = [fees.currency_id.round(sum(fees.mapped("amount"))) for _line, fees in groups]
        move_ids = self._rsb_clone_moves(prototype, names, partners, totals)
        if move_ids is None:
            return None
        line_map = self._rsb_clone_lines(prototype, groups, move_ids, names, partners, amounts)
        self._rsb_clone_relations(
            line_map, prototype, dict(zip(move_ids, partners.ids, strict=True))
        )
        self.env.invalidate_all()
        moves = self.env["account.move"].browse(move_ids)
        self._rsb_clone_check(moves, prototype, line_map)
        # the client's rank as action_post raises it (by how many invoices each one got)
        counts = {}
        for partner in partners:
            counts[partner] = counts.get(partner, 0) + 1
        by_count = {}
        for partner, count in counts.items():
            by_count[count] = by_count.get(count, self.env["res.partner"]) | partner
        for count, same in by_count.items():
            same._increase_rank("customer_rank", count)
        products = prototype.invoice_line_ids.sorted("id")
        links = []
        for index, (_line, fees) in enumerate(groups):
            copies = [line_map[(move_ids[index], pl.id)] for pl in products]
            links += [
                (fee.id, move_ids[index], copy) for fee, copy in zip(fees, copies, strict=True)
            ]
        self._rsb_link_invoices(links)
        return moves

    def _rsb_clone_scaled(self, model, alias, columns, value):
        """SQL expressions of `columns` of the prototype row `alias`: amount columns scaled
        to `value` (SQL), the others as they are."""
        scaled = set(self._rsb_clone_amount_fields(model))
        return {
            column: SQL(
                "CASE WHEN %(c)s = 0 THEN %(c)s ELSE sign(%(c)s) * %(v)s END",
                c=SQL("%s.%s", SQL(alias), SQL.identifier(column)),
                v=value,
            )
            for column in columns
            if column in scaled
        }

    @api.model
    def _rsb_clone_moves(self, prototype, names, partners, totals):
        """Insert the copies' account_move rows; their ids in the order of `names`, or None
        when a number is taken (rolled back to the savepoint)."""
        cr = self.env.cr
        columns = [c for c in self._rsb_clone_columns("account_move") if c != "id"]
        exprs = self._rsb_clone_scaled("account.move", "p", columns, SQL("v.total"))
        exprs.update(
            {
                "name": SQL("v.name"),
                "sequence_number": SQL("v.seq"),
                "payment_reference": SQL("v.name"),
                "partner_id": SQL("v.partner"),
                "commercial_partner_id": SQL("v.partner"),
                "partner_shipping_id": SQL("v.partner"),
                "invoice_partner_display_name": SQL("v.display"),
                "made_sequence_gap": SQL("FALSE"),
                "access_token": SQL("NULL"),
                "message_main_attachment_id": SQL("NULL"),
            }
        )
        try:
            with cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                cr.execute(
                    SQL(
                        """
                    INSERT INTO account_move (%(cols)s)
                    SELECT %(exprs)s
                      FROM account_move p,
                           unnest(%(ord)s::int[], %(name)s::varchar[], %(seq)s::int[],
                                  %(partner)s::int[], %(display)s::varchar[],
                                  %(total)s::numeric[])
                           AS v(ord, name, seq, partner, display, total)
                     WHERE p.id = %(proto)s
                  ORDER BY v.ord
                 RETURNING id, name
                    """,
                        cols=SQL(", ").join(SQL.identifier(c) for c in columns),
                        exprs=SQL(", ").join(
                            exprs.get(c) or SQL("p.%s", SQL.identifier(c)) for c in columns
                        ),
                        ord=list(range(len(names))),
                        name=[n for n, _s in names],
                        seq=[s for _n, s in names],
                        partner=partners.ids,
                        display=[p.display_name for p in partners],
                        total=totals,
                        proto=prototype.id,
                    )
                )
                by_name = {name: move_id for move_id, name in cr.fetchall()}
        except (pgerrors.UniqueViolation, pgerrors.ExclusionViolation):
            _logger.info("Fee invoices: numbers after %s taken meanwhile: ORM", prototype.name)
            return None
        return [by_name[n] for n, _s in names]

    @api.model
    def _rsb_clone_lines(self, prototype, groups, move_ids, names, partners, amounts):
        """Insert the copies' account_move_line rows: each prototype line once per copy, in
        the prototype's line order, with the copy's client, labels and amounts. Returns
        {(copy id, prototype line id): copy line id}."""
        cr = self.env.cr
        proto_line_ids = prototype.line_ids.sorted("id").ids
        products = prototype.invoice_line_ids.sorted("id")
        labels = {
            (index, products[position].id): fee._rsb_invoice_line_label()
            for index, (_line, fees) in enumerate(groups)
            for position, fee in enumerate(fees)
        }
        rows = [
            (index, line_id, labels.get((index, line_id)), amounts[line_id][index])
            for index in range(len(groups))
            for line_id in proto_line_ids
        ]
        columns = [c for c in self._rsb_clone_columns("account_move_line") if c != "id"]
        exprs = self._rsb_clone_scaled("account.move.line", "l", columns, SQL("a.amount"))
        exprs.update(
            {
                "move_id": SQL("m.move"),
                "move_name": SQL("m.name"),
                "partner_id": SQL(
                    "CASE WHEN l.partner_id = %s THEN m.partner ELSE l.partner_id END",
                    prototype.commercial_partner_id.id,
                ),
                "name": SQL(
                    "CASE WHEN l.display_type = 'product' THEN a.label"
                    " WHEN l.display_type = 'payment_term' THEN replace(l.name, %s, m.name)"
                    " ELSE l.name END",
                    prototype.payment_reference,
                ),
            }
        )
        cr.execute(
            SQL(
                """
            INSERT INTO account_move_line (%(cols)s)
            SELECT %(exprs)s
              FROM unnest(%(aord)s::int[], %(aline)s::int[], %(alabel)s::varchar[],
                          %(amount)s::numeric[]) AS a(ord, line, label, amount)
              JOIN account_move_line l ON l.id = a.line
              JOIN unnest(%(ord)s::int[], %(move)s::int[], %(name)s::varchar[],
                          %(partner)s::int[]) AS m(ord, move, name, partner) ON m.ord = a.ord
          ORDER BY a.ord, a.line
         RETURNING id, move_id
            """,
                cols=SQL(", ").join(SQL.identifier(c) for c in columns),
                exprs=SQL(", ").join(
                    exprs.get(c) or SQL("l.%s", SQL.identifier(c)) for c in columns
                ),
                aord=[r[0] for r in rows],
                aline=[r[1] for r in rows],
                alabel=[r[2] for r in rows],
                amount=[r[3] for r in rows],
                ord=list(range(len(groups))),
                move=move_ids,
                name=[n for n, _s in names],
                partner=partners.ids,
            )
        )
        return self._rsb_clone_line_map(proto_line_ids, move_ids, sorted(cr.fetchall()))

    @api.model
    def _rsb_clone_line_map(self, proto_line_ids, move_ids, returned):
        """{(copy move id, prototype line id): copy line id}: the copies' lines were inserted
        in (copy, prototype line) order, so their ids follow it."""
        by_move = {}
        for line_id, move_id in returned:
            by_move.setdefault(move_id, []).append(line_id)
        line_map = {}
        for move_id in move_ids:
            for proto_line, copy in zip(proto_line_ids, by_move[move_id], strict=True):
                line_map[(move_id, proto_line)] = copy
        return line_map

    @api.model
    def _rsb_clone_relations(self, line_map, prototype, partner_of_move):
        """The many2many rows of the copies' lines and invoices (taxes, tax tags, ... any
        many2many of account.move / account.move.line, read from the registry) and the
        followers (the prototype's, its client replaced by the copy's), with their
        subtypes."""
        cr = self.env.cr
        pairs = {
            "account.move.line": (
                [p for (_m, p) in line_map],
                list(line_map.values()),
            ),
            "account.move": (
                [prototype.id] * len(partner_of_move),
                list(partner_of_move),
            ),
        }
        for model, (old, new) in pairs.items():
            for field in self.env[model]._fields.values():
                if field.type != "many2many" or not field.store or field.relation is None:
                    continue
                cr.execute(
                    SQL(
                        """
                    INSERT INTO %(rel)s (%(c1)s, %(c2)s)
                    SELECT m.new, r.%(c2)s
                      FROM %(rel)s r
                      JOIN unnest(%(old)s::int[], %(new)s::int[]) AS m(old, new)
                        ON r.%(c1)s = m.old
                    ON CONFLICT DO NOTHING
                    """,
                        rel=SQL.identifier(field.relation),
                        c1=SQL.identifier(field.column1),
                        c2=SQL.identifier(field.column2),
                        old=old,
                        new=new,
                    )
                )
        cr.execute(
            SQL(
                """
            WITH copies AS (
                SELECT v.move, v.partner, f.id AS old_id,
                       CASE WHEN f.partner_id = %(proto_partner)s THEN v.partner
                            ELSE f.partner_id END AS follower
                  FROM mail_followers f
                  CROSS JOIN unnest(%(moves)s::int[], %(partners)s::int[]) AS v(move, partner)
                 WHERE f.res_model = 'account.move' AND f.res_id = %(proto)s
            ), inserted AS (
                INSERT INTO mail_followers (res_model, res_id, partner_id)
                SELECT 'account.move', move, follower FROM copies
                ON CONFLICT DO NOTHING
                RETURNING id, res_id, partner_id
            )
            INSERT INTO mail_followers_mail_message_subtype_rel
                   (mail_followers_id, mail_message_subtype_id)
            SELECT i.id, s.mail_message_subtype_id
              FROM inserted i
              JOIN copies c ON c.move = i.res_id AND c.follower = i.partner_id
              JOIN mail_followers_mail_message_subtype_rel s ON s.mail_followers_id = c.old_id
            """,
                proto_partner=prototype.partner_id.id,
                moves=list(partner_of_move),
                partners=list(partner_of_move.values()),
                proto=prototype.id,
            )
        )

    @api.model
    def _rsb_clone_check(self, moves, prototype, line_map):
        """Odoo's own balance check on the copies, and each copy's lines equal to the
        prototype's in account, amounts and kind (else the whole batch is rolled back)."""
        unbalanced = moves._get_unbalanced_moves({"records": moves})
        if unbalanced:
            raise UserError(
                self.env._("Fee invoices copied unbalanced: %(moves)s", moves=unbalanced)
            )
        self.env.cr.execute(
            SQL(
                """
            SELECT count(*)
              FROM unnest(%(proto)s::int[], %(copy)s::int[]) AS m(proto, copy)
              JOIN account_move_line p ON p.id = m.proto
              JOIN account_move_line c ON c.id = m.copy
             WHERE (p.account_id, p.display_type, COALESCE(p.tax_line_id, 0),
                    COALESCE(p.product_id, 0), sign(p.balance))
                   IS DISTINCT FROM
                   (c.account_id, c.display_type, COALESCE(c.tax_line_id, 0),
                    COALESCE(c.product_id, 0), sign(c.balance))
            """,
                proto=[p for (_m, p) in line_map],
                copy=list(line_map.values()),
            )
        )
        wrong = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """
            SELECT count(*)
              FROM account_move m,
                   LATERAL (SELECT SUM(l.price_subtotal) AS total FROM account_move_line l
                             WHERE l.move_id = m.id AND l.display_type = 'product') s
             WHERE m.id = ANY(%(moves)s)
               AND (m.amount_total, m.amount_residual) IS DISTINCT FROM (s.total, s.total)
            """,
                moves=moves.ids,
            )
        )
        if wrong or self.env.cr.fetchone()[0]:
            raise UserError(self.env._("Fee invoices copied differ from their prototype."))
