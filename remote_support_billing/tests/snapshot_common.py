"""What the database stores about records, read from the schema (so that a module's columns
are covered): shared by the tests comparing invoices copied by SQL with the ORM's."""

from odoo.tools import SQL


def stored_rows(env, table, ids, skip=()):
    """:return: {id: {column: value}} of the rows `ids` of `table`, every column the schema
    lists but those of `skip`"""
    env.flush_all()
    columns = [
        column
        for (column,) in env.execute_query(
            SQL(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s",
                table,
            )
        )
        if column not in skip
    ]
    rows = env.execute_query(
        SQL(
            "SELECT id, %s FROM %s WHERE id = ANY(%s)",
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL.identifier(table),
            list(ids),
        )
    )
    return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}


def many2many_rows(env, model, ids):
    """:return: [(field, own id, other id)] of every stored many2many of `model` for `ids`"""
    env.flush_all()
    result = []
    for field in env[model]._fields.values():
        if field.type == "many2many" and field.store:
            result += [
                (field, own, other)
                for own, other in env.execute_query(
                    SQL(
                        "SELECT %s, %s FROM %s WHERE %s = ANY(%s)",
                        SQL.identifier(field.column1),
                        SQL.identifier(field.column2),
                        SQL.identifier(field.relation),
                        SQL.identifier(field.column1),
                        list(ids),
                    )
                )
            ]
    return result
