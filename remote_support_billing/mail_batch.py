"""Chatter messages and queued emails of a dunning batch written set-based: the rows Odoo's
mail.message / mail.mail / mail.notification creates would write, in one INSERT per table, so
that the chatter, the outgoing mail queue and the notifications work on them as on any
message. Private helpers: the callers decided what is posted (no access check here)."""

import uuid

from markupsafe import Markup

from odoo.tools import SQL, html_sanitize
from odoo.tools.mail import generate_tracking_message_id

# Columns of mail_message written here (all the others keep their SQL default, NULL),
# with their PostgreSQL array type.
_MESSAGE_COLUMNS = (
    ("id", "int"),
    ("model", "varchar"),
    ("res_id", "int"),
    ("record_name", "varchar"),
    ("message_type", "varchar"),
    ("subtype_id", "int"),
    ("is_internal", "bool"),
    ("author_id", "int"),
    ("email_from", "varchar"),
    ("reply_to", "varchar"),
    ("subject", "varchar"),
    ("body", "text"),
    ("message_id", "varchar"),
    ("email_layout_xmlid", "varchar"),
    ("email_add_signature", "bool"),
    ("record_company_id", "int"),
    ("record_alias_domain_id", "int"),
)


def sanitize_many(bodies):
    """`html_sanitize` of each body (as mail.message's body field does at create), in one
    parse for the whole batch: the bodies joined with a marker paragraph, sanitized, split
    again; a body that comes back different alone (the marker split does not give as many
    parts) falls back to one sanitize per body. Identical bodies are sanitized once."""
    distinct = list(dict.fromkeys(str(body or "") for body in bodies))
    if len(distinct) > 1 and all(body.startswith("<") for body in distinct):
        mark = f"<p>rsb-{uuid.uuid4().hex}</p>"
        parts = html_sanitize(mark.join(distinct)).split(mark)
        if len(parts) != len(distinct):
            parts = [html_sanitize(body) for body in distinct]
    else:
        parts = [html_sanitize(body) for body in distinct]
    sanitized = dict(zip(distinct, parts, strict=True))
    return [Markup(sanitized[str(body or "")]) for body in bodies]


def next_ids(env, table, count):
    """`count` ids of `table`'s sequence, in one query."""
    if not count:
        return []
    env.cr.execute(
        SQL(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            table,
            count,
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def insert_messages(env, model, vals_list, company=None):
    """Insert mail.message rows on records of `model`, one per dict of `vals_list`
    (keys: res_id, body and any column of _MESSAGE_COLUMNS; attachment_ids: ids).
    Defaults as mail.message.create and message_post: the author's email as sender, the
    reply-to of the record, the record's name, a tracking Message-Id, the record's company
    and alias domain (`company`, default the environment's, when the record has none: the
    bounce address and From of the email are the company's); bodies sanitized as its html
    field.

    :return: the new messages' ids, in the order of `vals_list`
    """
    if not vals_list:
        return []
    env.flush_all()  # rows referenced by the new ones (attachments, partners)
    records = env[model].sudo().browse([vals["res_id"] for vals in vals_list])
    user_partner = env.user.partner_id
    Partner = env["res.partner"]
    reply_tos = {}
    names = {}
    company = company or env.company
    companies = records._mail_get_companies(default=company)
    alias_domains = records._mail_get_alias_domains(default_company=company)
    if any(vals.get("record_name", True) is True for vals in vals_list):
        names = dict(zip(records.ids, records.mapped("display_name"), strict=True))
    for vals in vals_list:
        vals.setdefault("author_id", user_partner.id)
        if "email_from" not in vals:
            vals["email_from"] = Partner.browse(vals["author_id"]).email_formatted
        if "reply_to" not in vals:
            if vals["email_from"] not in reply_tos:
                reply_tos[vals["email_from"]] = records._notify_get_reply_to(
                    default=vals["email_from"]
                )
            vals["reply_to"] = reply_tos[vals["email_from"]][vals["res_id"]]
        if vals.get("record_name", True) is True:
            vals["record_name"] = names[vals["res_id"]]
        if not vals.get("message_id"):
            vals["message_id"] = generate_tracking_message_id(f"{vals['res_id']}-{model}")
        vals.setdefault("email_add_signature", True)
        vals.setdefault("record_company_id", companies[vals["res_id"]].id)
        vals.setdefault("record_alias_domain_id", alias_domains[vals["res_id"]].id)
        vals.setdefault("is_internal", False)
        vals["model"] = model
    bodies = sanitize_many([vals.get("body") for vals in vals_list])
    ids = next_ids(env, "mail_message", len(vals_list))
    for vals, body, new_id in zip(vals_list, bodies, ids, strict=True):
        vals["body"], vals["id"] = str(body) if body else None, new_id
    now = env.cr.now()
    columns = SQL(", ").join(SQL.identifier(name) for name, _type in _MESSAGE_COLUMNS)
    arrays = SQL(", ").join(
        SQL(
            "%s::%s[]",
            [
                bool(vals.get(name)) if ctype == "bool" else (vals.get(name) or None)
                for vals in vals_list
            ],
            SQL(ctype),
        )
        for name, ctype in _MESSAGE_COLUMNS
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO mail_message (%(columns)s, date, create_uid, write_uid, create_date,
                                  write_date)
        SELECT v.*, %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s FROM unnest(%(arrays)s) AS v
            """,
            columns=columns,
            arrays=arrays,
            now=now,
            uid=env.uid,
        )
    )
    attachments = [
        (new_id, attachment_id)
        for vals, new_id in zip(vals_list, ids, strict=True)
        for attachment_id in vals.get("attachment_ids") or []
    ]
    if attachments:
        env.cr.execute(
            SQL(
                "INSERT INTO message_attachment_rel (message_id, attachment_id) "
                "SELECT * FROM unnest(%s::int[], %s::int[])",
                [m for m, _a in attachments],
                [a for _m, a in attachments],
            )
        )
    env["mail.message"].invalidate_model()
    # as mail.message._invalidate_documents
    records.invalidate_recordset(["message_ids"])
    return ids


def insert_mails(env, message_ids, mails):
    """Queue an email (mail.mail, state outgoing) for each message, to its recipient,
    with the client's email notification (ready: the mail queue sets it sent), as
    mail.mail.create and the notification create of Odoo's notify path write them.

    :param message_ids: ids of messages inserted by insert_messages
    :param mails: [{body_html, recipient_id, author_id, auto_delete}] in the same order
    :return: the mail.mail ids
    """
    if not mails:
        return []
    ids = next_ids(env, "mail_mail", len(mails))
    now, uid = env.cr.now(), env.uid
    env.cr.execute(
        SQL(
            """
        INSERT INTO mail_mail (id, mail_message_id, body_html, state, is_notification,
                               auto_delete, create_uid, write_uid, create_date, write_date)
        SELECT v.id, v.message_id, v.body_html, 'outgoing', TRUE, v.auto_delete,
               %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM unnest(%(ids)s::int[], %(messages)s::int[], %(bodies)s::text[],
                      %(auto_delete)s::bool[]) AS v(id, message_id, body_html, auto_delete)
            """,
            ids=ids,
            messages=list(message_ids),
            bodies=[str(mail["body_html"]) for mail in mails],
            auto_delete=[bool(mail.get("auto_delete")) for mail in mails],
            uid=uid,
            now=now,
        )
    )
    env.cr.execute(
        SQL(
            """
        INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
        SELECT * FROM unnest(%s::int[], %s::int[]);
        INSERT INTO mail_notification (mail_message_id, mail_mail_id, res_partner_id,
                                       author_id, notification_type, notification_status,
                                       is_read, read_date)
        SELECT v.message_id, v.mail_id, v.partner_id, v.author_id, 'email', 'ready', TRUE,
               %s
          FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[])
               AS v(message_id, mail_id, partner_id, author_id)
            """,
            ids,
            [mail["recipient_id"] for mail in mails],
            now,
            list(message_ids),
            ids,
            [mail["recipient_id"] for mail in mails],
            [mail["author_id"] for mail in mails],
        )
    )
    env["mail.mail"].invalidate_model()
    env["mail.notification"].invalidate_model()
    return ids
