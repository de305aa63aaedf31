"""Status at a glance: the client's billing banner (hold, prepay, overdue with amounts), the
warning when such a client is chosen on a ticket, and Settle Up offered only when it can work."""

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestStatus(RSBCommon):
    def _overdue_invoice(self, partner, amount=172.0, days=40):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.today() - relativedelta(days=days),
                "invoice_payment_term_id": self.env.ref(
                    "account.account_payment_term_immediate"
                ).id,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Remote support", "quantity": 1, "price_unit": amount}
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def test_banner_overdue_client_with_amount(self):
        self._overdue_invoice(self.client_trusted)
        client = self.client_trusted.with_user(self.technician)
        self.assertEqual(client.rsb_status_level, "warning")
        self.assertIn("$ 172.00", client.rsb_status_message.replace("\xa0", " "))
        ticket = self._create_ticket(self.client_trusted).with_user(self.technician)
        self.assertEqual(ticket.rsb_client_status_level, "warning")
        self.assertIn("Overdue", ticket.rsb_client_status)

    def test_banner_credit_hold_and_prepay(self):
        self._overdue_invoice(self.client_a, amount=602.0)
        self.client_a._rsb_place_credit_hold("test")
        contact = self.contact_a.with_user(self.technician)
        self.assertEqual(contact.rsb_status_level, "danger")
        self.assertIn("credit hold", contact.rsb_status_message)
        self.assertIn("602.00", contact.rsb_status_message)
        self.assertIn("Must prepay", contact.rsb_status_message)
        self.assertEqual(self.client_b.rsb_status_level, "info", "a new client must prepay")
        self.assertFalse(self.client_trusted.rsb_status_level, "nothing to tell")

    def test_deposit_request_is_not_overdue(self):
        ticket = self._create_ticket(self.contact_b)
        ticket.action_rsb_request_deposit()
        self.assertEqual(self.client_b.rsb_status_level, "info")
        self.assertNotIn("Overdue", self.client_b.rsb_status_message)

    def test_choosing_a_held_client_warns_at_once(self):
        self._overdue_invoice(self.client_a)
        self.client_a._rsb_place_credit_hold("test")
        Ticket = self.env["helpdesk.ticket"].with_user(self.technician)
        ticket = Ticket.new({"name": "New", "team_id": self.team.id})
        ticket.partner_id = self.contact_a
        result = ticket._onchange_rsb_partner_status()
        self.assertIn("credit hold", result["warning"]["message"])
        ticket.partner_id = self.client_trusted
        self.assertFalse(ticket._onchange_rsb_partner_status())

    def test_settle_up_offered_only_with_unsettled_time(self):
        ticket = self._create_ticket(self.client_trusted)
        self.assertFalse(ticket.rsb_can_settle, "no time logged")
        self._log_time(ticket, 70)
        self.assertTrue(ticket.rsb_can_settle)
        ticket.with_user(self.technician).action_rsb_settle()
        self.assertFalse(ticket.rsb_can_settle, "everything is settled")

    def test_settle_up_hidden_while_deposit_unpaid(self):
        ticket = self._create_ticket(self.contact_a)
        ticket.action_rsb_request_deposit()
        self._log_time(ticket, 30)
        self.assertFalse(ticket.rsb_can_settle)

    def test_trusted_ticket_form_hides_the_deposit(self):
        ticket = self._create_ticket(self.client_trusted)
        form = Form(ticket.with_user(self.technician))
        self.assertTrue(form._get_modifier("rsb_deposit_amount", "invisible"))
        ticket_new = self._create_ticket(self.client_a)
        form = Form(ticket_new.with_user(self.technician))
        self.assertFalse(form._get_modifier("rsb_deposit_amount", "invisible"))

    def test_kanban_and_partner_views_load(self):
        for model, view in (("helpdesk.ticket", "kanban"), ("res.partner", "form")):
            arch = self.env[model].with_user(self.technician).get_views([(False, view)])
            self.assertIn("rsb_", arch["views"][view]["arch"])

    def test_billing_tab_shows_what_was_billed(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 70)
        ticket.with_user(self.technician).action_rsb_settle()
        self.assertAlmostEqual(ticket.rsb_billable_hours, 0.0, msg="nothing left to bill")
        self.assertAlmostEqual(ticket.with_user(self.technician).rsb_billed_hours, 1.25)
        self.assertAlmostEqual(ticket.rsb_billed_amount, 107.5)

    def test_dso_breadcrumb_is_readable(self):
        wizard = self.env["rsb.dso.wizard"].create({})
        self.assertTrue(wizard.display_name.startswith("DSO "))
        self.assertNotIn("rsb.dso.wizard", wizard.display_name)

    def test_dso_client_without_sales_has_no_dso(self):
        """A client who owes an invoice from before the period, with no sales in it, has no
        DSO (not 0 days, which would read as a client who pays at once)."""
        self._overdue_invoice(self.client_trusted, amount=172.0, days=400)
        self._overdue_invoice(self.client_a, amount=100.0, days=10)
        wizard = self.env["rsb.dso.wizard"].with_user(self.accountant).create({})
        wizard.action_compute()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.client_trusted].dso_note, "No credit sales in the period")
        self.assertFalse(lines[self.client_a].dso_note)
        self.assertGreater(lines[self.client_a].dso, 0.0)

    def test_dashboard_charts_and_title(self):
        self._overdue_invoice(self.client_trusted, amount=172.0, days=40)
        dashboard = self.env.ref("remote_support_billing.rsb_receivables_dashboard_main")
        dashboard = dashboard.with_user(self.accountant)
        self.assertTrue(dashboard.display_name.startswith("Receivables"))
        self.assertIn("31-60 days", dashboard.aging_chart_html)
        self.assertIn("172.00", dashboard.aging_chart_html)
        self.assertIn("No level yet", dashboard.level_chart_html)
        self.assertEqual(dashboard.collected_chart_html.count("o_rsb_bar"), 6, "six months")

    def test_settle_up_offered_for_time_another_technician_logged(self):
        """The form reads `timesheet_ids` as the technician (who sees only their own
        timesheets) before `rsb_can_settle`: the time the manager logged still counts."""
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 70, user=self.helpdesk_manager)
        as_technician = ticket.with_user(self.technician)
        [values] = as_technician.web_read(
            {"timesheet_ids": {}, "rsb_can_settle": {}, "rsb_billable_hours": {}}
        )
        self.assertTrue(values["rsb_can_settle"])
        self.assertTrue(as_technician.rsb_can_settle)
        self.assertEqual(values["rsb_billable_hours"], 1.25, "70 min in 15-min increments")
