"""A deposit through the accountant's ordinary actions: reversal, reset to draft, cancel,
waiver, partial payment, refund confirmed, a changed account, a credit hold, two rates."""

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestDepositLifecycle(LifecycleCase):
    def _paid_ticket(self, partner=None, amount=None):
        ticket = self._create_ticket(partner or self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        self._pay_invoice(deposit, amount=amount)
        return ticket, deposit

    def _deposit_balance(self, account=None):
        account = account or self.deposit_account
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))

    # ------------------------------------------------------------------ reversal x4
    def test_paid_deposit_reversed_then_settled_credits_once(self):
        ticket, deposit = self._paid_ticket()
        reversal = deposit._reverse_moves()
        reversal.action_post()
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self.assertAlmostEqual(ticket.rsb_deposit_received, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0, msg="as the client's credit")
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self._log_time(ticket, 70)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(invoice.mapped("move_type"), ["out_invoice"], "no unused-deposit note")
        self.assertFalse(invoice.line_ids.filtered("rsb_deposit_ticket_id"), "nothing applied")
        self.assertAlmostEqual(self._deposit_balance(), 0.0)
        self._assert_books(ticket)

    def test_unpaid_deposit_reversed_can_be_requested_again(self):
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        # an accountant posted the request by hand (or it dates from before requests were
        # drafts): reversing it cancels it, the ticket can be asked again
        deposit.action_post()
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        deposit._reverse_moves(cancel=True)
        self.assertEqual(deposit.payment_state, "reversed")
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self._assert_books(ticket)
        second = self._request(ticket)
        self.assertNotEqual(second, deposit)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 129.0)

    def test_paid_deposit_cannot_be_reset_to_draft(self):
        ticket, deposit = self._paid_ticket()
        self._log_time(ticket, 70)
        self._settle(ticket)
        for move in deposit | ticket.rsb_settlement_move_ids:
            with self.assertRaisesRegex(UserError, "Reverse it with a credit note"):
                move.button_draft()
            self.assertEqual(move.state, "posted")
        self.assertEqual(ticket.rsb_deposit_state, "settled")

    def test_settlement_reversed_releases_time_and_deposit(self):
        ticket, _deposit = self._paid_ticket()
        line = self._log_time(ticket, 70)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        invoice._reverse_moves(cancel=True)
        self.assertFalse(ticket.rsb_settled)
        self.assertAlmostEqual(ticket.rsb_deposit_available, 107.50, msg="applied part held again")
        self._assert_books(ticket)
        line.with_user(self.technician).unit_amount = 1.0
        self._settle(ticket)
        new_invoice = (
            ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
            - invoice
        )
        self.assertAlmostEqual(new_invoice.amount_total, 0.0, msg="86 covered by the deposit")
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self.assertAlmostEqual(self._deposit_balance(), 0.0)
        self._assert_books(ticket)

    # ------------------------------------------------------------------ waiver x2, cancel
    def test_waive_requested_deposit_cancels_the_request(self):
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        ticket.with_user(self.helpdesk_manager)._rsb_waive_deposit("Emergency")
        self.assertEqual(ticket.rsb_deposit_state, "not_required")
        self.assertEqual(deposit.state, "cancel", "the request is cancelled, nothing booked")
        self.assertEqual(deposit.sequence_number, 0, "no invoice number burnt")
        ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertAlmostEqual(self._deposit_balance(), 0.0)
        self._assert_books(ticket)

    def test_waive_partly_paid_deposit_returns_what_was_paid(self):
        ticket, deposit = self._paid_ticket(amount=50.0)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        ticket.with_user(self.helpdesk_manager)._rsb_waive_deposit("Client in hospital")
        self.assertAlmostEqual(deposit.amount_residual, 0.0)
        self.assertAlmostEqual(ticket.rsb_deposit_received, 50.0)
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 50.0, msg="kept as credit (policy)")
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self.assertIn("Client in hospital", ticket.message_ids[0].body)
        self._log_time(ticket, 60)
        self._settle(ticket)
        self._assert_books(ticket)
        self.assertAlmostEqual(self._deposit_balance(), 0.0)

    def test_cancel_session_refunds_paid_deposit_without_timesheets(self):
        self.company.rsb_unused_deposit_policy = "refund"
        ticket, _deposit = self._paid_ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician)._rsb_cancel_session("no")
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self.assertAlmostEqual(ticket.rsb_deposit_returned, 129.0)
        payment = self.env["account.payment"].search(
            [("payment_type", "=", "outbound"), ("partner_id", "=", self.client_a.id)]
        )
        self.assertEqual(payment.state, "draft")
        payment.with_user(self.accountant).action_post()
        credit_note = payment.invoice_ids
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"), "refund reconciled")
        self.assertAlmostEqual(self._deposit_balance(), 0.0)
        self._assert_books(ticket)

    def test_a_deposit_being_refunded_is_held_as_to_be_refunded_not_as_credit_kept(self):
        Held = self.env["rsb.deposit.held.report"]
        self.company.rsb_unused_deposit_policy = "refund"
        ticket, _deposit = self._paid_ticket()
        ticket.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        payment = self.env["account.payment"].search(
            [("payment_type", "=", "outbound"), ("partner_id", "=", self.client_a.id)]
        )
        held = Held.search([("partner_id", "=", self.client_a.id)])
        self.assertEqual(held.move_id, payment.invoice_ids)
        self.assertEqual(held.kind, "refund", "the refund waits for the accountant")
        self.assertAlmostEqual(held.amount, 129.0)
        self.assertAlmostEqual(Held._rsb_tie_out(self.company)["difference"], 0.0)
        data = self.client_a._rsb_statement_data(
            self.company, fields.Date.today(), fields.Date.today()
        )
        self.assertEqual(data["held"].mapped("kind"), ["refund"])
        self.assertAlmostEqual(data["credit_left"], 129.0, msg="said once, beside the held rows")
        payment.with_user(self.accountant).action_post()
        self.assertFalse(Held.search([("partner_id", "=", self.client_a.id)]), "refunded")
        # the same cancel with the credit policy keeps it as the client's credit
        self.company.rsb_unused_deposit_policy = "credit"
        other, _deposit = self._paid_ticket()
        other.with_user(self.helpdesk_manager)._rsb_cancel_session("Client fixed it")
        self.assertEqual(Held.search([("partner_id", "=", self.client_a.id)]).kind, "credit")

    # ------------------------------------------------------------------ settings, hold
    def test_changed_deposit_account_keeps_held_deposits(self):
        ticket, _deposit = self._paid_ticket()
        old = self.deposit_account
        new = old.copy({"code": "219999", "name": "Customer Deposits (new)"})
        self.company.rsb_deposit_account_id = new
        self.assertAlmostEqual(ticket.rsb_deposit_available, 129.0)
        self._log_time(ticket, 70)
        self._settle(ticket)
        self.assertAlmostEqual(self._deposit_balance(old), 0.0, msg="applied on its own account")
        self.assertAlmostEqual(self._deposit_balance(new), 0.0)
        self._assert_books(ticket)

    def test_client_on_credit_hold_can_pay_and_ticket_gets_ready(self):
        ready = self.env["helpdesk.ticket.stage"].create(
            {"name": "Ready", "sequence": 1, "company_id": self.company.id}
        )
        self.team.rsb_ready_stage_id = ready
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        self.client_a._rsb_place_credit_hold("overdue invoice")
        self._pay_invoice(deposit)
        self.assertEqual(deposit.payment_state in ("paid", "in_payment"), True, "money booked")
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertEqual(ticket.stage_id, ready, "a move caused by the payment is not blocked")

    # ------------------------------------------------------------------ currencies
    def test_eur_client_paid_and_settled_at_two_rates_leaves_no_residue(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            [
                {"name": "2026-01-01", "rate": 0.8, "currency_id": eur.id},
                {"name": "2026-02-01", "rate": 0.9, "currency_id": eur.id},
            ]
        )
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        self.client_b.property_product_pricelist = pricelist
        with freeze_time("2026-01-15"):
            ticket = self._create_ticket(self.client_b)
            self.assertEqual(ticket.rsb_currency_id, eur)
            deposit = self._request(ticket)
            self._pay_invoice(deposit)
        with freeze_time("2026-02-15"):
            self._log_time(ticket, 70, date=fields.Date.to_date("2026-02-15"))
            self._settle(ticket)
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self.assertAlmostEqual(self._deposit_balance(), 0.0, msg="exchange difference booked")
        self._assert_books(ticket)

    # ------------------------------------------------------------------ minutes
    def test_ten_minute_increment_bills_exact_minutes(self):
        self.team.write(
            {"rsb_rounding_minutes": 10, "rsb_minimum_minutes": 0, "rsb_free_minutes": 0}
        )
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 7)
        self.assertAlmostEqual(ticket.rsb_billable_amount, 14.33, msg="10 min at $86/h")
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertAlmostEqual(invoice.amount_untaxed, 14.33)
        exact = invoice.invoice_line_ids.filtered(lambda line: "Exact time" in line.name)
        self.assertIn("10 min", exact.name)


@tagged("post_install", "-at_install")
class TestDepositProtection(LifecycleCase):
    """A technician cannot open the gate or spend another client's deposit by writing a
    field (form, RPC, import)."""

    def test_technician_reads_deposit_figures_without_accounting_rights(self):
        ticket, _deposit = self._paid_ticket_as_manager()
        as_tech = ticket.with_user(self.technician)
        as_tech.invalidate_recordset()
        self.assertAlmostEqual(as_tech.rsb_deposit_received, 129.0)
        self.assertEqual(as_tech.rsb_deposit_state, "paid")
        as_tech.web_read({"rsb_deposit_state": {}, "rsb_deposit_available": {}})

    def _paid_ticket_as_manager(self):
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        return ticket, deposit

    def test_protected_fields_refused_on_every_path(self):
        ticket = self._create_ticket(self.client_a)
        other, other_deposit = self._paid_ticket_as_manager()
        values = {
            "rsb_settled": True,
            "rsb_deposit_state": "paid",
            "rsb_deposit_waived": True,
            "rsb_deposit_move_id": other_deposit.id,
        }
        Ticket = self.env["helpdesk.ticket"].with_user(self.technician)
        for fname, value in values.items():
            with self.subTest(field=fname, path="write"), self.assertRaises(AccessError):
                ticket.with_user(self.technician).write({fname: value})
            with self.subTest(field=fname, path="create"), self.assertRaises(AccessError):
                Ticket.create(
                    {
                        "name": "x",
                        "team_id": self.team.id,
                        "partner_id": self.client_a.id,
                        fname: value,
                    }
                )
            with self.subTest(field=fname, path="import"):
                result = Ticket.load(
                    [
                        "name",
                        fname if fname != "rsb_deposit_move_id" else "rsb_deposit_move_id/.id",
                    ],
                    [["y", str(value)]],
                )
                self.assertFalse(result["ids"])
        ticket.invalidate_recordset()
        self.assertEqual(ticket.rsb_deposit_state, "to_request")
        self.assertFalse(ticket.rsb_deposit_move_id)
        copy = other.with_user(self.helpdesk_manager).copy()
        self.assertEqual(copy.rsb_deposit_state, "to_request", "a copy carries no deposit")

    def test_deposit_of_another_client_cannot_be_linked(self):
        ticket = self._create_ticket(self.client_b)
        _other, other_deposit = self._paid_ticket_as_manager()
        with self.assertRaisesRegex(Exception, "not a deposit of ticket"):
            ticket.sudo().rsb_deposit_move_id = other_deposit
        with self.assertRaisesRegex(Exception, "holds a deposit"):
            _other.with_user(self.helpdesk_manager).partner_id = self.client_b

    def test_switching_to_trusted_client_to_pass_the_gate_is_refused(self):
        ticket = self._create_ticket(self.client_a)
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            ticket.with_user(self.technician).write(
                {"stage_id": self.stage_scheduled.id, "partner_id": self.client_a.id}
            )
        ticket.with_user(self.technician).partner_id = self.client_trusted
        ticket.with_user(self.technician).stage_id = self.stage_scheduled  # trusted: allowed
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            ticket.with_user(self.technician).partner_id = self.client_a
        self.assertEqual(ticket.commercial_partner_id, self.client_trusted)

    def test_ledger_tags_not_copied_by_duplicate(self):
        _ticket, deposit = self._paid_ticket_as_manager()
        duplicate = deposit.copy()
        self.assertFalse(duplicate.line_ids.filtered("rsb_deposit_ticket_id"))
        self.assertEqual(
            deposit._reverse_moves().line_ids.filtered("rsb_deposit_ticket_id").rsb_deposit_role,
            "request",
        )
