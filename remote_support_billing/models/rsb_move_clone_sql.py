"""The SQL of invoice copies (rsb_move_clone.py): account_move and account_move_line rows
inserted from the prototype's with the per-copy columns replaced and the amounts scaled,
their many2many rows, followers and chatter, and the checks on the copies."""

import logging

from psycopg2 import errors as pgerrors

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger
from odoo.tools.mail import generate_tracking_message_id

from .rsb_move_clone import CLONE_OWN_RELATIONS

_logger = logging.getLogger(__name__)


class RsbMoveClone(models.AbstractModel):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.move.clone"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _rsb_clone_columns(self, table):
        """{column: its type's name} of `table`, in the table's order"""
        self.env.cr.execute(
            SQL(
                "SELECT column_name, udt_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s"
                " ORDER BY ordinal_position",
                table,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _rsb_clone_given(self, types, rows, alias, default):
        """The columns given per row (a value that is not None in a dict of `rows`): their
        arrays for unnest (SQL, one per column, cast to the column's type) and their
        expressions: the given value, else `default`(column).

        :return: (names, arrays, {column: SQL expression})
        """
        names = sorted({n for row in rows for n, v in row.items() if v is not None} & set(types))
        arrays = [
            SQL("%s::%s[]", [row.get(name) for row in rows], SQL(types[name])) for name in names
        ]
        exprs = {
            name: SQL("COALESCE(%s.%s, %s)", SQL(alias), SQL.identifier(f"g_{name}"), default(name))
            for name in names
        }
        return names, arrays, exprs

    @api.model
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
    def _rsb_clone_moves(self, prototype, names, copies):
        """Insert the copies' account_move rows; their ids in the order of `names`, or None
        when a number is taken (rolled back to the savepoint)."""
        cr = self.env.cr
        types = self._rsb_clone_columns("account_move")
        columns = [c for c in types if c != "id"]
        exprs = self._rsb_clone_scaled("account.move", "p", columns, SQL("v.total"))
        given, arrays, given_exprs = self._rsb_clone_given(
            types,
            [copy.move_values for copy in copies],
            "v",
            lambda name: SQL("p.%s", SQL.identifier(name)),
        )
        exprs.update(given_exprs)
        exprs.update(
            {
                "name": SQL("v.name"),
                "sequence_number": SQL("v.seq"),
                "payment_reference": SQL(
                    "CASE WHEN p.payment_reference IS NULL THEN NULL ELSE v.name END"
                ),
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
                           unnest(%(arrays)s) AS v(%(aliases)s)
                     WHERE p.id = %(proto)s
                  ORDER BY v.ord
                 RETURNING id, name
                    """,
                        cols=SQL(", ").join(SQL.identifier(c) for c in columns),
                        exprs=SQL(", ").join(
                            exprs.get(c) or SQL("p.%s", SQL.identifier(c)) for c in columns
                        ),
                        arrays=SQL(", ").join(
                            [
                                SQL("%s::int[]", list(range(len(names)))),
                                SQL("%s::varchar[]", [n for n, _s in names]),
                                SQL("%s::int[]", [s for _n, s in names]),
                                SQL("%s::int[]", [copy.partner_id for copy in copies]),
                                SQL("%s::varchar[]", [copy.display_name for copy in copies]),
                                SQL("%s::numeric[]", [copy.total for copy in copies]),
                                *arrays,
                            ]
                        ),
                        aliases=SQL(", ").join(
                            SQL.identifier(alias)
                            for alias in (
                                "ord",
                                "name",
                                "seq",
                                "partner",
                                "display",
                                "total",
                                *(f"g_{name}" for name in given),
                            )
                        ),
                        proto=prototype.id,
                    )
                )
                by_name = {name: move_id for move_id, name in cr.fetchall()}
        except (pgerrors.UniqueViolation, pgerrors.ExclusionViolation):
            _logger.info("Invoices: numbers after %s taken meanwhile: ORM", prototype.name)
            return None
        return [by_name[n] for n, _s in names]

    @api.model
    def _rsb_clone_lines(self, prototype, copies, move_ids, names):
        """Insert the copies' account_move_line rows: each prototype line once per copy, in
        the prototype's line order, with the copy's client, labels, quantities, prices and
        amounts. Returns {(copy id, prototype line id): copy line id}."""
        cr = self.env.cr
        proto_line_ids = prototype.line_ids.sorted("id").ids
        # a line's reference is its invoice's (a stored related field)
        rows = [
            (index, line_id, {**vals, "ref": copy.move_values.get("ref")})
            for index, copy in enumerate(copies)
            for line_id, vals in zip(proto_line_ids, copy.lines, strict=True)
        ]
        types = self._rsb_clone_columns("account_move_line")
        columns = [c for c in types if c != "id"]
        exprs = self._rsb_clone_scaled("account.move.line", "l", columns, SQL("a.amount"))

        def default(name):
            if name == "name" and prototype.payment_reference:
                return SQL(
                    "CASE WHEN l.display_type = 'payment_term'"
                    " THEN replace(l.name, %s, m.name) ELSE l.name END",
                    prototype.payment_reference,
                )
            return exprs.get(name) or SQL("l.%s", SQL.identifier(name))

        # each given value as its field stores it (a price rounded to its precision)
        Line = self.env["account.move.line"]
        floats = {name for name, field in Line._fields.items() if field.type == "float"}
        given_rows = [
            {
                name: value
                if value is None or name not in floats
                else Line._fields[name].convert_to_column(value, Line)
                for name, value in vals.items()
                if name != "amount"
            }
            for _i, _l, vals in rows
        ]
        given, arrays, given_exprs = self._rsb_clone_given(types, given_rows, "a", default)
        exprs["name"] = default("name")
        # (a prototype without payment reference: its payment term line has no number)
        exprs.update(given_exprs)
        exprs.update(
            {
                "move_id": SQL("m.move"),
                "move_name": SQL("m.name"),
                "partner_id": SQL(
                    "CASE WHEN l.partner_id = %s THEN m.partner ELSE l.partner_id END",
                    prototype.commercial_partner_id.id,
                ),
            }
        )
        cr.execute(
            SQL(
                """
            INSERT INTO account_move_line (%(cols)s)
            SELECT %(exprs)s
              FROM unnest(%(arrays)s) AS a(%(aliases)s)
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
                arrays=SQL(", ").join(
                    [
                        SQL("%s::int[]", [r[0] for r in rows]),
                        SQL("%s::int[]", [r[1] for r in rows]),
                        SQL("%s::numeric[]", [r[2]["amount"] for r in rows]),
                        *arrays,
                    ]
                ),
                aliases=SQL(", ").join(
                    SQL.identifier(alias)
                    for alias in ("ord", "line", "amount", *(f"g_{name}" for name in given))
                ),
                ord=list(range(len(copies))),
                move=move_ids,
                name=[n for n, _s in names],
                partner=[copy.partner_id for copy in copies],
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
                if field.name in CLONE_OWN_RELATIONS.get(model, ()):
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
    def _rsb_clone_own_relations(self, move_ids, copies):
        """The rows of the many2many fields each copy has of its own (CLONE_OWN_RELATIONS:
        e.g. the ticket a settle-up document belongs to), as MoveCopy.relations gives
        them."""
        for name in CLONE_OWN_RELATIONS["account.move"]:
            field = self.env["account.move"]._fields[name]
            pairs = [
                (move_id, other)
                for move_id, copy in zip(move_ids, copies, strict=True)
                for other in (copy.relations or {}).get(name, [])
            ]
            if not pairs:
                continue
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) SELECT * FROM unnest(%s::int[], %s::int[])"
                    " ON CONFLICT DO NOTHING",
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    [move for move, _o in pairs],
                    [other for _m, other in pairs],
                )
            )

    @api.model
    def _rsb_clone_messages(self, prototype, move_ids):
        """The prototype's chatter (its creation message) on each copy, each message with
        its own Message-Id. A prototype whose messages notified someone, track values or
        carry attachments is not copied (UserError: the ORM makes the copies)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            SELECT m.id,
                   EXISTS (SELECT 1 FROM mail_notification n WHERE n.mail_message_id = m.id)
                   OR EXISTS (SELECT 1 FROM mail_tracking_value t WHERE t.mail_message_id = m.id)
                   OR EXISTS (SELECT 1 FROM message_attachment_rel r WHERE r.message_id = m.id)
                   OR EXISTS (SELECT 1 FROM mail_message_res_partner_starred_rel s
                               WHERE s.mail_message_id = m.id)
              FROM mail_message m
             WHERE m.model = 'account.move' AND m.res_id = %s
          ORDER BY m.id
            """,
                prototype.id,
            )
        )
        messages = cr.fetchall()
        if any(more for _id, more in messages):
            raise UserError(
                self.env._("The chatter of %s is more than a creation message.", prototype.name)
            )
        if not messages:
            return
        rows = [
            (message_id, move_id, generate_tracking_message_id(f"{move_id}-account.move"))
            for move_id in move_ids
            for message_id, _more in messages
        ]
        types = self._rsb_clone_columns("mail_message")
        columns = [c for c in types if c != "id"]
        exprs = {"res_id": SQL("v.move"), "message_id": SQL("v.header")}
        cr.execute(
            SQL(
                """
            INSERT INTO mail_message (%(cols)s)
            SELECT %(exprs)s
              FROM unnest(%(old)s::int[], %(move)s::int[], %(header)s::varchar[])
                   AS v(old, move, header)
              JOIN mail_message p ON p.id = v.old
          ORDER BY v.move, v.old
            """,
                cols=SQL(", ").join(SQL.identifier(c) for c in columns),
                exprs=SQL(", ").join(
                    exprs.get(c) or SQL("p.%s", SQL.identifier(c)) for c in columns
                ),
                old=[r[0] for r in rows],
                move=[r[1] for r in rows],
                header=[r[2] for r in rows],
            )
        )

    @api.model
    def _rsb_clone_check(self, moves, prototype, line_map):
        """Odoo's own balance check on the copies; each copy's lines like the prototype's in
        account, kind and sign, its total the sum of its lines, each line's amount its
        quantity x price (else the whole batch is rolled back)."""
        unbalanced = moves._get_unbalanced_moves({"records": moves})
        if unbalanced:
            raise UserError(self.env._("Invoices copied unbalanced: %(moves)s", moves=unbalanced))
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
        wrong += self.env.cr.fetchone()[0]
        # each product line's amount is its quantity x price, with the document's sign
        self.env.cr.execute(
            SQL(
                """
            SELECT count(*)
              FROM account_move_line c
              JOIN account_move m ON m.id = c.move_id
              JOIN res_currency cur ON cur.id = c.currency_id
             WHERE c.move_id = ANY(%(moves)s) AND c.display_type = 'product'
               AND (c.price_subtotal <> round(c.quantity * c.price_unit
                                              * (1 - COALESCE(c.discount, 0) / 100.0)
                                              / cur.rounding) * cur.rounding
                    OR c.amount_currency <> CASE WHEN m.move_type = 'out_invoice'
                                                 THEN -c.price_subtotal
                                                 ELSE c.price_subtotal END)
            """,
                moves=moves.ids,
            )
        )
        if wrong or self.env.cr.fetchone()[0]:
            raise UserError(self.env._("Invoices copied differ from their prototype."))
