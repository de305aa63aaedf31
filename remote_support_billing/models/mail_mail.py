"""An email to a client about a ticket or one of its documents that the mail server refused
(or that had no valid address) is shown on the ticket, not only as Odoo's red envelope.

An outgoing mail server that cannot be reached at all (`mail_smtp`) is not the ticket's
problem: every email fails alike, Odoo shows it on each message and to the administrator, and
the emails are resent from their envelope once the server is back."""

import logging

from markupsafe import Markup

from odoo import models

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        if failure_type and failure_type != "mail_smtp":
            try:
                with self.env.cr.savepoint():
                    self._rsb_report_client_failure(success_pids, failure_reason, failure_type)
            except Exception:
                _logger.exception(
                    "Could not report the failed emails %s on their tickets", self.ids
                )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _rsb_report_client_failure(self, success_pids, failure_reason, failure_type):
        """Emails of a ticket or of its documents that did not reach the client; dunning
        emails (on the client) too."""
        self._rsb_report_dunning_failure(failure_reason, failure_type)
        mails = self.sudo().filtered(
            lambda m: m.model in ("helpdesk.ticket", "account.move") and m.res_id
        )
        if not mails:
            return
        success = self.env["res.partner"].browse(
            [p.id if hasattr(p, "id") else p for p in success_pids or []]
        )
        types = dict(self.env["mail.notification"]._fields["failure_type"].selection)
        for mail in mails:
            reason = (
                failure_reason or mail.failure_reason or types.get(failure_type) or failure_type
            )
            record = self.env[mail.model].sudo().browse(mail.res_id).exists()
            if not record:
                continue
            if mail.model == "account.move":
                tickets = record._rsb_send_tickets()
                client = record.commercial_partner_id
            else:
                tickets = record
                client = record.commercial_partner_id
            missed = (mail.recipient_ids - success).filtered(
                lambda p, c=client: p.commercial_partner_id == c
            )
            if not tickets or not missed:
                continue
            text = self.env._(
                'The email "%(subject)s" to %(to)s was not delivered: %(reason)s',
                subject=mail.subject or "",
                to=", ".join(missed.mapped("email_formatted")),
                reason=reason,
            )
            if mail.model == "account.move":
                record._rsb_report_send_failure({record.id: text})
            else:
                tickets._rsb_notify_team(
                    self.env._("Email not delivered: %s", mail.subject or record.display_name),
                    Markup("%s<br/>%s")
                    % (
                        text,
                        self.env._(
                            "Fix the address or the mail server, then resend it from the "
                            "chatter (the red envelope on the message)."
                        ),
                    ),
                )

    def _rsb_report_dunning_failure(self, failure_reason, failure_type):
        """A dunning email that did not reach the client: a note on the client and an
        activity for the accountant (the reminder is not silently lost)."""
        subtype = self.env.ref(
            "remote_support_billing.mt_rsb_dunning_email", raise_if_not_found=False
        )
        mails = self.sudo().filtered(
            lambda m: subtype and m.model == "res.partner" and m.subtype_id == subtype
        )
        types = dict(self.env["mail.notification"]._fields["failure_type"].selection)
        for mail in mails:
            client = self.env["res.partner"].sudo().browse(mail.res_id).exists()
            if not client:
                continue
            reason = (
                failure_reason or mail.failure_reason or types.get(failure_type) or failure_type
            )
            text = self.env._(
                'The dunning email "%(subject)s" to %(to)s was not delivered: %(reason)s. Fix '
                "the address and resend it from the chatter (the red envelope), or call.",
                subject=mail.subject or "",
                to=", ".join(mail.recipient_ids.mapped("email_formatted")) or mail.email_to,
                reason=reason,
            )
            client.message_post(body=text, subtype_xmlid="mail.mt_note")
            company = mail.record_company_id or self.env.company
            accountant = company._rsb_get_money_out_user()
            if accountant:
                client.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Dunning email not delivered"),
                    note=text,
                    user_id=accountant.id,
                )
