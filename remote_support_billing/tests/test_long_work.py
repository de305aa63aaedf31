"""Feedback on long work: a background dunning run reports its progress chunk by chunk, the
buttons that took seconds (Execute, Request Deposit, plan Confirm) return at once with a
notification and leave the slow part (PDFs, SMTP) to a job, which does send; the receivables
dashboard opens as a saved record (readable breadcrumb, nothing to save)."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common_receivables import RSBReceivablesCommon
from .dunning_common import RSBDunningCommon


class QueueMixin:
    """Helpers on Odoo's mail queue and cron triggers."""

    def _triggers(self, xmlid):
        return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", self.env.ref(xmlid).id)])

    def _mails_of(self, record, partner):
        """The emails of the record's chatter messages sent to `partner`."""
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("recipient_ids", "in", partner.ids),
                ]
            )
        )

    def _run_mail_queue(self):
        """What the mail queue's job does, the SMTP server replaced by a list.

        :return: the email messages handed to the SMTP server"""
        sent = []
        MailServer = type(self.env["ir.mail_server"])

        def send_email(server, message, *args, **kwargs):
            sent.append(message)
            return message["Message-Id"]

        with (
            patch.object(MailServer, "connect", lambda *args, **kwargs: None),
            patch.object(MailServer, "send_email", send_email),
        ):
            self.env["mail.mail"].sudo().process_email_queue()
        return sent


@tagged("post_install", "-at_install")
class TestDunningProgress(QueueMixin, RSBDunningCommon):
    def _three_clients_run(self):
        for client in (self.client_a, self.client_b, self.client_trusted):
            self._create_invoice(client, 100.0, self.TODAY - timedelta(days=2))
        return self._run(execute=False)

    def test_progress_follows_the_chunks(self):
        run = self._three_clients_run()
        self.assertEqual((run.progress_done, run.progress_remaining), (0, 3))
        run.action_execute_background()
        # a worker commits a first chunk of two clients (the batch size in production: 200)
        run._rsb_execute_lines(run._rsb_claim_lines(2))
        run.invalidate_recordset()
        self.assertEqual(run.state, "running")
        self.assertEqual((run.progress_done, run.progress_remaining), (2, 1))
        self.assertAlmostEqual(run.progress_percent, 200.0 / 3)
        # the last chunk: a client who paid since the preview is processed too (skipped)
        last = run.line_ids.filtered(lambda line: line.state == "to_do")
        self._pay_invoice(last.move_ids)
        self.assertTrue(run._rsb_execute_worker(commit=False), "the last worker finishes")
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(last.state, "skipped")
        self.assertEqual((run.progress_done, run.progress_remaining), (3, 0))
        self.assertEqual(run.progress_percent, 100.0)

    def test_paused_clients_are_not_work(self):
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        paused = self._create_invoice(self.client_b, 100.0, self.TODAY - timedelta(days=2))
        paused.sudo().write(
            {"rsb_dunning_pause_reason": "dispute", "rsb_dunning_pause_until": False}
        )
        run = self._run(execute=False)
        self.assertEqual(self._line(run, self.client_b).state, "paused")
        self.assertEqual((run.progress_done, run.progress_remaining), (0, 1))

    def test_execute_button_returns_at_once_and_the_job_sends(self):
        """Execute on the form renders no PDF and sends nothing: it hands the run to the
        dunning job and says so; the job then sends the emails."""
        invoice = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        before = self._triggers("remote_support_billing.ir_cron_rsb_dunning")
        action = run.action_execute_in_background()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("1 clients are executed in the background", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_window_close")
        self.assertEqual(run.state, "running")
        self.assertGreater(
            self._triggers("remote_support_billing.ir_cron_rsb_dunning"), before, "job woken"
        )
        self.assertFalse(self._partner_mails(self.client_a), "nothing sent by the button")
        self.assertFalse(invoice.rsb_dunning_level_id)

        self.patch(self.env.cr, "commit", lambda: None)  # the job commits its chunks
        mail_queue = self._triggers("mail.ir_cron_mail_scheduler_action")
        with freeze_time(self.TODAY):
            self.env["rsb.dunning.run"]._cron_run_dunning()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.progress_percent, 100.0)
        self.assertTrue(self._partner_mails(self.client_a), "the job queued the email")
        self.assertGreater(
            self._triggers("mail.ir_cron_mail_scheduler_action"),
            mail_queue,
            "the mail queue woken for the chunk's emails",
        )
        self.assertEqual(invoice.rsb_dunning_level_id, self.level_by_days[1])

    def test_execute_button_refuses_a_run_not_previewed(self):
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        with self.assertRaisesRegex(Exception, "Preview run"):
            run.action_execute_in_background()
        self.assertEqual(run.state, "draft")


@tagged("post_install", "-at_install")
class TestQueuedEmails(QueueMixin, RSBReceivablesCommon):
    def test_request_deposit_returns_before_the_email_is_sent(self):
        ticket = self._create_ticket(self.contact_a)
        before = self._triggers("mail.ir_cron_mail_scheduler_action")
        action = ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertEqual(ticket.rsb_deposit_move_id.state, "draft", "booked when paid")
        self.assertIn("129.00", message)
        self.assertIn("emailed the link to pay it in a moment", message)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        # the request is in the chatter now; its email waits in the queue, the queue is woken
        mail = self._mails_of(ticket, self.contact_a)
        self.assertEqual(mail.mapped("state"), ["outgoing"])
        self.assertGreater(self._triggers("mail.ir_cron_mail_scheduler_action"), before)
        sent = self._run_mail_queue()
        self.assertEqual(mail.state, "sent")
        self.assertIn(self.contact_a.email, sent[0]["To"])

    def test_request_deposit_without_email_says_so(self):
        self.contact_a.email = False
        ticket = self._create_ticket(self.contact_a)
        action = ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("no email address", action["params"]["message"])
        self.assertFalse(self._mails_of(ticket, self.contact_a))

    @freeze_time("2026-03-02")
    def test_plan_confirm_returns_before_the_schedule_is_sent(self):
        invoice = self._create_invoice(self.client_a, 300.0, "2026-02-01")
        plan = self._create_plan(invoice)
        action = plan.action_confirm()
        self.assertEqual(plan.state, "active")
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("emailed the schedule in a moment", action["params"]["message"])
        mail = self._mails_of(plan, self.client_a)
        self.assertEqual(mail.mapped("state"), ["outgoing"])
        sent = self._run_mail_queue()
        self.assertEqual(mail.state, "sent", mail.failure_reason)
        self.assertIn(plan.name, sent[0]["Subject"])


@tagged("post_install", "-at_install")
class TestDashboardAction(RSBReceivablesCommon):
    def test_menu_opens_the_saved_dashboard(self):
        """The menu's action opens the one dashboard record (not a new record: the
        breadcrumb reads its name, there is nothing to save) with the current company's
        figures; the accountant reads it and cannot change it."""
        dashboard = self.env.ref("remote_support_billing.rsb_receivables_dashboard_main")
        menu = self.env.ref("remote_support_billing.rsb_receivables_dashboard_menu")
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.accountant)
            ._for_xml_id("remote_support_billing.rsb_receivables_dashboard_action")
        )
        self.assertEqual(menu.action.id, action["id"])
        self.assertEqual((action["res_model"], action["res_id"]), (dashboard._name, dashboard.id))
        as_accountant = dashboard.with_user(self.accountant)
        self.assertEqual(as_accountant.display_name, f"Receivables: {self.company.name}")
        self.assertEqual(as_accountant.company_id, self.company)
        with self.assertRaises(AccessError):
            as_accountant.check_access("write")
        with self.assertRaises(AccessError):
            as_accountant.copy()
        self.assertEqual(self.env["rsb.receivables.dashboard"].search_count([]), 1)


@tagged("post_install", "-at_install")
class TestDunningProgressTour(RSBDunningCommon, HttpCase):
    def test_run_form_follows_the_workers(self):
        for client in (self.client_a, self.client_b, self.client_trusted):
            self._create_invoice(client, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        run.action_execute_background()
        run._rsb_execute_lines(run._rsb_claim_lines(1))
        self.start_tour(
            f"/odoo/action-remote_support_billing.rsb_dunning_run_action/{run.id}",
            "rsb_dunning_progress",
            login=self.accountant.login,
        )
        self.assertEqual(run.state, "done")
