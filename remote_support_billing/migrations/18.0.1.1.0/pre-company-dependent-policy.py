"""Before the update: a client's billing policy (trust, credit hold, collections, dunning
pause) becomes per company. Its columns were global; each becomes a jsonb column holding the
old value for every company, so no client loses their trust or hold on the upgrade."""

from odoo.tools import SQL, sql

POLICY_COLUMNS = (
    "rsb_trusted",
    "rsb_trust_reason",
    "rsb_credit_hold",
    "rsb_dunning_pause_reason",
    "rsb_dunning_pause_until",
    "rsb_dunning_pause_note",
    "rsb_collections",
    "rsb_collections_date",
)


def convert_to_company_dependent(cr):
    """Convert the global policy columns of res_partner to company-dependent jsonb columns
    (``{"company id": value}`` for every company; empty and False values stay NULL)."""
    columns = sql.table_columns(cr, "res_partner")
    for name in POLICY_COLUMNS:
        if name not in columns or columns[name]["udt_name"] == "jsonb":
            continue
        old = f"{name}_rsb_global"
        sql.rename_column(cr, "res_partner", name, old)
        sql.create_column(cr, "res_partner", name, "jsonb")
        cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET %(new)s = companies.value
                  FROM (SELECT partner.id,
                               jsonb_object_agg(company.id::text, to_jsonb(partner.%(old)s))
                                   AS value
                          FROM res_partner partner
                          CROSS JOIN res_company company
                         WHERE partner.%(old)s IS NOT NULL
                           AND partner.%(old)s::text NOT IN ('false', '')
                      GROUP BY partner.id) companies
                 WHERE companies.id = res_partner.id
                """,
                new=SQL.identifier(name),
                old=SQL.identifier(old),
            )
        )
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(old)))


def migrate(cr, version):
    if version:
        convert_to_company_dependent(cr)
