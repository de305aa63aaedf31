"""Dunning benchmark data (used by tools/bench_dunning.py): N clients with M open customer
invoices named in their journal's sequence, cloned in bulk SQL from one ORM-made template
partner and invoice (INSERT ... SELECT), so that seeding 100k invoices takes seconds."""

import logging
import random
import time
from contextlib import contextmanager
from datetime import timedelta

from odoo.tools import SQL

_logger = logging.getLogger("rsb.bench")

# the n-th clone's name: the template's sequence prefix and number + n, zero-padded to 5 digits
SEQ_NAME = (
    "t.sequence_prefix || lpad((v.g + t.sequence_number)::text, "
    "greatest(5, length((v.g + t.sequence_number)::text)), '0')"
)


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cr.fetchall()]


def clone(cr, table, template_id, overrides, arrays):
    """INSERT copies of row `template_id` of `table`, one per element of the `arrays`
    (unnest: {alias: (sql type, values)}), the `overrides` {column: SQL expression over
    the aliases} replacing the template's values. Returns the new ids in order."""
    cols = columns(cr, table)
    select = [SQL(overrides[c]) if c in overrides else SQL.identifier("t", c) for c in cols]
    aliases = list(arrays)
    unnest = SQL(", ").join(SQL("%s::" + arrays[a][0] + "[]", arrays[a][1]) for a in aliases)
    query = SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s t, unnest(%s) WITH ORDINALITY AS v(%s, g) "
        "WHERE t.id = %s ORDER BY v.g RETURNING id",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(c) for c in cols),
        SQL(", ").join(select),
        SQL.identifier(table),
        unnest,
        SQL(", ").join(SQL.identifier(a) for a in aliases),
        template_id,
    )
    cr.execute(query)
    return [r[0] for r in cr.fetchall()]


@contextmanager
def bulk_load(cr, tables):
    """Bulk load, as pg_restore does: no foreign key triggers while inserting rows whose
    references are valid by construction (session_replication_role = replica: the per-row
    FOR KEY SHARE checks on the fresh clients took most of the seeding time), and the GIN
    (trigram) indexes of `tables` rebuilt once afterwards instead of updated row by row."""
    cr.execute("SET LOCAL session_replication_role = replica")
    cr.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexdef LIKE '%% USING gin %%'",
        [list(tables)],
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    for _name, definition in indexes:
        cr.execute(definition)
    cr.execute("SET LOCAL session_replication_role = DEFAULT")


def seed(env, n_clients, n_invoices, today):
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
    )
    product = env["product.product"].create(
        {"name": "Bench hour", "type": "service", "list_price": 100.0, "taxes_id": [(5, 0, 0)]}
    )
    template_partner = env["res.partner"].create(
        {
            "name": "Bench template",
            "is_company": True,
            "email": "tmpl@bench.example",
            "mobile": "+15550100",
            "street": "1 Bench St",
            "city": "Springfield",
        }
    )
    template_move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "journal_id": journal.id,
            "invoice_date": today - timedelta(days=90),
            "invoice_date_due": today,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": 100.0,
                        "tax_ids": [(5, 0, 0)],
                    },
                )
            ],
        }
    )
    template_move.action_post()
    env.flush_all()
    lines = template_move.line_ids
    product_line = lines.filtered(lambda line: line.display_type == "product")
    receivable_line = lines.filtered(lambda line: line.display_type == "payment_term")
    assert len(lines) == 2, lines
    # Commit the templates: the foreign key checks of the bulk inserts lock the referenced
    # rows (FOR KEY SHARE); on rows this transaction wrote, each lock adds to a multixact,
    # which made the 100,000-invoice insert superlinear (minutes instead of seconds).
    cr.commit()

    t0 = time.perf_counter()
    # clients
    partner_ids = clone(
        cr,
        "res_partner",
        template_partner.id,
        {
            "name": "'Bench client ' || v.g",
            "complete_name": "'Bench client ' || v.g",
            "email": "'client' || v.g || '@bench.example'",
        },
        {"k": ("int", list(range(n_clients)))},
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )
    cr.commit()  # same reason
    t_partners = time.perf_counter() - t0

    # invoices: round robin over clients, amounts from 40 to 1,030
    # each client is as late as a random number of days (their highest level), their
    # invoices up to 3 weeks less (never more than 3 days before due: all are dunned)
    rng = random.Random(42)
    lateness = [rng.randint(-3, 60) for _c in range(n_clients)]
    parts = [partner_ids[i % n_clients] for i in range(n_invoices)]
    dues = [
        today - timedelta(days=max(-3, lateness[i % n_clients] - rng.randint(0, 21)))
        for i in range(n_invoices)
    ]
    amounts = [float(rng.randint(40, 1030)) for _i in range(n_invoices)]
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'account_move' AND column_name LIKE 'amount%%' AND data_type = 'numeric'"
    )
    amount_cols = {c: "0" if "tax" in c else "v.amount" for (c,) in cr.fetchall()}
    t0 = time.perf_counter()
    with bulk_load(cr, ["account_move", "account_move_line"]):
        move_ids = clone(
            cr,
            "account_move",
            template_move.id,
            {
                **amount_cols,
                # named in the journal's sequence after the template (INV/2026/00002...),
                # as real invoices are: the sequence look-up of new invoices stays an
                # index scan of the prefix
                "name": SEQ_NAME,
                "payment_reference": SEQ_NAME,
                "sequence_number": "v.g + t.sequence_number",
                "partner_id": "v.partner",
                "commercial_partner_id": "v.partner",
                "invoice_date_due": "v.due",
                "access_token": "NULL",
            },
            {"partner": ("int", parts), "due": ("date", dues), "amount": ("numeric", amounts)},
        )
        t_moves = time.perf_counter() - t0
        t0 = time.perf_counter()
        common = {"move_id": "v.move", "partner_id": "v.partner"}
        clone(
            cr,
            "account_move_line",
            product_line.id,
            {
                **common,
                "debit": "0",
                "credit": "v.amount",
                "balance": "-v.amount",
                "amount_currency": "-v.amount",
                "price_unit": "v.amount",
                "price_subtotal": "v.amount",
                "price_total": "v.amount",
                "amount_residual": "0",
                "amount_residual_currency": "0",
            },
            {"move": ("int", move_ids), "partner": ("int", parts), "amount": ("numeric", amounts)},
        )
        clone(
            cr,
            "account_move_line",
            receivable_line.id,
            {
                **common,
                "debit": "v.amount",
                "credit": "0",
                "balance": "v.amount",
                "amount_currency": "v.amount",
                "amount_residual": "v.amount",
                "amount_residual_currency": "v.amount",
                "date_maturity": "v.due",
                "price_unit": "-v.amount",
                "price_subtotal": "-v.amount",
                "price_total": "-v.amount",
                "name": "(SELECT m.name FROM account_move m WHERE m.id = v.move)",
            },
            {
                "move": ("int", move_ids),
                "partner": ("int", parts),
                "due": ("date", dues),
                "amount": ("numeric", amounts),
            },
        )
    t_lines = time.perf_counter() - t0
    cr.execute("ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line")
    env.invalidate_all()
    _logger.warning(
        "seed: partners %.2fs, moves %.2fs, move lines %.2fs", t_partners, t_moves, t_lines
    )
    return move_ids, receivable_line.account_id
