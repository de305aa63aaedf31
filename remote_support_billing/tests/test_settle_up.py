from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RSBCommon

TODAY = "2026-03-02"
# Measured: queries to settle 3 trusted tickets (invoice posted and queued for sending),
# whatever their number of timesheet lines.
QUERY_BUDGET_3_TICKETS = 190  # measured 169 (one invoice made, two copied from it)


class SettleUpCase(RSBCommon):
    """Helpers of the settle-up tests: deposits paid by hand or online, demo card tokens,
    balances read from the journal items."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.income_account = cls.product_hour.product_tmpl_id._get_product_accounts()["income"]
        cls.payment_method_demo = cls.env.ref("payment_demo.payment_method_demo")
        cls.payment_term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                ],
            }
        )
        cls.client_trusted.property_payment_term_id = cls.payment_term_30

    def setUp(self):
        super().setUp()
        freezer = freeze_time(f"{TODAY} 10:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    # ------------------------------------------------------------------ helpers
    def _ticket_with_deposit(self, partner=None, pay="manual", token_state="done", **vals):
        """A ticket whose $129 deposit was requested by the technician and paid: by the
        accountant (`manual`), online with a demo card saved with consent (`online`), or
        not at all (`none`)."""
        vals.setdefault("user_id", self.technician.id)
        ticket = self._create_ticket(partner or self.client_a, **vals)
        ticket.action_rsb_request_deposit()
        deposit = ticket.rsb_deposit_move_id
        if pay == "manual":
            self._pay_invoice(deposit)
        elif pay == "online":
            # Paying online requires the client's acceptance of the current agreement.
            agreement = self.env["rsb.agreement"]._get_current(self.company)
            ticket.partner_id._rsb_accept_agreement(agreement, self.portal_a, "127.0.0.1")
            token = self._create_token(token_state)
            tx = self.env["payment.transaction"].create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.payment_method_demo.id,
                    "reference": f"DEP-{ticket.number}",
                    "amount": deposit.amount_total,
                    "currency_id": deposit.currency_id.id,
                    "partner_id": self.contact_a.id,
                    "token_id": token.id,
                    "operation": "online_token",
                    "invoice_ids": [Command.set(deposit.ids)],
                }
            )
            tx._send_payment_request()
            tx._post_process()
        if pay != "none":
            self.assertEqual(ticket.rsb_deposit_state, "paid")
        return ticket

    def _create_token(self, state, partner=None):
        return self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_demo.id,
                "payment_details": "4242",
                "partner_id": (partner or self.contact_a).id,
                "provider_ref": f"demo-{state}",
                "demo_simulated_state": state,
            }
        )

    def _consent_token(self, ticket, state):
        """A card the client saved with consent for this ticket (as when paying the deposit
        with "save my payment details"): recorded on the ticket."""
        token = self._create_token(state)
        ticket.sudo().rsb_payment_token_id = token
        return token

    def _settle(self, tickets, user=None):
        """Settle up as `user`, then what follows the commit (the charge, the refund)."""
        result = tickets.with_user(user or self.technician).action_rsb_settle()
        self._send_money_out()
        return result

    def _balance(self, account, partner=None):
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        rows = self.env["account.move.line"]._read_group(domain, [], ["balance:sum"])
        return rows[0][0] or 0.0

    def _assert_balances(self, receivable, deposit=0.0, income=None, partner=None):
        partner = partner or self.client_a
        self.assertAlmostEqual(
            self._balance(self.receivable, partner), receivable, places=2, msg="client's receivable"
        )
        self.assertAlmostEqual(
            self._balance(self.deposit_account, partner),
            deposit,
            places=2,
            msg="customer deposits (liability)",
        )
        if income is not None:
            self.assertAlmostEqual(
                self._balance(self.income_account, partner), income, places=2, msg="income"
            )

    def _time_lines(self, invoice):
        return invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.product_hour)

    def _deposit_lines(self, move):
        return move.invoice_line_ids.filtered(lambda line: line.account_id == self.deposit_account)

    @staticmethod
    def _text(body):
        """Chatter body or message as plain text (amounts use non-breaking spaces)."""
        return str(body).replace("&nbsp;", " ").replace("\xa0", " ")

    def _counts(self):
        return (
            self.env["account.move"].search_count([]),
            self.env["account.payment"].search_count([]),
            self.env["payment.transaction"].search_count([]),
        )


@tagged("post_install", "-at_install")
class TestSettleUp(SettleUpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # these tests are about what the settle-up books and sends: the company lets the
        # technician send it (the money-out rule itself: test_money_out.py)
        cls.company.rsb_tech_money_out_limit = 1000.0

    # ------------------------------------------------------------------ billable time
    def test_billable_hours_on_ticket(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 50)
        self._log_time(ticket, 20)
        self._log_time(ticket, 30, rsb_billable=False)
        ticket.invalidate_recordset()
        self.assertAlmostEqual(
            ticket.with_user(self.technician).rsb_billable_hours,
            1.25,
            msg="70 billable min, rounded up to 15 min; non-billable excluded",
        )
        self.assertAlmostEqual(ticket.rsb_billable_amount, 107.50)

        for minutes, hours in ((4, 0.0), (5, 0.0), (6, 0.5), (10, 0.5), (31, 0.75), (45, 0.75)):
            other = self._create_ticket(self.client_trusted)
            self._log_time(other, minutes)
            self.assertAlmostEqual(other.rsb_billable_hours, hours, msg=f"{minutes} min")
            self.assertAlmostEqual(other.rsb_billable_amount, hours * 86.0)

    # ------------------------------------------------------------------ deposit > time
    def test_time_under_deposit_refund_as_draft_payment(self):
        ticket = self._ticket_with_deposit()
        self._assert_balances(receivable=0.0, deposit=-129.0, income=0.0)
        self._log_time(ticket, 50, name="Diagnose printer")
        self._log_time(ticket, 20, name="Reinstall driver")

        self._settle(ticket)

        invoice, credit_note = ticket.rsb_settlement_move_ids.sorted("move_type")
        self.assertEqual((invoice.move_type, credit_note.move_type), ("out_invoice", "out_refund"))
        time_lines = self._time_lines(invoice)
        self.assertEqual(
            time_lines.mapped("quantity"),
            [0.83, 0.34, 0.08],
            "one line per timesheet, then the rounding up to 15 minutes",
        )
        self.assertAlmostEqual(sum(time_lines.mapped("quantity")), 1.25)
        self.assertIn("Rounded up to 15-minute", time_lines[-1].name)
        self.assertAlmostEqual(sum(time_lines.mapped("price_subtotal")), 107.50)
        deposit_line = self._deposit_lines(invoice)
        self.assertRecordValues(deposit_line, [{"price_subtotal": -107.50, "tax_ids": []}])
        self.assertIn("Deposit applied", deposit_line.name)
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "amount_total": 0.0,
                    "payment_state": "paid",
                    "partner_id": self.client_a.id,
                }
            ],
        )
        self.assertRecordValues(
            credit_note,
            [
                {
                    "state": "posted",
                    "amount_total": 21.50,
                    "payment_state": "not_paid",
                }
            ],
        )
        self.assertEqual(self._deposit_lines(credit_note).tax_ids.ids, [])
        self.assertEqual(ticket.timesheet_ids.rsb_settlement_move_id, invoice)
        self.assertTrue(ticket.rsb_settled)
        self.assertEqual(ticket.rsb_deposit_state, "settled")
        self._assert_balances(receivable=-21.50, deposit=0.0, income=-107.50)

        payment = self.env["account.payment"].search([("invoice_ids", "in", credit_note.ids)])
        self.assertRecordValues(
            payment,
            [
                {
                    "state": "draft",
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "amount": 21.50,
                    "partner_id": self.client_a.id,
                }
            ],
        )
        message = self._text(ticket.message_ids[0].body)
        for text in (
            "Settle-up",
            "$ 107.50",
            "$ 21.50",
            invoice.name,
            credit_note.name,
            "draft payment",
        ):
            self.assertIn(text, message)

        payment.with_user(self.accountant).action_post()
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self._assert_balances(receivable=0.0, deposit=0.0, income=-107.50)

    def test_time_under_deposit_refund_through_provider(self):
        ticket = self._ticket_with_deposit(pay="online")
        deposit_tx = ticket.rsb_deposit_move_id.transaction_ids
        self._log_time(ticket, 70)

        self._settle(ticket)

        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertAlmostEqual(credit_note.amount_total, 21.50)
        refund_tx = deposit_tx.child_transaction_ids
        self.assertRecordValues(
            refund_tx,
            [
                {
                    "operation": "refund",
                    "amount": -21.50,
                    "state": "done",
                    "invoice_ids": credit_note.ids,
                }
            ],
        )
        self.assertIn(refund_tx.payment_id.state, ("in_process", "paid"))
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertIn(
            refund_tx.payment_id.move_id,
            ticket.rsb_settlement_move_ids,
            "the refund is linked on the ticket",
        )
        self.assertFalse(
            self.env["account.payment"].search(
                [
                    ("payment_type", "=", "outbound"),
                    ("state", "=", "draft"),
                ]
            ),
            "no draft payment when the provider refunded",
        )
        self._assert_balances(receivable=0.0, deposit=0.0, income=-107.50)

    def test_time_under_deposit_kept_as_credit(self):
        self.client_a.rsb_unused_deposit_policy = "credit"
        self.assertEqual(self.contact_a.rsb_unused_deposit_policy, "credit", "commercial field")
        ticket = self._ticket_with_deposit(pay="manual")
        self._log_time(ticket, 70)

        self._settle(ticket)

        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertRecordValues(
            credit_note, [{"amount_residual": 21.50, "payment_state": "not_paid"}]
        )
        self.assertFalse(self.env["account.payment"].search([("payment_type", "=", "outbound")]))
        self._assert_balances(receivable=-21.50, deposit=0.0, income=-107.50)

        # the credit is used on the client's next settle-up, saved card or not
        next_ticket = self._create_ticket(self.client_a, rsb_deposit_waived=True)
        self._log_time(next_ticket, 60)
        self._settle(next_ticket)
        next_invoice = next_ticket.rsb_settlement_move_ids
        self.assertAlmostEqual(next_invoice.amount_residual, 86.0 - 21.50)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertIn(credit_note.name, self._text(next_ticket.message_ids[0].body))

    def test_kept_credit_used_before_charging_the_card(self):
        self.client_a.rsb_unused_deposit_policy = "credit"
        first = self._ticket_with_deposit(pay="online")
        self._log_time(first, 70)
        self._settle(first)
        credit_note = first.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_refund")
        self._assert_balances(receivable=-21.50, deposit=0.0, income=-107.50)

        second = self._ticket_with_deposit(pay="manual")
        self._consent_token(second, "done")
        self._log_time(second, 125)
        self._settle(second)

        invoice = second.rsb_settlement_move_ids
        self.assertEqual(credit_note.payment_state, "paid", "the kept credit is used")
        self.assertRecordValues(invoice.transaction_ids, [{"amount": 43.0, "state": "done"}])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self._assert_balances(receivable=0.0, deposit=0.0, income=-107.50 - 193.50)
        self.assertIn(
            "$ 21.50 of the client's credit",
            " ".join(self._text(m.body) for m in second.message_ids),
        )

    def test_company_policy_credit_partner_override_refund(self):
        self.company.rsb_unused_deposit_policy = "credit"
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        self._settle(ticket)
        self.assertFalse(self.env["account.payment"].search([("payment_type", "=", "outbound")]))

        self.client_a.rsb_unused_deposit_policy = "refund"
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        self._settle(ticket)
        self.assertEqual(
            self.env["account.payment"].search([("payment_type", "=", "outbound")]).amount, 21.50
        )

    # ------------------------------------------------------------------ time > deposit
    def test_time_over_deposit_due(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 125)

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(invoice.move_type, "out_invoice", "no credit note")
        self.assertEqual(self._time_lines(invoice).mapped("quantity"), [2.08, 0.17])
        self.assertAlmostEqual(invoice.amount_untaxed, 64.50)
        self.assertAlmostEqual(self._deposit_lines(invoice).price_subtotal, -129.0)
        self.assertRecordValues(
            invoice,
            [
                {
                    "amount_total": 64.50,
                    "amount_residual": 64.50,
                    "payment_state": "not_paid",
                    "invoice_payment_term_id": self.env.ref(
                        "account.account_payment_term_immediate"
                    ).id,
                }
            ],
        )
        self.assertTrue(invoice.sending_data, "queued to be emailed with its portal link")
        self._assert_balances(receivable=64.50, deposit=0.0, income=-193.50)
        body = self._text(ticket.message_ids[0].body)
        self.assertIn(f"$ 64.50 due on {invoice.name}", body)
        self.assertEqual(body.count("$ 64.50"), 1, "what is due is said once (issue 24)")

    def test_time_over_deposit_charged_to_saved_card(self):
        ticket = self._ticket_with_deposit(pay="online", token_state="done")
        token = ticket.rsb_deposit_move_id.transaction_ids.token_id
        self._create_token("error")  # more recent, but the deposit's card is preferred
        self._log_time(ticket, 125)

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids
        tx = invoice.transaction_ids
        self.assertRecordValues(
            tx,
            [
                {
                    "operation": "offline",
                    "token_id": token.id,
                    "amount": 64.50,
                    "state": "done",
                }
            ],
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self._assert_balances(receivable=0.0, deposit=0.0, income=-193.50)
        self.assertEqual(ticket.rsb_payment_token_id, token, "recorded when the deposit was paid")
        self.assertFalse(
            ticket.activity_ids.filtered(lambda a: "Card payment failed" in (a.summary or ""))
        )
        self.assertIn("$ 64.50 charged to the saved card", self._text(ticket.message_ids[0].body))

    def test_time_over_deposit_card_fails(self):
        for state in ("error", "cancel"):
            with self.subTest(state=state):
                ticket = self._ticket_with_deposit(pay="manual")
                token = self._consent_token(ticket, state)
                self._log_time(ticket, 125)

                self._settle(ticket)

                invoice = ticket.rsb_settlement_move_ids
                self.assertRecordValues(
                    invoice.transaction_ids,
                    [
                        {
                            "token_id": token.id,
                            "state": state,
                            "amount": 64.50,
                        }
                    ],
                )
                self.assertRecordValues(
                    invoice,
                    [
                        {
                            "payment_state": "not_paid",
                            "amount_residual": 64.50,
                        }
                    ],
                )
                self.assertTrue(invoice.sending_data, "emailed with its portal payment link")
                failed = ticket.activity_ids.filtered(
                    lambda a: "Card payment failed" in (a.summary or "")
                )
                self.assertRecordValues(
                    failed, [{"user_id": self.company._rsb_get_money_out_user().id}]
                )
                token.active = False

    def test_card_failure_activity_goes_to_team_leader_without_accountant(self):
        """The accountant collects a failed charge; a company without one: the team."""
        self.team.user_id = self.helpdesk_manager
        ticket = self._ticket_with_deposit(pay="manual", user_id=False)
        self._consent_token(ticket, "error")
        self._log_time(ticket, 125)
        with patch.object(
            type(self.env["res.company"]),
            "_rsb_get_money_out_user",
            lambda company: self.env["res.users"],
        ):
            self._settle(ticket)
        failed = ticket.activity_ids.filtered(lambda a: "Card payment failed" in (a.summary or ""))
        self.assertEqual(failed.user_id, self.helpdesk_manager)

    def test_card_without_consent_for_the_ticket_is_never_charged(self):
        """A card another contact of the client saved (or one saved for another ticket) was
        not given for this ticket: the difference is invoiced, nothing is charged."""
        ticket = self._ticket_with_deposit(pay="manual")
        self._create_token("done")
        self._log_time(ticket, 125)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertFalse(invoice.transaction_ids, "no consent, no charge")
        self.assertEqual(invoice.amount_residual, 64.50)
        self.assertTrue(invoice.sending_data, "emailed with its portal payment link")

    # ------------------------------------------------------------------ time = deposit
    def test_time_equals_deposit(self):
        ticket = self._ticket_with_deposit(pay="online")
        self._log_time(ticket, 90)

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(len(invoice), 1, "no credit note")
        self.assertAlmostEqual(sum(self._time_lines(invoice).mapped("price_subtotal")), 129.0)
        self.assertRecordValues(invoice, [{"amount_total": 0.0, "payment_state": "paid"}])
        self.assertFalse(invoice.transaction_ids, "nothing charged")
        self.assertFalse(
            ticket.rsb_deposit_move_id.transaction_ids.child_transaction_ids, "nothing refunded"
        )
        self._assert_balances(receivable=0.0, deposit=0.0, income=-129.0)

    # ------------------------------------------------------------------ trusted client
    def test_trusted_client_invoice(self):
        ticket = self._create_ticket(self.client_trusted)
        self.assertEqual(ticket.rsb_deposit_state, "not_required")
        self._create_token("done", partner=self.client_trusted)
        self._log_time(ticket, 70)

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids
        self.assertRecordValues(
            invoice,
            [
                {
                    "state": "posted",
                    "amount_total": 107.50,
                    "amount_residual": 107.50,
                    "invoice_payment_term_id": self.payment_term_30.id,
                    "invoice_date_due": date(2026, 4, 1),
                }
            ],
        )
        self.assertFalse(self._deposit_lines(invoice))
        self.assertFalse(invoice.transaction_ids, "trusted clients are not charged on the spot")
        self.assertTrue(invoice.sending_data)
        self._assert_balances(
            receivable=107.50, deposit=0.0, income=-107.50, partner=self.client_trusted
        )
        self.assertEqual(ticket.rsb_deposit_state, "settled")

    def test_settle_up_email_has_portal_link(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 70)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.env["account.move"]._cron_account_move_send()
        self.assertFalse(invoice.sending_data)
        self.assertTrue(invoice.is_move_sent)
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", invoice.id),
                ("recipient_ids", "in", self.client_trusted.ids),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("View Invoice", mail.body_html)
        self.assertIn(
            f"access_token={invoice._portal_ensure_token()}",
            mail.body_html,
            "the button opens the invoice in the portal, where the client pays it",
        )

    def test_taxes_from_product_and_fiscal_position(self):
        tax_15 = self.env["account.tax"].create(
            {"name": "RSB 15%", "amount": 15.0, "type_tax_use": "sale"}
        )
        tax_0 = self.env["account.tax"].create(
            {"name": "RSB Export 0%", "amount": 0.0, "type_tax_use": "sale"}
        )
        self.product_hour.taxes_id = tax_15
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 125)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(self._time_lines(invoice).tax_ids, tax_15)
        # 193.50 + 29.02 tax (rounded per line: 26.83 + 2.19) = 222.52, minus the $129
        # deposit (no tax)
        self.assertRecordValues(invoice, [{"amount_tax": 29.02, "amount_total": 93.52}])
        self._assert_balances(receivable=93.52, deposit=0.0)
        self.assertAlmostEqual(sum(self._time_lines(invoice).mapped("balance")), -193.50)

        fiscal_position = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [Command.create({"tax_src_id": tax_15.id, "tax_dest_id": tax_0.id})],
            }
        )
        self.client_trusted.property_account_position_id = fiscal_position
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 60)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(self._time_lines(invoice).tax_ids, tax_0)
        self.assertAlmostEqual(invoice.amount_total, 86.0)

    # ------------------------------------------------------------------ team rules
    def test_minimum_charge(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 10)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        lines = self._time_lines(invoice)
        self.assertEqual(lines.mapped("quantity"), [0.17, 0.33])
        self.assertIn("Minimum charge (30 min)", lines[-1].name)
        self.assertAlmostEqual(invoice.amount_total, 43.0)

    def test_free_quick_fix_with_deposit(self):
        ticket = self._ticket_with_deposit(pay="online")
        self._log_time(ticket, 4)

        self._settle(ticket)

        credit_note = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type != "entry")
        self.assertRecordValues(credit_note, [{"move_type": "out_refund", "amount_total": 129.0}])
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("partner_id", "=", self.client_a.id),
                    ("move_type", "=", "out_invoice"),
                    ("id", "!=", ticket.rsb_deposit_move_id.id),
                ]
            ),
            "no invoice for a free quick fix",
        )
        refund_tx = ticket.rsb_deposit_move_id.transaction_ids.child_transaction_ids
        self.assertRecordValues(refund_tx, [{"amount": -129.0, "state": "done"}])
        self.assertFalse(ticket.timesheet_ids.rsb_settlement_move_id, "free time is not charged")
        self._assert_balances(receivable=0.0, deposit=0.0, income=0.0)

    def test_free_quick_fix_trusted(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 4)
        before = self._counts()
        self._settle(ticket)
        self.assertEqual(self._counts(), before, "nothing invoiced, nothing charged")
        self.assertTrue(ticket.rsb_settled)
        self.assertIn("free quick fix", self._text(ticket.message_ids[0].body))

    def test_non_billable_lines_excluded(self):
        ticket = self._create_ticket(self.client_trusted)
        billable = self._log_time(ticket, 60)
        free = self._log_time(ticket, 45, rsb_billable=False)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(self._time_lines(invoice).mapped("quantity"), [1.0])
        self.assertAlmostEqual(invoice.amount_total, 86.0)
        self.assertEqual(billable.rsb_settlement_move_id, invoice)
        self.assertFalse(free.rsb_settlement_move_id)

    def test_grouping_per_day(self):
        self.team.rsb_invoice_grouping = "day"
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 20, date=date(2026, 2, 26), name="Call")
        self._log_time(ticket, 20, date=date(2026, 2, 26), name="Backup")
        self._log_time(ticket, 20, date=date(2026, 2, 26), name="Restore")
        self._log_time(ticket, 25, date=date(2026, 2, 27), name="Follow-up")
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        lines = self._time_lines(invoice)
        self.assertEqual(len(lines), 3, "two days and the rounding")
        self.assertEqual(lines.mapped("quantity"), [1.0, 0.42, 0.08])
        self.assertIn("Call; Backup; Restore", lines[0].name)
        self.assertAlmostEqual(invoice.amount_total, 1.5 * 86)

    def test_per_line_quantities_add_up_to_the_cent(self):
        ticket = self._create_ticket(self.client_trusted)
        for _i in range(3):
            self._log_time(ticket, 20)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertEqual(
            self._time_lines(invoice).mapped("quantity"),
            [0.33, 0.34, 0.33],
            "cumulative rounding, no adjustment needed for exactly 1 h",
        )
        self.assertAlmostEqual(invoice.amount_total, 86.0)

    def test_rate_with_fractions_of_a_cent_stays_exact(self):
        self.product_hour.list_price = 86.35
        ticket = self._create_ticket(self.client_trusted)
        for _i in range(3):
            self._log_time(ticket, 20)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        # 0.33 h and 0.34 h lines round to 28.50 + 29.36 + 28.50 = 86.36
        self.assertEqual(self._time_lines(invoice).mapped("price_subtotal"), [28.50, 29.36, 28.50])
        rounding = invoice.invoice_line_ids.filtered(lambda line: "Exact time" in line.name)
        self.assertRecordValues(
            rounding, [{"price_subtotal": -0.01, "account_id": self.income_account.id}]
        )
        self.assertAlmostEqual(sum(self._time_lines(invoice).mapped("quantity")), 1.0)
        self.assertAlmostEqual(invoice.amount_total, 86.35, msg="1 h x $86.35, to the cent")

    # ------------------------------------------------------------------ idempotent, incremental
    def test_settle_twice_creates_nothing(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        self._settle(ticket)
        before = self._counts()
        result = self._settle(ticket)
        self.assertEqual(self._counts(), before)
        self.assertIn("nothing new to settle", result["params"]["message"])

    def test_resettle_after_reopening(self):
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        ticket.stage_id = self.stage_done
        self._settle(ticket)
        first_moves = ticket.rsb_settlement_move_ids

        ticket.stage_id = self.stage_new  # reopened: more work
        late = self._log_time(ticket, 40)
        self.assertAlmostEqual(ticket.rsb_billable_hours, 0.75)
        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids - first_moves
        self.assertEqual(len(invoice), 1)
        self.assertFalse(self._deposit_lines(invoice), "the deposit is not applied twice")
        self.assertEqual(self._time_lines(invoice).mapped("quantity"), [0.67, 0.08])
        self.assertAlmostEqual(invoice.amount_residual, 64.50)
        self.assertEqual(late.rsb_settlement_move_id, invoice)
        # first settle-up: -21.50 unused deposit (draft refund), then 64.50 due
        self._assert_balances(receivable=43.0, deposit=0.0, income=-107.50 - 64.50)

    def test_reversed_settlement_releases_the_time(self):
        ticket = self._create_ticket(self.client_trusted)
        line = self._log_time(ticket, 60)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        with self.assertRaisesRegex(UserError, "Reverse it with a credit note"):
            invoice.button_draft()
        self.assertEqual(invoice.state, "posted")
        invoice._reverse_moves(cancel=True)
        self.assertFalse(ticket.rsb_settled, "the reversal reopens the settle-up")
        line.with_user(self.technician).unit_amount = 1.5  # no longer locked
        self._settle(ticket)
        new_invoice = (
            ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
            - invoice
        )
        self.assertAlmostEqual(new_invoice.amount_total, 129.0)
        self.assertEqual(line.rsb_settlement_move_id, new_invoice)
        self.assertEqual(len(new_invoice), 1)

    # ------------------------------------------------------------------ batch
    def test_batch_from_list_action(self):
        paid = self._ticket_with_deposit(name="Paid deposit")
        self._log_time(paid, 70)
        trusted = self._create_ticket(self.client_trusted, name="Trusted")
        self._log_time(trusted, 60)
        done = self._create_ticket(self.client_trusted, name="Already settled")
        self._log_time(done, 30)
        self._settle(done)
        tickets = paid | trusted | done

        action = self.env.ref("remote_support_billing.helpdesk_ticket_action_rsb_settle")
        result = (
            action.with_user(self.technician)
            .with_context(
                active_model="helpdesk.ticket",
                active_ids=tickets.ids,
                active_id=paid.id,
            )
            .run()
        )

        self.assertTrue(all(tickets.mapped("rsb_settled")))
        self.assertEqual(len(paid.rsb_settlement_move_ids), 2)
        self.assertAlmostEqual(trusted.rsb_settlement_move_ids.amount_total, 86.0)
        self.assertEqual(len(done.rsb_settlement_move_ids), 1)
        message = result["params"]["message"]
        self.assertIn(f"{done.display_name}: nothing new to settle", message)
        self.assertIn(trusted.rsb_settlement_move_ids.name, message)

    def test_batch_with_a_bad_ticket_creates_nothing(self):
        good = self._ticket_with_deposit(name="Good")
        self._log_time(good, 70)
        bad = self._create_ticket(self.client_trusted, name="No time")
        self._assert_refused(good | bad, "has no timesheets")
        self.assertFalse(good.rsb_settled)

    # ------------------------------------------------------------------ auto settle
    def test_auto_settle_when_closed(self):
        self.team.rsb_auto_settle = True
        ticket = self._ticket_with_deposit()
        self._log_time(ticket, 70)
        ticket.with_user(self.technician).stage_id = self.stage_done
        self.assertTrue(ticket.rsb_settled)
        self.assertEqual(len(ticket.rsb_settlement_move_ids), 2)

    def test_auto_settle_time_logged_by_a_colleague(self):
        self.team.rsb_auto_settle = True
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 60, user=self.helpdesk_manager)
        ticket.with_user(self.technician).stage_id = self.stage_done
        self.assertAlmostEqual(ticket.rsb_settlement_move_ids.amount_total, 86.0)

    def test_auto_settle_failure_still_closes(self):
        self.team.rsb_auto_settle = True
        ticket = self._ticket_with_deposit(pay="none")
        self._log_time(ticket, 70)
        before = self._counts()
        ticket.with_user(self.technician).stage_id = self.stage_done
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertFalse(ticket.rsb_settled)
        self.assertEqual(self._counts(), before)
        self.assertIn("collect it first", ticket.activity_ids.note)

    def test_no_auto_settle_without_team_setting(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 70)
        ticket.stage_id = self.stage_done
        self.assertFalse(ticket.rsb_settled)

    # ------------------------------------------------------------------ locked timesheets
    def test_settled_timesheets_are_locked(self):
        ticket = self._create_ticket(self.client_trusted)
        line = self._log_time(ticket, 70)
        self._settle(ticket)
        other = self._create_ticket(self.client_trusted)
        other_project = self.env["project.project"].create({"name": "Other"})
        snapshot = line.read(["unit_amount", "date", "ticket_id", "rsb_billable", "project_id"])

        for user in (self.technician, self.env.user):
            as_user = line.with_user(user)
            for vals in (
                {"unit_amount": 2.0},
                {"date": date(2026, 1, 1)},
                {"ticket_id": other.id},
                {"rsb_billable": False},
                {"project_id": other_project.id},
            ):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaisesRegex(UserError, "already invoiced"),
                ):
                    as_user.write(vals)
            with self.assertRaisesRegex(UserError, "already invoiced"):
                as_user.unlink()
        self.assertEqual(
            line.read(["unit_amount", "date", "ticket_id", "rsb_billable", "project_id"]), snapshot
        )
        line.with_user(self.technician).write({"name": "Fixed the printer", "unit_amount": 70 / 60})
        self.assertEqual(line.name, "Fixed the printer", "descriptions and same values are fine")

    # ------------------------------------------------------------------ bad input
    def _assert_refused(self, tickets, message):
        """The settle-up raises a clear error and creates nothing (checked without the
        savepoint of assertRaises: nothing was written before the error)."""
        before = self._counts()
        moves_before = tickets.rsb_settlement_move_ids
        try:
            self._settle(tickets)
        except UserError as error:
            self.assertIn(message, self._text(error.args[0]))
        else:
            self.fail(f"settling {tickets.mapped('name')} should be refused")
        self.assertEqual(self._counts(), before)
        self.assertEqual(tickets.rsb_settlement_move_ids, moves_before)
        self.assertFalse(tickets.timesheet_ids.rsb_settlement_move_id)

    def test_refused_without_timesheets(self):
        self._assert_refused(self._ticket_with_deposit(), "has no timesheets")

    def test_refused_with_time_in_another_company(self):
        company_b = self.env["res.company"].create({"name": "Other Company"})
        self.env.user.company_ids |= company_b
        project_b = self.env["project.project"].create({"name": "B", "company_id": company_b.id})
        employee_b = self.env["hr.employee"].create({"name": "Bob B", "company_id": company_b.id})
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 60)
        self.env["account.analytic.line"].with_company(company_b).create(
            {
                "name": "Elsewhere",
                "ticket_id": ticket.id,
                "project_id": project_b.id,
                "employee_id": employee_b.id,
                "unit_amount": 1.0,
            }
        )
        self._assert_refused(ticket, "time logged in another company (Other Company)")

    def test_refused_without_price_or_product(self):
        ticket = self._create_ticket(self.client_trusted)
        self.product_hour.list_price = 0.0  # no price when the work starts: none is bound
        self._log_time(ticket, 60)
        self._assert_refused(ticket, "has no price")
        self.product_hour.list_price = 86.0
        self.team.rsb_service_product_id = False
        self._assert_refused(ticket, "has no service product")

    def test_refused_without_client_address(self):
        self.client_trusted.street = False
        self.client_trusted.city = False
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 60)
        self._assert_refused(ticket, "has no street, city")

    def test_cancelled_deposit_then_time_invoiced_in_full(self):
        ticket = self._ticket_with_deposit(pay="none")
        ticket.rsb_deposit_move_id.button_cancel()
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self.assertAlmostEqual(ticket.rsb_deposit_available, 0.0)
        self._log_time(ticket, 60)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertAlmostEqual(invoice.amount_total, 86.0, msg="no deposit to deduct")
        self._assert_balances(receivable=86.0, deposit=0.0, income=-86.0)

    def test_refused_with_unpaid_deposit(self):
        ticket = self._ticket_with_deposit(pay="none")
        self._log_time(ticket, 60)
        self._assert_refused(ticket, "collect it first")
        self._pay_invoice(ticket.rsb_deposit_move_id, amount=50.0)
        self._assert_refused(ticket, "$ 79.00 due")

    # ------------------------------------------------------------------ access
    def test_access(self):
        ticket = self._create_ticket(self.client_trusted)
        self._log_time(ticket, 60)
        with self.assertRaises(AccessError):
            self._settle(ticket, user=self.portal_a)
        with self.assertRaises(AccessError):
            self._settle(ticket, user=self.accountant)
        self.assertFalse(ticket.rsb_settled)
        self._settle(ticket, user=self.technician)
        self.assertTrue(ticket.rsb_settled)
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).rsb_settlement_move_ids.read(["amount_total"])
        invoice = (
            self.env["account.move"]
            .with_user(self.accountant)
            .search([("invoice_origin", "=", ticket.number)])
        )
        self.assertEqual(invoice, ticket.rsb_settlement_move_ids, "accounting reads invoices")
        self.assertAlmostEqual(invoice.amount_total, 86.0)

    # ------------------------------------------------------------------ query budget
    def test_batch_query_count_does_not_grow_per_line(self):
        """Settling a batch costs queries per ticket, not per timesheet line: 3 tickets with
        4 lines each cost the same as 3 tickets with 8 lines each (warmed-up run)."""

        def batch(lines_per_ticket):
            tickets = self.env["helpdesk.ticket"]
            for i in range(3):
                ticket = self._create_ticket(self.client_trusted, name=f"Batch {i}")
                for _j in range(lines_per_ticket):
                    self._log_time(ticket, 20)
                tickets |= ticket
            self.env.flush_all()
            self.env.invalidate_all()
            return tickets

        def count(tickets):
            with patch("random.random", lambda: 1):
                start = self.cr.sql_log_count
                self._settle(tickets)
                self.env.flush_all()
                return self.cr.sql_log_count - start

        # warm-up: a batch as measured (alike tickets: their invoices are copied from the
        # first one's)
        count(batch(4))
        queries_n = count(batch(4))
        tickets_2n = batch(8)
        with self.assertQueryCount(QUERY_BUDGET_3_TICKETS):
            self._settle(tickets_2n)
        self.assertEqual(len(tickets_2n.rsb_settlement_move_ids.invoice_line_ids), 3 * 9)
        # (not more: the first batch may still fill a cache or two of the ORM)
        self.assertLessEqual(
            count(batch(8)), queries_n, "twice the timesheet lines, no more queries"
        )
