from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import format_amount, html_sanitize

from odoo.addons.mail.tests.common import MockEmail

from ..mail_batch import sanitize_many
from ..models.rsb_dunning_run_line_email import AmountFormats, amount_formatter
from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningMailBatch(RSBDunningCommon, MockEmail):
    """The dunning email and chatter rows written set-based are the rows Odoo's own mail
    path writes (mail.mail.create, the notification, _message_log_batch), and the outgoing
    mail queue sends them."""

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

    def test_email_rows_as_odoo_mail_path_and_sent_by_the_queue(self):
        line = self._execute()
        mail = self._partner_mails(self.client)
        self.assertEqual(len(mail), 1, "one email to the client")
        message = mail.mail_message_id
        template = line.level_id.mail_template_id
        # the body is Odoo's own rendering of the template, inside the light layout
        standard = template._render_field("body_html", line.ids, compute_lang=True)[line.id]
        self.assertIn(str(standard), mail.body_html)
        self.assertIn("Powered by", mail.body_html)
        self.assertEqual(message.subject, template._render_field("subject", line.ids)[line.id])
        # the same email through Odoo's mail.mail.create and notification create
        reference = (
            self.env["mail.mail"]
            .sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "model": "res.partner",
                    "res_id": self.client.id,
                    "message_type": "comment",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "is_internal": True,
                    "author_id": message.author_id.id,
                    "body": message.body,
                    "subject": message.subject,
                    "email_from": message.email_from,
                    "reply_to": message.email_from,
                    "body_html": mail.body_html,
                    "recipient_ids": [(6, 0, self.client.ids)],
                    "is_notification": True,
                    "auto_delete": False,
                    "state": "outgoing",
                    "email_layout_xmlid": "mail.mail_notification_light",
                }
            )
        )
        for fname in (
            "model",
            "res_id",
            "record_name",
            "message_type",
            "subtype_id",
            "is_internal",
            "author_id",
            "email_from",
            "reply_to",
            "subject",
            "body",
            "body_html",
            "recipient_ids",
            "state",
            "is_notification",
            "auto_delete",
            "email_layout_xmlid",
            "email_add_signature",
            "scheduled_date",
            "email_to",
            "attachment_ids",
        ):
            self.assertEqual(mail[fname], reference[fname], fname)
        self.assertIn(f"{self.client.id}-res.partner", message.message_id)
        self.assertIn(self.client, message.author_id | mail.recipient_ids)
        self.assertIn("Dunning level", message.body)
        self.assertIn("Email to batch@example.com", message.body)
        self.assertIn(message, self.client.message_ids, "in the client's chatter")
        # the run's company sends it: its bounce address and From, as message_post sets them
        company = line.run_id.company_id
        self.assertEqual(message.record_company_id, company)
        self.assertEqual(message.record_alias_domain_id, company.alias_domain_id)
        notification = message.notification_ids
        self.assertRecordValues(
            notification,
            [
                {
                    "res_partner_id": self.client.id,
                    "mail_mail_id": mail.id,
                    "author_id": message.author_id.id,
                    "notification_type": "email",
                    "notification_status": "ready",
                    "is_read": True,
                }
            ],
        )
        # the outgoing queue sends it: the client gets the rendered email
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().browse(mail.id).send()
        self.assertEqual(mail.state, "sent")
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(len(self._mails), 1)
        sent = self._mails[0]
        self.assertEqual(sent["email_to"], [self.client.email_formatted])
        self.assertEqual(sent["subject"], message.subject)
        self.assertIn("Hello Batch Mail Client", sent["body"])
        self.assertIn(str(standard), sent["body"])

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

    def test_summary_bodies_sanitized_in_one_pass_as_one_by_one(self):
        line = self._execute()
        bodies = [
            line._rsb_summary_body(labels)
            for labels in (["Email to <a@b.c>", "SMS to +1"], ["x & y"], [])
        ] + ["plain text", "<p>one</p>"]
        self.assertEqual(sanitize_many(bodies), [html_sanitize(body) for body in bodies])
        self.assertEqual(sanitize_many(bodies[:3]), [html_sanitize(b) for b in bodies[:3]])

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
