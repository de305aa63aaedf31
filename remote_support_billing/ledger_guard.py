"""Who writes the deposit ledger: the tags that say which ticket's deposit a journal item moves
(`account.move.line.rsb_deposit_ticket_id` / `rsb_deposit_role`) and which ticket a deposit
request is for (`account.move.rsb_deposit_ticket_id`).

A ticket's deposit figures, its state (paid, ready to schedule) and its settle-up (what is
applied, what is refunded) are read from these tags alone, so a retagged item moves one
client's money to another client's ticket. They are written by the addon's own methods only:
those run their create/write with `ledger_writer(records)`, whose context holds `LEDGER_WRITE`.
That object is no JSON value: a context sent by an RPC call, an import, the web client or any
other module cannot hold it (a context key set to True could be sent by anyone). Every other
create or write that sets or changes a tag is refused by `check_create` / `check_write`.

Odoo's reversals copy the tags of the items they reverse (`_copy_data_extend_business_fields`);
the addon runs them as ledger writers (`account.move._reverse_moves`, the Reverse wizard), the
values being those of the documents reversed. A duplicate carries no tags (`copy=False`).
"""

from odoo.exceptions import UserError

CONTEXT_KEY = "rsb_ledger_write"


class _LedgerWrite:
    """The one instance is the key; copies of a context keep it (no JSON form)."""

    __slots__ = ()

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return "<remote_support_billing ledger write>"


LEDGER_WRITE = _LedgerWrite()


def ledger_writer(records):
    """`records` in an environment where the addon's own code may write the ledger's tags.
    Callers keep the result to the create/write that tags (the documents they return are
    given back in the caller's environment)."""
    return records.with_context(**{CONTEXT_KEY: LEDGER_WRITE})


def may_write(env):
    return env.context.get(CONTEXT_KEY) is LEDGER_WRITE


def _refuse(model, fnames):
    env = model.env
    labels = ", ".join(model._fields[fname]._description_string(env) for fname in fnames)
    raise UserError(
        env._(
            "%(fields)s: the deposit ledger of the tickets is written by the billing flow only "
            "(request, waive, cancel session, settle up, reversal). It cannot be set or changed "
            "by hand, by import, by a copy or over RPC: a journal item moved to another ticket "
            "would move that client's deposit. To correct a deposit, reverse its document.",
            fields=labels,
        )
    )


def check_create(model, vals_list, fnames):
    """Refuse a create that sets a tag (a false value is no tag), unless by a ledger writer."""
    if may_write(model.env):
        return
    given = [fname for fname in fnames if any(vals.get(fname) for vals in vals_list)]
    if given:
        _refuse(model, given)


def check_write(records, vals, fnames):
    """Refuse a write that changes a tag of `records`, unless by a ledger writer; the tags
    sent as they are (a form or an import of unchanged values) are accepted."""
    given = [fname for fname in fnames if fname in vals]
    if not given or may_write(records.env):
        return
    changed = []
    for fname in given:
        field = records._fields[fname]
        value = field.convert_to_record(field.convert_to_cache(vals[fname], records), records)
        if any(record[fname] != value for record in records):
            changed.append(fname)
    if changed:
        _refuse(records, changed)
