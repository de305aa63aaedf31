"""Issue 26 item 3 (part): the accountant's follow-up desk: a call logged with its outcome and
the next follow-up date (the dunning level's call activity closed by it), and the statement of
account emailed for a chosen period in one click, through Odoo's mail path."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestFollowupDesk(RSBDunningCommon, MockEmail):
    def test_logged_call_sets_the_next_follow_up_and_closes_the_call_activity(self):
        activity = self.client_a.activity_schedule(
            "mail.mail_activity_data_call", summary="Call the client", user_id=self.accountant.id
        )
        next_date = fields.Date.today() + timedelta(days=3)
        self.env["rsb.followup.call"].with_user(self.accountant).create(
            {
                "partner_id": self.client_a.id,
                "outcome": "promised",
                "note": "Pays Friday",
                "next_date": next_date,
            }
        )
        self.assertEqual(self.client_a.rsb_next_followup_date, next_date)
        self.assertFalse(activity.exists(), "the call activity is done")
        note = self.client_a.message_ids.filtered(lambda m: "Follow-up call" in (m.body or ""))
        self.assertIn("Promised to pay", note.body)
        self.assertIn("Pays Friday", note.body)

    def test_call_log_is_the_accountants_and_not_in_the_past(self):
        with self.assertRaises(AccessError):
            self.env["rsb.followup.call"].with_user(self.technician).create(
                {"partner_id": self.client_a.id, "outcome": "reached"}
            )
        with self.assertRaisesRegex(UserError, "cannot be in the past"):
            self.env["rsb.followup.call"].with_user(self.accountant).create(
                {
                    "partner_id": self.client_a.id,
                    "outcome": "no_answer",
                    "next_date": fields.Date.today() - timedelta(days=1),
                }
            )
        self.assertFalse(self.client_a.rsb_followup_call_ids)

    def test_statement_for_a_period_emailed_in_one_click(self):
        self._create_invoice(self.client_a, 120.0, fields.Date.today() - timedelta(days=20))
        date_from = fields.Date.today() - timedelta(days=30)
        wizard = (
            self.env["rsb.statement.send.wizard"]
            .with_user(self.accountant)
            .create({"partner_id": self.client_a.id, "date_from": date_from})
        )
        wizard.action_send()
        message = self.client_a.message_ids.filtered(
            lambda m: "statement of account" in (m.body or "")
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.author_id, self.accountant.partner_id)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn(str(date_from), message.attachment_ids.name)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertTrue(mail, "queued for the client")
        with self.assertRaisesRegex(UserError, "before its end date"):
            self.env["rsb.statement.send.wizard"].with_user(self.accountant).create(
                {
                    "partner_id": self.client_a.id,
                    "date_from": fields.Date.today() + timedelta(days=1),
                }
            )


@tagged("post_install", "-at_install")
class TestDunningEmailPreview(RSBDunningCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        cls.client = cls.env["res.partner"].create(
            {"name": "Preview Client", "is_company": True, "email": "preview@example.com"}
        )
        cls._create_invoice(cls.client, 250.0, cls.TODAY - timedelta(days=8))

    def _preview(self):
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        line = run.line_ids.filtered(lambda ln: ln.partner_id == self.client)
        wizard = (
            self.env["rsb.dunning.email.preview"]
            .with_user(self.accountant)
            .with_context(active_id=line.id)
            .create({})
        )
        return run, line, wizard

    def test_preview_equals_what_is_sent(self):
        run, line, wizard = self._preview()
        self.assertTrue(wizard.has_email)
        self.assertEqual(wizard.recipient_id, self.client)
        subject, body = wizard.subject, wizard.body
        wizard.action_send_now()
        self.assertEqual(line.state, "done")
        self.assertEqual(run.state, "preview", "the other clients wait for Execute")
        message = self._partner_mails(self.client).mail_message_id
        self.assertEqual(message.subject, subject)
        stored = self.client.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.assertEqual(message.body, stored.body)

    def test_edited_email_is_the_one_sent_and_once(self):
        _run, line, wizard = self._preview()
        wizard.write({"subject": "About your invoice", "body": "<p>Call me, please.</p>"})
        wizard.action_send_now()
        message = self._partner_mails(self.client).mail_message_id
        self.assertEqual(message.subject, "About your invoice")
        self.assertIn("Call me, please.", message.body)
        with self.assertRaisesRegex(UserError, "already done"):
            wizard.action_send_now()
        self.assertEqual(len(self._partner_mails(self.client)), 1)

    def test_letter_preview_equals_the_letter_sent(self):
        """A level that sends a formal letter: the preview renders it for this client
        (nothing recorded, nothing attached); Send Now records that same letter."""
        run, line, wizard = self._preview()
        self.assertFalse(wizard.has_letter)
        with self.assertRaisesRegex(UserError, "no formal letter"):
            wizard.action_preview_letter()
        line.level_id.sudo().send_letter = True  # the administrator's setting
        wizard.invalidate_recordset()
        self.assertTrue(wizard.has_letter)
        letters, attachments = (
            self.env["rsb.dunning.letter"].search_count([]),
            self.env["ir.attachment"].search_count([]),
        )
        action = wizard.action_preview_letter()
        self.assertEqual(
            (action["type"], action["report_name"], action["context"]["active_ids"]),
            (
                "ir.actions.report",
                "remote_support_billing.rsb_dunning_letter_document",
                line.ids,
            ),
        )
        preview, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            action["report_name"], line.ids
        )
        self.assertIn(b"Preview Client", preview)
        self.assertEqual(
            (
                self.env["rsb.dunning.letter"].search_count([]),
                self.env["ir.attachment"].search_count([]),
            ),
            (letters, attachments),
            "a preview records nothing",
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.technician).action_preview_letter()
        wizard.action_send_now()
        self.assertEqual(run.state, "preview")
        self.assertTrue(line.letter_id, "the letter is recorded")
        self.assertEqual(line.letter_id.attachment_id.raw, preview, "the preview is what is sent")
