import smtplib
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID
from odoo.tests import tagged
from odoo.tools import format_amount, mute_logger

from odoo.addons.mail.tests.common import MockEmail

from ..models.rsb_dunning_run_line_email import AmountFormats, amount_formatter
from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningEmail(RSBDunningCommon, MockEmail):
    """The dunning email goes through Odoo's mail path: posted in the client's chatter as
    the email the client receives (what Odoo's composer renders for the template), queued
    for the mail cron, sent by the outgoing queue; what else dunning did is an internal note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        cls.client = cls.env["res.partner"].create(
            {"name": "Batch Mail Client", "is_company": True, "email": "batch@example.com"}
        )
        # the credit-hold level: email, SMS, hold note, trust
        cls._create_invoice(cls.client, 250.0, cls.TODAY - timedelta(days=22))

    def _execute(self):
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        run.line_ids.filtered(lambda ln: ln.partner_id != self.client).unlink()
        run.state = "running"
        line = run.line_ids
        run._rsb_execute_lines(line)
        self.env.invalidate_all()
        return line

    def _odoo_composer_values(self, line):
        """What Odoo's composer renders for the level's template on this line (comment mode,
        as message_post_with_source does with a template)."""
        template = line.level_id.mail_template_id
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.accountant)
            .with_context(
                default_composition_mode="comment",
                default_model=line._name,
                default_res_ids=line.ids,
                default_template_id=template.id,
            )
            .create({})
        )
        return composer._prepare_mail_values(line.ids)[line.id]

    def test_email_posted_in_chatter_as_odoo_composer_and_sent_by_the_queue(self):
        line = self._execute()
        mail = self._partner_mails(self.client)
        self.assertEqual(len(mail), 1, "one email to the client")
        message = mail.mail_message_id
        reference = self._odoo_composer_values(line)
        # the email itself is the client's chatter message: subject, body and recipients as
        # Odoo's composer renders them from the template, sent by the accountant
        self.assertIn(message, self.client.message_ids, "in the client's chatter")
        self.assertEqual(message.subject, reference["subject"])
        # the body as any message stores it (sanitized by mail.message)
        stored = self.client.message_post(body=reference["body"], subtype_xmlid="mail.mt_note")
        self.assertEqual(message.body, stored.body)
        self.assertEqual(message.partner_ids.ids, reference["partner_ids"])
        self.assertEqual(message.email_from, reference["email_from"])
        self.assertRecordValues(
            message,
            [
                {
                    "model": "res.partner",
                    "res_id": self.client.id,
                    "message_type": "comment",
                    "subtype_id": self.env.ref("remote_support_billing.mt_rsb_dunning_email").id,
                    "is_internal": False,
                    "author_id": self.accountant.partner_id.id,
                    "email_layout_xmlid": "mail.mail_notification_light",
                    "record_company_id": line.run_id.company_id.id,
                }
            ],
        )
        # queued for the mail cron, not sent inside the run's transaction
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.client)
        self.assertFalse(mail.auto_delete, "the template keeps its emails")
        notification = message.notification_ids
        self.assertRecordValues(
            notification,
            [
                {
                    "res_partner_id": self.client.id,
                    "mail_mail_id": mail.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                }
            ],
        )
        # the outgoing queue sends it: the client gets the rendered email in Odoo's layout,
        # and the chatter shows it delivered
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().browse(mail.id).send()
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(len(self._mails), 1)
        sent = self._mails[0]
        self.assertEqual(sent["email_to"], [self.client.email_formatted])
        self.assertEqual(sent["subject"], reference["subject"])
        self.assertIn("Hello Batch Mail Client", sent["body"])
        self.assertIn("Powered by", sent["body"], "Odoo's light notification layout")

    def test_email_with_invoice_pdfs_attached_to_the_message(self):
        self.levels.write({"attach_invoices": True})
        line = self._execute()
        message = self._partner_mails(self.client).mail_message_id
        self.assertEqual(len(message.attachment_ids), len(line.move_ids))
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")),
            sorted(m._get_invoice_report_filename() for m in line.move_ids),
        )
        self.assertEqual(set(message.attachment_ids.mapped("mimetype")), {"application/pdf"})

    def test_followers_get_no_copy_of_the_reminder(self):
        """A salesperson following the contact is not sent the client's reminder (the
        subtype is not a default one); only the client is notified."""
        follower = self.env["res.users"].create(
            {"name": "Sales Follower", "login": "rsb_sales_follower", "email": "sf@example.com"}
        )
        self.client.message_subscribe(partner_ids=follower.partner_id.ids)
        self._execute()
        message = self._partner_mails(self.client).mail_message_id
        self.assertEqual(message.notification_ids.res_partner_id, self.client)
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", follower.partner_id.ids)])
        )

    def test_summary_note_says_what_was_done(self):
        """Besides the email, one internal note per client lists what the level did."""
        self._execute()
        notes = self.client.message_ids.filtered(lambda m: "Dunning level" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertRecordValues(
            notes,
            [
                {
                    "message_type": "notification",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "is_internal": True,
                    "author_id": self.accountant.partner_id.id,
                }
            ],
        )
        self.assertIn("Email to batch@example.com", notes.body)
        self.assertIn("SMS", notes.body)

    def test_client_without_email_gets_no_email_and_the_note_says_why(self):
        self.client.email = False
        self._execute()
        self.assertFalse(self._partner_mails(self.client))
        note = self.client.message_ids.filtered(lambda m: "Dunning level" in (m.body or ""))
        self.assertIn("No email: the client has no email address.", note.body)

    def test_hold_note_logged_once_by_odoo(self):
        """The hold's note is Odoo's own batch log (_message_log_batch): one internal note
        per client, authored by the accountant who ran dunning."""
        self._execute()
        self.assertTrue(self.client.rsb_credit_hold)
        note = self.client.message_ids.filtered(lambda m: "Credit hold: no new ticket" in m.body)
        self.assertEqual(len(note), 1)
        self.assertRecordValues(
            note,
            [
                {
                    "message_type": "notification",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "is_internal": True,
                    "author_id": self.accountant.partner_id.id,
                }
            ],
        )

    def test_amount_formatter_as_format_amount(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        eur = self.env.ref("base.EUR")
        formats = AmountFormats(self.env)
        for currency in (self.env.company.currency_id, eur):
            for lang in ("en_US", "fr_FR"):
                formatter = amount_formatter(self.env, currency, lang)
                for amount in (0.0, 1.005, -1234567.891, 999.995, 12.5):
                    expected = format_amount(self.env, amount, currency, lang)
                    self.assertEqual(formatter(amount), expected)
                    self.assertEqual(formats(amount, currency, lang), expected)

    def test_background_run_is_signed_by_the_accountant_who_started_it(self):
        """Executed by the cron (as the system), the emails and notes are still the
        accountant's."""
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        run.line_ids.filtered(lambda ln: ln.partner_id != self.client).unlink()
        run.state = "running"
        run.with_user(SUPERUSER_ID)._rsb_execute_lines(run.line_ids)  # the cron: the system
        message = self._partner_mails(self.client).mail_message_id
        self.assertEqual(message.author_id, self.accountant.partner_id)
        note = self.client.message_ids.filtered(lambda m: "Dunning level" in (m.body or ""))
        self.assertEqual(note.author_id, self.accountant.partner_id)

    def test_undelivered_dunning_email_is_shown_to_the_accountant(self):
        """The mail server refuses the reminder: a note on the client and an activity for an
        accountant, besides Odoo's red envelope (nothing fails silently)."""
        self._execute()
        mail = self._partner_mails(self.client)
        refused = smtplib.SMTPRecipientsRefused(
            {"batch@example.com": (550, b"5.1.1 mailbox unavailable")}
        )
        with (
            # Odoo's test mode (no SMTP connection), which pytest-odoo does not set on 18.0
            patch.object(odoo.modules.module, "current_test", self),
            patch.object(type(self.env["ir.mail_server"]), "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            self.env["mail.mail"].sudo().browse(mail.id).send()
        self.assertEqual(mail.state, "exception")
        note = self.client.message_ids.filtered(lambda m: "was not delivered" in (m.body or ""))
        self.assertEqual(len(note), 1)
        activity = self.client.activity_ids.filtered(
            lambda a: a.summary == "Dunning email not delivered"
        )
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
