"""Feedback on work a button hands to the background: emails go through Odoo's mail queue (the
click returns before any SMTP server answers; the queue's job, triggered at once, sends them a
moment later) and the button returns a notification that says what happens next."""


def post_template_queued(records, template, **kwargs):
    """Post `template` on each record as a message (chatter entry and notifications now), its
    emails queued instead of sent inside the request (Odoo sends a few notification emails
    synchronously by default, after the commit: seconds with a remote SMTP server), then wake
    the mail queue's job (`mail.ir_cron_mail_scheduler_action`) so they leave at once.

    :param records: mail.thread records
    :param template: mail.template rendered on each record
    :param kwargs: passed to `message_post_with_source` (subtype, attachments...)
    :return: the posted messages
    """
    messages = records.env["mail.message"]
    for record in records.with_context(mail_notify_force_send=False):
        messages |= record.message_post_with_source(template, **kwargs)
    if messages:
        records.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
    return messages


def notification(title, message, kind="info"):
    """The client action a button returns: a notification, then the form reloads (the
    records changed)."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "title": title,
            "message": message,
            "next": {"type": "ir.actions.act_window_close"},
        },
    }
