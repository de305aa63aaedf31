"""From the ticket to its billing documents (issue 24): buttons, the pay link a technician may
copy, the deposit email signed by who clicked."""

from odoo.tests import new_test_user, tagged

from .test_settle_up import SettleUpCase


@tagged("post_install", "-at_install")
class TestDayLinks(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.rsb_tech_money_out_limit = 1000.0

    def test_pay_link_and_buttons(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        as_tech = ticket.with_user(self.technician)
        [values] = as_tech.web_read({"rsb_pay_url": {}, "rsb_deposit_requested": {}})
        self.assertIn(ticket.access_url, values["rsb_pay_url"])
        self.assertIn("access_token=", values["rsb_pay_url"], "the client opens it directly")
        self.assertAlmostEqual(values["rsb_deposit_requested"], 129.0, msg="the button's label")
        self._pay_invoice(ticket.rsb_deposit_move_id)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.rsb_pay_url, "nothing left to pay")
        self._log_time(ticket, 120)
        ticket.with_user(self.technician).action_rsb_settle()
        ticket.invalidate_recordset()
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertAlmostEqual(invoice.amount_residual, 43.0)
        self.assertIn(invoice.access_url, ticket.with_user(self.technician).rsb_pay_url)
        self.assertEqual(ticket.with_user(self.technician).rsb_settlement_count, 1)
        action = ticket.with_user(self.accountant).action_rsb_view_settlement_moves()
        self.assertEqual(action["res_id"], invoice.id)

    def test_deposit_email_signed_by_who_clicked(self):
        other_tech = new_test_user(
            self.env,
            login="rsb-tech-3",
            name="Olga Other",
            email="olga@example.com",
            groups="helpdesk_mgmt.group_helpdesk_user,hr_timesheet.group_hr_timesheet_user",
        )
        self.technician.email = "tina@example.com"
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        ticket.with_user(other_tech).action_rsb_request_deposit()
        message = ticket.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertEqual(message.author_id, other_tech.partner_id, "not the assignee")
        self.assertIn("olga@example.com", message.email_from)

    def test_waive_tells_client_and_pay_link_gone(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertTrue(ticket.rsb_pay_url)
        action = ticket.with_user(self.helpdesk_manager).action_rsb_waive_deposit()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.helpdesk_manager)
            .with_context(**action["context"])
            .create({"reason": "Server down, owner confirmed"})
        )
        result = wizard.action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["title"], "Deposit waived")
        ticket.invalidate_recordset()
        self.assertTrue(ticket.rsb_can_schedule)
        self.assertFalse(ticket.rsb_deposit_unpaid, "the request is cancelled")
        self.assertFalse(ticket.rsb_pay_url, "the old link offers nothing to pay")
        told = ticket.message_ids.filtered(
            lambda m: "no deposit is needed" in m.body and ticket.partner_id in m.partner_ids
        )
        self.assertTrue(told, "the client is told")
        self.assertEqual(told.author_id, self.helpdesk_manager.partner_id)

    def test_list_and_form_show_the_right_columns_and_buttons(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.technician)
        arch = Ticket.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="commercial_partner_id"', arch)
        ticket = self._create_ticket(self.client_trusted, rsb_estimate_hours=2.0)
        self.assertEqual(ticket.planned_hours, 2.0, "the planned hours follow the estimate")
        form = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("not rsb_session_event_id or rsb_deposit_state not in", form)
