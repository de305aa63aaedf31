import json
import re

from odoo.tests import HttpCase, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestDepositPortal(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        cls.agreement = cls.env["rsb.agreement"]._get_current(cls.company)
        cls.ticket_a = cls._create_ticket(cls.contact_a, name="Email not syncing")
        cls.ticket_a.action_rsb_request_deposit()
        cls.ticket_b = cls._create_ticket(cls.contact_b, name="VPN down")
        cls.ticket_b.action_rsb_request_deposit()

    def _csrf(self):
        """A CSRF token of the current session, read from a page that renders one."""
        page = self.url_open("/web/login?redirect=/web/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if not match:  # logged in: /web/login redirects, any portal form page has one
            page = self.url_open("/my/account")
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        return match.group(1)

    def _accept(self, ticket, access_token="", accept="1", agreement=None):
        return self.url_open(
            f"/my/ticket/{ticket.id}/rsb/accept",
            data={
                "csrf_token": self._csrf(),
                "access_token": access_token,
                "agreement_id": (agreement or self.agreement).id,
                "accept": accept,
            },
        )

    def _acceptances(self, client):
        return self.env["rsb.agreement.acceptance"].search([("partner_id", "=", client.id)])

    def _start_payment(self, invoice, access_token=None):
        """Call the portal payment route the payment form calls."""
        provider = self.provider
        res = self.url_open(
            f"/invoice/transaction/{invoice.id}",
            data=json.dumps(
                {
                    "params": {
                        "access_token": access_token or invoice._portal_ensure_token(),
                        "provider_id": provider.id,
                        "payment_method_id": provider.payment_method_ids[:1].id,
                        "token_id": None,
                        "amount": invoice.amount_residual,
                        "flow": "direct",
                        "tokenization_requested": False,
                        "landing_route": invoice.get_portal_url(),
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return res.json()

    def test_a_agreement_shown_and_accepted(self):
        self.assertTrue(self.agreement)
        self.authenticate("rsb-portal-a", "rsb-portal-a")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertTrue('id="rsb_agreement_body"' in page.text, 'id="rsb_agreement_body"')
        self.assertTrue('<span class="oe_currency_value">129.00</span>' in page.text)
        self.assertFalse('id="rsb_pay_deposit"' in page.text, "no Pay button before the agreement")

        self._accept(self.ticket_a, accept="")  # box not ticked: nothing recorded
        self.assertFalse(self._acceptances(self.client_a))

        self._accept(self.ticket_a)
        acceptance = self._acceptances(self.client_a)
        self.assertEqual(len(acceptance), 1)
        self.assertEqual(acceptance.user_id, self.portal_a)
        self.assertEqual(acceptance.accepted_by_partner_id, self.contact_a)
        self.assertEqual(acceptance.agreement_id, self.agreement)
        self.assertEqual(acceptance.ip_address, "127.0.0.1")
        self.assertTrue(self.client_a.rsb_agreement_accepted)
        self._accept(self.ticket_a)
        self.assertEqual(
            len(self._acceptances(self.client_a)), 1, "accepting again records nothing new"
        )

        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertTrue('id="rsb_pay_deposit"' in page.text, 'id="rsb_pay_deposit"')
        self.assertFalse('id="rsb_agreement_body"' in page.text, 'id="rsb_agreement_body"')

    def test_new_version_is_asked_again(self):
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        self.assertTrue(self.client_a.rsb_agreement_accepted)
        v2 = self.env["rsb.agreement"].create({"name": "Agreement", "body": "<p>New terms</p>"})
        self.assertEqual(v2.version, self.agreement.version + 1)
        self.client_a.invalidate_recordset(["rsb_agreement_accepted"])
        self.assertFalse(self.client_a.rsb_agreement_accepted)
        self.authenticate("rsb-portal-a", "rsb-portal-a")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertTrue("New terms" in page.text, "New terms")
        # Accepting the old version while the new one is current is refused.
        self._accept(self.ticket_a, agreement=self.agreement)
        self.assertEqual(len(self._acceptances(self.client_a)), 1)
        self._accept(self.ticket_a, agreement=v2)
        self.assertEqual(self._acceptances(self.client_a).agreement_id, self.agreement | v2)

    def test_accepted_terms_are_frozen(self):
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        with self.assertRaisesRegex(Exception, "cannot change"):
            self.agreement.body = "<p>Changed after acceptance</p>"

    def test_other_company_portal_user_sees_nothing(self):
        self.authenticate("rsb-portal-b", "rsb-portal-b")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}", allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertNotIn("/my/ticket/", page.headers.get("Location", ""))
        self._accept(self.ticket_a)
        self.assertFalse(self._acceptances(self.client_a), "portal b cannot accept for client a")
        own = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertTrue('id="rsb_agreement_body"' in own.text, 'id="rsb_agreement_body"')
        # b cannot start a payment of a's deposit without a's access token
        invoice_a = self.ticket_a.rsb_deposit_move_id
        result = self._start_payment(invoice_a, access_token="wrong")
        self.assertIn("error", result)
        self.assertFalse(invoice_a.transaction_ids)

    def test_wrong_access_token(self):
        page = self.url_open(
            f"/my/ticket/{self.ticket_a.id}?access_token=wrong", allow_redirects=False
        )
        self.assertIn(page.status_code, (302, 303))
        self._accept(self.ticket_a, access_token="wrong")
        self.assertFalse(self._acceptances(self.client_a))

    def test_emailed_link_without_login(self):
        token = self.ticket_a._portal_ensure_token()
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertTrue('id="rsb_agreement_body"' in page.text, 'id="rsb_agreement_body"')
        self._accept(self.ticket_a, access_token=token)
        acceptance = self._acceptances(self.client_a)
        self.assertEqual(acceptance.accepted_by_partner_id, self.contact_a)
        self.assertFalse(acceptance.user_id)

    def test_payment_requires_agreement_and_open_deposit(self):
        invoice = self.ticket_a.rsb_deposit_move_id
        self.authenticate("rsb-portal-a", "rsb-portal-a")
        result = self._start_payment(invoice)
        self.assertIn("Accept the client agreement", result["error"]["data"]["message"])
        self.assertFalse(invoice.transaction_ids)
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        result = self._start_payment(invoice)
        self.assertNotIn("error", result, result)
        self.assertEqual(len(invoice.transaction_ids), 1)

    def test_duplicate_payment_notification_records_once(self):
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        invoice = self.ticket_a.rsb_deposit_move_id
        tx = self._demo_tx(invoice, "RSB-DUP-1")
        data = {"reference": tx.reference, "simulated_state": "done", "payment_details": "4242"}
        for _i in range(2):  # the provider notifies twice
            self.env["payment.transaction"].sudo()._handle_notification_data("demo", data)
            tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertEqual(len(tx.payment_id), 1)
        self.assertEqual(
            self.env["account.payment"].search_count([("partner_id", "=", self.client_a.id)]), 1
        )
        self.assertEqual(self.ticket_a.rsb_deposit_state, "paid")
        with self.assertRaisesRegex(Exception, "already paid"):
            self._demo_tx(invoice, "RSB-DUP-2", amount=129.0)

    def test_saved_card_with_consent_is_kept_for_the_settle_up(self):
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        invoice = self.ticket_a.rsb_deposit_move_id
        # the client ticked "save my payment details"
        tx = self._demo_tx(invoice, "RSB-TOKEN-1", tokenize=True)
        data = {"reference": tx.reference, "simulated_state": "done", "payment_details": "4242"}
        self.env["payment.transaction"].sudo()._handle_notification_data("demo", data)
        tx._post_process()
        self.assertEqual(self.ticket_a.rsb_deposit_state, "paid")
        self.assertTrue(tx.token_id)
        self.assertEqual(self.ticket_a.rsb_payment_token_id, tx.token_id)
        self.assertIn("saved a payment method", " ".join(self.ticket_a.message_ids.mapped("body")))

    def test_no_card_saved_without_consent(self):
        self.contact_a._rsb_accept_agreement(self.agreement, self.portal_a, "10.0.0.1")
        self._pay_invoice(self.ticket_a.rsb_deposit_move_id)
        self.assertEqual(self.ticket_a.rsb_deposit_state, "paid")
        self.assertFalse(self.ticket_a.rsb_payment_token_id)

    def test_tour_accept_agreement_and_pay_deposit(self):
        self.start_tour(f"/my/ticket/{self.ticket_a.id}", "rsb_deposit_tour", login="rsb-portal-a")
        self.assertTrue(self.client_a.rsb_agreement_accepted)
        self.assertEqual(self.ticket_a.rsb_deposit_state, "paid")
        self.assertAlmostEqual(self.ticket_a.rsb_deposit_received, 129.0)
        # Now the session can be scheduled.
        self.ticket_a.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertEqual(self.ticket_a.stage_id, self.stage_scheduled)
