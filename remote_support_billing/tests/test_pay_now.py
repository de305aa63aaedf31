"""Pay now, during the session (issue 26.1): the technician asks for the time so far (the
settle-up preview), the client pays through a short link; nothing is booked before the money
arrives, the settle-up is booked the moment it does (one invoice for the time, that payment
applied), the ticket's form is told live (bus); a second payment is kept as credit; an
abandoned request is cancelled with a reason, booking nothing. Bad input and other roles are
refused with a clear message and nothing written."""

import json

from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .lifecycle_common import LifecycleCase


class PayNowCase(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        cls.client_a.mobile = "+1 555 0100"

    @classmethod
    def _rsb_vat20(cls, code):
        """A 20 % sales tax on its own VAT account (`code`)."""
        vat = cls.env["account.account"].create(
            {"name": "VAT payable", "code": code, "account_type": "liability_current"}
        )
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create({"repartition_type": "tax", "account_id": vat.id}),
        ]
        return cls.env["account.tax"].create(
            {
                "name": "VAT 20%",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )

    def _session_ticket(self, minutes=150):
        """A ticket whose $129 deposit is paid and with `minutes` of time logged: at $86 an
        hour in 15-minute steps, 150 minutes come to $215, $86 due after the deposit."""
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        self._pay_invoice(self._request(ticket))
        self._log_time(ticket, minutes)
        return ticket

    def _request_now(self, ticket, user=None, **values):
        user = user or self.technician
        action = ticket.with_user(user).action_rsb_request_payment_now()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create(values)
        )
        figures = wizard.read(["total", "applied", "to_charge", "send_email", "send_sms"])[0]
        return figures, wizard.action_confirm()

    def _notify(self, tx, state):
        self.env["payment.transaction"].sudo()._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": state}
        )
        if state == "done":
            tx._post_process()
        self.env.invalidate_all()

    def _bus_states(self, ticket):
        """The pay-now states sent on the ticket's bus channel (at commit: run here)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        channel = json.dumps(
            [self.env.cr.dbname, "helpdesk.ticket", ticket.id], separators=(",", ":")
        )
        return [
            json.loads(n.message)["payload"]["state"]
            for n in self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
            if json.loads(n.message)["type"] == "remote_support_billing/pay_now"
        ]


@tagged("post_install", "-at_install")
class TestPayNow(PayNowCase):
    def test_request_shows_what_is_due_and_books_nothing(self):
        ticket = self._session_ticket()
        receivable = self.client_a.credit
        figures, action = self._request_now(ticket)
        self.assertAlmostEqual(figures["total"], 215.0)
        self.assertAlmostEqual(figures["applied"], 129.0)
        self.assertAlmostEqual(figures["to_charge"], 86.0)
        self.assertTrue(figures["send_email"] and figures["send_sms"], "the client has both")
        self.assertEqual(action["params"]["type"], "success")
        move = ticket.sudo().rsb_pay_now_move_id
        self.assertEqual(move.state, "draft", "a request is not a receivable")
        self.assertAlmostEqual(move.amount_total, 86.0)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.client_a.credit, receivable, msg="no debt booked")
        self.assertEqual(ticket.rsb_pay_now_state, "pending")
        self.assertEqual(ticket.rsb_deposit_state, "paid", "the deposit is not asked again")
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 0.0)
        url = ticket.with_user(self.technician).rsb_pay_now_url
        self.assertRegex(url, r"/rsb/pay/[A-Za-z0-9_-]{10,}$")
        self.assertIn("barcode_type=QR", ticket.with_user(self.technician).rsb_pay_now_qr_url)
        self.assertEqual(ticket.with_user(self.technician).rsb_pay_url, url)
        # the link by email and by SMS, in the client's chatter
        mail = self.env["mail.mail"].search(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertTrue(any(url in (m.body_html or "") for m in mail), "the emailed link")
        sms = self.env["sms.sms"].search([("body", "ilike", url)])
        self.assertEqual(len(sms), 1)
        self.assertIn("86.00", sms.body)
        self.assertEqual(self._bus_states(ticket), ["pending"])
        self._assert_books(ticket)

    def test_paid_while_the_form_is_open_settles_with_that_payment(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        move = ticket.sudo().rsb_pay_now_move_id
        tx = self._demo_tx(move, "RSB-NOW-1")
        self._notify(tx, "pending")
        self.assertEqual(ticket.rsb_pay_now_state, "processing")
        self._notify(tx, "done")
        self.assertEqual(move.state, "posted")
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(ticket.rsb_pay_now_state, "paid")
        self.assertTrue(ticket.rsb_settled, "the settle-up is booked when the money arrives")
        invoices = ticket.sudo().rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        )
        self.assertEqual(len(invoices), 1, "one invoice for the time")
        self.assertAlmostEqual(invoices.amount_total, 0.0, msg="215 of time less 215 held")
        self.assertAlmostEqual(ticket.rsb_deposit_applied, 215.0)
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        summary = self.client_a._rsb_owed_summary(self.company)
        self.assertAlmostEqual(summary["amount_open"], 0.0, msg="the client owes nothing")
        self.assertAlmostEqual(summary["credit"], 0.0, msg="and has no credit left over")
        states = self._bus_states(ticket)
        self.assertEqual((states[0], states[-1]), ("pending", "paid"), states)
        self.assertIn("processing", states)
        self.assertIn("Paid now", " ".join(ticket.message_ids.mapped("body")))
        # the link now shows the ticket, paid; no second request of the same time
        with self.assertRaisesRegex(UserError, "already settled"):
            ticket.with_user(self.technician).action_rsb_request_payment_now()
        self._assert_books(ticket)

    def test_time_logged_after_the_request_is_invoiced_with_it(self):
        """The session went on after the request: the settle-up booked at the payment bills
        all the time, applies what was paid, and leaves the rest due (a complete invoice, its
        receivable built by Odoo: the payment's own context does not leak into it)."""
        ticket = self._session_ticket()
        self._request_now(ticket)
        self._log_time(ticket, 30)  # 180 min: $258
        ticket.with_user(self.accountant)._rsb_register_deposit_payment(self.bank_journal)
        invoice = ticket.sudo().rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        )
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_total, 258.0 - 215.0)
        self.assertAlmostEqual(invoice.amount_residual, 43.0, msg="the half hour since is due")
        self.assertEqual(
            invoice.invoice_payment_term_id, self.env.ref("account.account_payment_term_immediate")
        )
        self._assert_books(ticket)

    def test_paid_twice_keeps_the_second_payment_as_credit(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        move = ticket.sudo().rsb_pay_now_move_id
        first = self._demo_tx(move, "RSB-NOW-A")
        second = self._demo_tx(move, "RSB-NOW-B")  # a second tab, before the first was done
        self._notify(first, "done")
        self._notify(second, "done")
        self.assertEqual(
            len(
                ticket.sudo().rsb_settlement_move_ids.filtered(
                    lambda m: m.move_type == "out_invoice"
                )
            ),
            1,
        )
        self.assertTrue(second.payment_id)
        summary = self.client_a._rsb_owed_summary(self.company)
        self.assertAlmostEqual(summary["credit"], 86.0, msg="the second payment is credit")
        self.assertIn("kept as the client's credit", " ".join(ticket.message_ids.mapped("body")))
        self._assert_books(ticket)
        # a third attempt is refused before any transaction is made
        with self.assertRaisesRegex(UserError, "already paid"):
            self._demo_tx(move, "RSB-NOW-C")

    def test_abandoned_request_is_cancelled_with_a_reason_on_close(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        move = ticket.sudo().rsb_pay_now_move_id
        tx = self._demo_tx(move, "RSB-NOW-X")
        self._notify(tx, "error")
        self.assertEqual(ticket.rsb_pay_now_state, "failed")
        self.assertTrue(ticket.rsb_pay_now_message)
        self.assertIn("failed", self._bus_states(ticket))
        # the technician closes the ticket: asked to confirm, with a reason
        with self.assertRaises(RedirectWarning) as caught:
            ticket.with_user(self.technician).stage_id = self.stage_done
        self.assertIn("86.00", caught.exception.args[0])
        self.assertNotEqual(ticket.stage_id, self.stage_done, "nothing written")
        action = caught.exception.args[1]
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_context(**action["context"])
            .create({"reason": "The client will pay by bank transfer"})
        )
        self.assertEqual(wizard.stage_id, self.stage_done)
        wizard.action_confirm()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(move.state, "cancel", "nothing was booked, nothing is left open")
        self.assertEqual(ticket.rsb_pay_now_state, "cancelled")
        self.assertFalse(ticket.with_user(self.technician).rsb_pay_now_url)
        self.assertIn("bank transfer", " ".join(ticket.message_ids.mapped("body")))
        self.assertFalse(ticket.rsb_settled)
        self.assertEqual(self._bus_states(ticket)[-1], "cancelled")
        self._assert_books(ticket)
        # the time is still there to settle up, the usual way
        self._settle(ticket)
        self.assertTrue(ticket.rsb_settled)
        self._assert_books(ticket)

    def test_accountant_registers_a_transfer_for_the_request(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        with self.assertRaisesRegex(UserError, "paid in full"):
            ticket.with_user(self.accountant)._rsb_register_deposit_payment(self.bank_journal, 40.0)
        self.assertEqual(ticket.sudo().rsb_pay_now_move_id.state, "draft", "nothing written")
        ticket.with_user(self.accountant)._rsb_register_deposit_payment(self.bank_journal)
        self.assertEqual(ticket.rsb_pay_now_state, "paid")
        self.assertTrue(ticket.rsb_settled)
        self._assert_books(ticket)


@tagged("post_install", "-at_install")
class TestPayNowRefusals(PayNowCase):
    def test_nothing_to_pay_when_the_deposit_covers_the_time(self):
        ticket = self._session_ticket(minutes=60)  # $86 of time, $129 held
        with self.assertRaisesRegex(UserError, "Nothing to pay now"):
            ticket.with_user(self.technician).action_rsb_request_payment_now()
        self.assertFalse(ticket.sudo().rsb_pay_now_move_id)

    def test_one_open_request_and_no_settle_up_beside_it(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "already requested"):
            ticket.with_user(self.technician).action_rsb_request_payment_now()
        with self.assertRaisesRegex(UserError, "booked when it is paid"):
            self._settle(ticket)
        self.assertEqual(self.env["account.move"].search_count([]), moves, "nothing written")
        self.assertFalse(ticket.rsb_settled)

    def test_roles_and_protected_fields(self):
        ticket = self._session_ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(self.portal_a).action_rsb_request_payment_now()
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).write({"rsb_pay_now_code": "guessed-code"})
        self._request_now(ticket)
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).write({"rsb_pay_now_move_id": False})
        with self.assertRaises(AccessError):
            ticket.with_user(self.portal_a).read(["rsb_pay_now_code"])
        with self.assertRaises(AccessError):
            ticket.with_user(self.portal_a).action_rsb_cancel_payment_now()
        self.assertEqual(ticket.rsb_pay_now_state, "pending")

    def test_cancel_needs_a_reason_and_waits_for_a_payment_in_process(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        with self.assertRaisesRegex(UserError, "Say why"):
            ticket.sudo()._rsb_cancel_payment_now("  ")
        tx = self._demo_tx(ticket.sudo().rsb_pay_now_move_id, "RSB-NOW-P")
        self._notify(tx, "pending")
        with self.assertRaisesRegex(UserError, "being processed"):
            ticket.sudo()._rsb_cancel_payment_now("changed my mind")
        self.assertEqual(ticket.rsb_pay_now_state, "processing", "nothing written")

    def test_bus_channel_only_for_who_may_read_the_ticket(self):
        ticket = self._session_ticket()
        other = self._create_ticket(self.client_b)
        channel = f"rsb_pay_now:{ticket.id}"
        Websocket = self.env["ir.websocket"]
        self.assertEqual(
            Websocket.with_user(self.technician)._rsb_pay_now_channels([channel]), [ticket]
        )
        self.assertEqual(Websocket.with_user(self.portal_a)._rsb_pay_now_channels([channel]), [])
        for bad in ("rsb_pay_now:x", "rsb_pay_now:999999999", f"rsb_pay_now:{ticket.id};1"):
            self.assertEqual(Websocket.with_user(self.technician)._rsb_pay_now_channels([bad]), [])
        # a technician who sees only their own tickets is not told of another one
        own = self.env["res.users"].create(
            {
                "name": "Own tickets only",
                "login": "rsb-own-paynow",
                "groups_id": [(6, 0, self.env.ref("helpdesk_mgmt.group_helpdesk_user_own").ids)],
            }
        )
        self.assertEqual(
            Websocket.with_user(own)._rsb_pay_now_channels([f"rsb_pay_now:{other.id}"]), []
        )


@tagged("post_install", "-at_install")
class TestPayNowLink(PayNowCase, HttpCase):
    def test_short_link_opens_the_request_without_login(self):
        ticket = self._session_ticket()
        self._request_now(ticket)
        move = ticket.sudo().rsb_pay_now_move_id
        code = ticket.sudo().rsb_pay_now_code
        response = self.url_open(f"/rsb/pay/{code}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn(f"/my/invoices/{move.id}", response.headers["Location"])
        self.assertIn(f"access_token={move.access_token}", response.headers["Location"])
        page = self.url_open(f"/rsb/pay/{code}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("86.00", page.text)
        for bad in ("unknown-code-123", "x", "a" * 40, "%27%20or%201%3D1"):
            self.assertEqual(self.url_open(f"/rsb/pay/{bad}").status_code, 404, bad)

    def test_tour_technician_sees_the_payment_arrive_live(self):
        ticket = self._session_ticket()
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "rsb_pay_now_live",
            login=self.accountant_helpdesk.login,
        )
        self.assertEqual(ticket.rsb_pay_now_state, "paid")
        self.assertTrue(ticket.rsb_settled)
        self._assert_books(ticket)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.tests import new_test_user

        cls.accountant_helpdesk = new_test_user(
            cls.env,
            login="rsb-accountant-paynow",
            name="Paula Accountant",
            groups="account.group_account_user,account.group_account_invoice,"
            "base.group_partner_manager,helpdesk_mgmt.group_helpdesk_user",
        )


@tagged("post_install", "-at_install")
class TestPayNowTaxed(PayNowCase):
    """Deposits taxed when received (VAT): the request made now carries the time's VAT, and the
    settle-up booked when it is paid reverses it once (found by the randomized lifecycle)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_hour.taxes_id = cls._rsb_vat20("251097")
        cls.company.rsb_tax_deposits = True
        cls.client_trusted.rsb_trusted = True

    def _check_paid_request_books(self, ticket, register):
        self._request_now(ticket)
        move = ticket.sudo().rsb_pay_now_move_id
        self._log_time(ticket, 70)  # time logged after the request: billed by the settle-up
        if register:
            ticket.with_user(self.accountant)._rsb_register_deposit_payment(self.bank_journal)
        else:
            tx = self._demo_tx(move, f"RSB-TAX-{ticket.id}")
            self._notify(tx, "done")
        self.assertTrue(ticket.rsb_settled)
        invoice = ticket.sudo().rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        )
        self.assertEqual(invoice.state, "posted")
        # 119 min: 2 h at $86 = $172 and its VAT (rounded per line), less the $103.20 paid
        # now, applied whole with the VAT it carried
        applied = invoice.invoice_line_ids.filtered("rsb_deposit_ticket_id")
        self.assertAlmostEqual(applied.price_total, -103.20)
        self.assertAlmostEqual(applied.price_subtotal, -86.0)
        time_lines = invoice.invoice_line_ids - applied
        self.assertAlmostEqual(sum(time_lines.mapped("price_subtotal")), 172.0)
        self.assertAlmostEqual(invoice.amount_untaxed, 86.0)
        self.assertGreater(invoice.amount_residual, 0.0, "the time logged since is due")
        self.assertAlmostEqual(ticket.rsb_deposit_held, 0.0)
        self._assert_books(ticket)

    def test_trusted_client_pays_now_by_transfer(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 49)
        self._check_paid_request_books(ticket, register=True)

    def test_trusted_client_pays_now_online(self):
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 49)
        self._check_paid_request_books(ticket, register=False)


@tagged("post_install", "-at_install")
class TestPayNowForeignCurrency(PayNowCase):
    """A client billed in EUR pays the time now: the settle-up invoice is paid in full in EUR
    (its total 0) but its lines, converted one by one with their VAT, leave cents on the
    receivable in dollars. Odoo's exchange difference entry closes them: the client owes
    nothing in either currency (found by the randomized lifecycle)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.env["res.currency.rate"].create(
            {"name": "2020-01-01", "rate": 0.8, "currency_id": eur.id, "company_id": cls.company.id}
        )
        cls.client_b.property_product_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id}
        )
        cls.product_hour.taxes_id = cls._rsb_vat20("251096")

    def test_paid_now_in_eur_leaves_nothing_owed(self):
        ticket = self._create_ticket(self.client_b, user_id=self.technician.id)
        self._log_time(ticket, 125)
        ticket.with_user(self.technician).sudo()._rsb_request_payment_now(send_email=False)
        move = ticket.sudo().rsb_pay_now_move_id
        self.assertEqual(move.currency_id.name, "EUR")
        ticket.with_user(self.accountant)._rsb_register_deposit_payment(self.bank_journal)
        invoice = ticket.sudo().rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice"
        )
        self.assertAlmostEqual(invoice.amount_total, 0.0)
        receivable = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", self.client_b.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        self.assertFalse(
            receivable.filtered(lambda line: not self.currency.is_zero(line.amount_residual)),
            "no cent left on the receivable in dollars",
        )
        self.assertAlmostEqual(self.client_b._rsb_owed_summary(self.company)["amount_open"], 0.0)
        self._assert_books(ticket)
