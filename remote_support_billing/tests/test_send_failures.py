"""Nothing fails silently: a settle-up invoice that Odoo's asynchronous Send
(`account.ir_cron_account_move_send`) cannot send, for a PDF error, a client without an
email address or a mail server that refuses it, is shown on the invoice and on its ticket
(a note and an activity for the person responsible), and the technician resends it."""

import smtplib
from unittest.mock import patch

import odoo
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.base.models.ir_mail_server import IrMailServer

from .test_settle_up import SettleUpCase

PDF_ERROR = "Wkhtmltopdf failed (error code: -11). Memory limit too low"


def _failing_render(bad_ids):
    """A report render that fails for the invoices `bad_ids` (else renders as usual)."""
    render = IrActionsReport._pre_render_qweb_pdf

    def pre_render(report, report_ref, res_ids=None, data=None):
        if set(res_ids or []) & set(bad_ids):
            raise UserError(PDF_ERROR)
        return render(report, report_ref, res_ids=res_ids, data=data)

    return patch.object(IrActionsReport, "_pre_render_qweb_pdf", pre_render)


@tagged("post_install", "-at_install")
class TestSendFailures(SettleUpCase):
    def setUp(self):
        super().setUp()
        # Odoo's test mode, as Odoo's runner sets it (pytest-odoo does so from Odoo 19 on
        # only): no SMTP connection, emails "sent" without leaving; a test makes the mail
        # server refuse them by patching `send_email`.
        patcher = patch.object(odoo.modules.module, "current_test", self)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _settled_invoice(self, partner=None, **vals):
        vals.setdefault("user_id", self.technician.id)
        ticket = self._create_ticket(partner or self.client_trusted, **vals)
        self._log_time(ticket, 70)
        ticket.with_user(self.technician).action_rsb_settle()
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(len(invoice), 1)
        self.assertTrue(invoice.sending_data, "queued for Odoo's Send")
        return ticket, invoice

    def _emailed(self, invoice):
        """The invoice's emails to the client (the mail itself leaves and is deleted)."""
        return invoice.message_ids.filtered(
            lambda m: m.message_type == "comment" and invoice.partner_id in m.partner_ids
        )

    def _client_mails(self, invoice):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", invoice.id),
                ("recipient_ids", "in", invoice.partner_id.ids),
            ]
        )

    def _activities(self, ticket):
        return ticket.activity_ids.filtered(
            lambda a: a.summary and a.summary.startswith("Not sent")
        )

    def _send_job(self):
        self.env["account.move"]._cron_account_move_send()

    # ------------------------------------------------------------------ PDF error
    def test_pdf_failure_is_shown_and_resent(self):
        ticket, invoice = self._settled_invoice()
        with _failing_render(invoice.ids):
            self._send_job()  # the job itself does not fail

        # the invoice: not sent, not queued any more, says why
        self.assertFalse(invoice.sending_data)
        self.assertFalse(invoice.is_move_sent)
        self.assertFalse(self._emailed(invoice))
        self.assertIn("could not be made", invoice.rsb_send_error)
        self.assertIn(PDF_ERROR, invoice.rsb_send_error)
        self.assertIn(PDF_ERROR, invoice.message_ids[0].body, "Odoo's own error message")
        # the ticket, as the technician sees it: the error, a note, an activity for them
        as_tech = ticket.with_user(self.technician)
        self.assertIn(PDF_ERROR, as_tech.rsb_send_error)
        self.assertIn(invoice.name, as_tech.rsb_send_error)
        note = ticket.message_ids.filtered(lambda m: "could not be sent to the client" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn(PDF_ERROR, note.body)
        activity = self._activities(ticket)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.technician)
        # the job does not try again by itself
        with _failing_render(invoice.ids):
            self._send_job()
        self.assertEqual(len(self._activities(ticket)), 1)

        # the cause fixed, the technician resends: Odoo's Send sends it
        as_tech.action_rsb_resend_documents()
        self.assertTrue(invoice.sending_data)
        self._send_job()
        self.assertFalse(invoice.rsb_send_error)
        self.assertTrue(invoice.is_move_sent)
        self.assertEqual(len(self._emailed(invoice)), 1)
        self.assertFalse(as_tech.rsb_send_error)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "was sent to the client" in m.body))

    def test_activity_for_team_leader_without_user(self):
        self.team.user_id = self.helpdesk_manager
        ticket, invoice = self._settled_invoice(user_id=False)
        with _failing_render(invoice.ids):
            self._send_job()
        self.assertEqual(self._activities(ticket).user_id, self.helpdesk_manager)

    def test_one_bad_pdf_does_not_hold_the_others(self):
        ticket_bad, bad = self._settled_invoice()
        ticket_ok, good = self._settled_invoice(name="Mail server down")
        with _failing_render(bad.ids):
            self._send_job()
        self.assertTrue(bad.rsb_send_error)
        self.assertFalse(bad.is_move_sent)
        self.assertFalse(good.rsb_send_error)
        self.assertTrue(good.is_move_sent)
        self.assertEqual(len(self._emailed(good)), 1)
        self.assertTrue(ticket_bad.rsb_send_error)
        self.assertFalse(ticket_ok.rsb_send_error)

    def test_interactive_send_says_why(self):
        """Sent by hand (Send & Print), the same failure is an error in plain words."""
        _ticket, invoice = self._settled_invoice()
        invoice.sending_data = False
        with _failing_render(invoice.ids), self.assertRaisesRegex(UserError, "could not be made"):
            self.env["account.move.send"]._generate_and_send_invoices(invoice)

    # ------------------------------------------------------------------ no email address
    def test_no_email_is_shown_and_resend_refused(self):
        self.client_trusted.email = False
        ticket, invoice = self._settled_invoice()
        self._send_job()
        self.assertFalse(invoice.sending_data)
        self.assertFalse(self._emailed(invoice))
        self.assertIn("has no email address", invoice.rsb_send_error)
        self.assertIn("has no email address", ticket.with_user(self.technician).rsb_send_error)
        self.assertEqual(self._activities(ticket).user_id, self.technician)
        # resend before the address is fixed: refused, nothing changes
        with self.assertRaisesRegex(UserError, "Add an email address to Oakridge"):
            ticket.with_user(self.technician).action_rsb_resend_documents()
        self.assertFalse(invoice.sending_data)
        self.assertIn("has no email address", invoice.rsb_send_error)
        # fixed: sent
        self.client_trusted.email = "office@oakridge.example"
        ticket.with_user(self.technician).action_rsb_resend_documents()
        self._send_job()
        self.assertEqual(len(self._emailed(invoice)), 1)
        self.assertFalse(invoice.rsb_send_error)

    def test_resend_with_nothing_to_resend(self):
        ticket, _invoice = self._settled_invoice()
        self._send_job()
        with self.assertRaisesRegex(UserError, "has been sent"):
            ticket.with_user(self.technician).action_rsb_resend_documents()

    # ------------------------------------------------------------------ mail server refusal
    def test_mail_server_refusal_is_shown(self):
        ticket, invoice = self._settled_invoice()
        refused = smtplib.SMTPRecipientsRefused(
            {"office@oakridge.example": (550, b"5.1.1 mailbox unavailable")}
        )
        with (
            patch.object(IrMailServer, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            self._send_job()  # Odoo emails the invoice at once (force_send)
        mail = self._client_mails(invoice)
        self.assertEqual(mail.state, "exception")
        self.assertIn("was not delivered", invoice.rsb_send_error)
        self.assertIn("mailbox unavailable", invoice.rsb_send_error)
        self.assertIn("was not delivered", ticket.with_user(self.technician).rsb_send_error)
        self.assertEqual(self._activities(ticket).user_id, self.technician)
