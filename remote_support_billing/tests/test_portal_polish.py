"""The client's side: the deposit is titled "Deposit" and leads back to its ticket, the ticket's
history shows the deposit request and payment, held deposits name their ticket."""

from odoo.tests import HttpCase, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestPortalPolish(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        cls.ticket = cls._create_ticket(cls.contact_a, name="Email not syncing")
        cls.ticket.action_rsb_request_deposit()
        cls.deposit = cls.ticket.rsb_deposit_move_id

    def test_deposit_document_is_titled_deposit(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "account.account_invoices", self.deposit.ids, data={"proforma": True}
            )[0]
            .decode()
        )
        self.assertIn("Deposit", html)
        self.assertNotIn("PROFORMA", html)
        self.assertNotIn(">Invoice<", html)

    def test_other_invoices_keep_their_title(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [(0, 0, {"name": "Support", "quantity": 1, "price_unit": 10})],
            }
        )
        invoice.action_post()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", invoice.ids)[0]
            .decode()
        )
        self.assertIn("Invoice", html)

    def test_deposit_page_leads_back_to_the_ticket(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open(self.deposit.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn('id="rsb_back_to_ticket"', page.text)
        self.assertIn(f"/my/ticket/{self.ticket.id}", page.text)
        # after paying, the payment form lands on the ticket
        self.assertIn(f'data-landing-route="/my/ticket/{self.ticket.id}', page.text)

    def test_ticket_history_shows_request_and_payment(self):
        visible = self.ticket.website_message_ids
        self.assertTrue(
            visible.filtered(lambda m: "deposit" in (m.subject or "").lower()),
            "the emailed deposit request is in the client's ticket history",
        )
        self._pay_invoice(self.deposit)
        self.ticket.invalidate_recordset(["website_message_ids"])
        self.assertTrue(
            self.ticket.website_message_ids.filtered(lambda m: "We received your deposit" in m.body)
        )
        receipt = self.ticket.website_message_ids.filtered(
            lambda m: "We received your deposit" in m.body
        )
        self.assertIn("$", receipt.body)

    def test_held_deposit_names_its_ticket(self):
        self._pay_invoice(self.deposit)
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/account-summary")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_rsb_held_ticket", page.text)
        self.assertIn(self.ticket.number, page.text)

    def test_account_summary_uses_what_is_owed(self):
        """The unpaid deposit request is listed, named as the deposit of its ticket, and not
        counted in the balance (the one definition of what a client owes)."""
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/account-summary").text
        # an open request is a draft: not on the account (the ticket page asks for it)
        self.assertNotIn(f"Deposit for ticket {self.ticket.number}", page)
        balance = page.split('id="rsb_balance"', 1)[1].split("</h4>", 1)[0]
        self.assertIn("0.00", balance)
        self.assertNotIn("129.00", balance)
