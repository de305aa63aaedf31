"""Issue 24 (client): the portal says what each ticket asks the client to pay: a deposit
waiting, what a settle-up left (with the invoice to pay), or nothing; session times say
their time zone."""

from odoo.tests import tagged

from .session_common import SessionCommon


@tagged("post_install", "-at_install")
class TestPortalBilling(SessionCommon):
    def _page(self, url):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        return self.url_open(url).text

    def test_list_and_page_say_a_deposit_is_waiting(self):
        ticket = self._create_ticket(self.contact_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(ticket._rsb_portal_billing()["state"], "deposit_due")
        listing = self._page("/my/tickets")
        self.assertIn("Deposit to pay: $\N{NO-BREAK SPACE}129.00", listing)
        self.assertIn(f"/my/ticket/{ticket.id}", listing)
        self._pay_invoice(ticket.rsb_deposit_move_id)
        self.assertIn("Deposit paid", self._page("/my/tickets"))

    def test_portal_home_says_a_deposit_is_waiting_to_the_client_only(self):
        ticket = self._create_ticket(self.contact_a, user_id=self.technician.id)
        self.assertNotIn("o_rsb_waiting_deposits", self._page("/my"), "nothing requested yet")
        ticket.with_user(self.technician).action_rsb_request_deposit()
        home = self._page("/my")
        self.assertIn("A deposit is waiting to be paid", home)
        self.assertIn("Deposit to pay: $\N{NO-BREAK SPACE}129.00", home)
        self.assertIn(f"/my/ticket/{ticket.id}", home)
        # another client's home says nothing of it
        self.authenticate(self.portal_b.login, self.portal_b.login)
        other = self.url_open("/my").text
        self.assertNotIn("o_rsb_waiting_deposits", other)
        self.assertNotIn(ticket.number, other)
        self._pay_invoice(ticket.rsb_deposit_move_id)
        self.assertNotIn("o_rsb_waiting_deposits", self._page("/my"), "paid: the banner goes")

    def test_settled_ticket_says_what_is_left_to_pay_and_links_the_invoice(self):
        ticket = self._paid_ticket()
        self._log_time(ticket, 150)  # $215 of time, $129 deposit: $86 to pay
        ticket.with_user(self.technician).action_rsb_settle()
        invoice = ticket.sudo().rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        )
        billing = ticket._rsb_portal_billing()
        self.assertEqual(billing["state"], "invoice_due")
        self.assertAlmostEqual(billing["amount"], 86.0)
        self.assertEqual(billing["url"], invoice.get_portal_url())
        page = self._page(f"/my/ticket/{ticket.id}")
        self.assertIn("Settled: $\N{NO-BREAK SPACE}86.00 to pay", page)
        self.assertIn('id="rsb_pay_invoice"', page)
        self.assertIn("Settled: $\N{NO-BREAK SPACE}86.00 to pay", self._page("/my/tickets"))
        self._pay_invoice(invoice)
        self.assertEqual(ticket._rsb_portal_billing()["state"], "paid")

    def test_session_time_says_its_time_zone(self):
        self.contact_a.tz = "America/New_York"
        ticket = self._paid_ticket()
        self._schedule(ticket)
        page = self._page(f"/my/ticket/{ticket.id}")
        self.assertIn('id="rsb_session_tz"', page)
        self.assertIn("America/New_York", page)

    def test_deposit_receipt_is_written_by_the_shop_not_the_client(self):
        ticket = self._create_ticket(self.contact_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        # the online payment is processed as the client who paid
        ticket.with_user(self.portal_a).sudo()._rsb_on_deposit_paid_one()
        receipt = ticket.message_ids.filtered(lambda m: "We received your deposit" in m.body)
        self.assertEqual(receipt.author_id, self.technician.partner_id)

    def test_deposit_salesperson_is_the_technician_not_the_system(self):
        ticket = self._create_ticket(self.contact_a, user_id=self.technician.id)
        ticket.with_user(self.helpdesk_manager).action_rsb_request_deposit()
        self.assertEqual(ticket.rsb_deposit_move_id.invoice_user_id, self.technician)
        unassigned = self._create_ticket(self.contact_a, user_id=False)
        unassigned.sudo().with_user(self.env.ref("base.user_root"))._rsb_request_deposit()
        self.assertFalse(unassigned.rsb_deposit_move_id.invoice_user_id, "not OdooBot")
