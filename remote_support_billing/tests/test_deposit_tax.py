"""Deposits taxed when received (VAT) or not (an untaxed liability): the entries of the request,
the settle-up with a balance due or a refund, and the ledger in both modes, with a 20 % tax."""

from odoo.fields import Command
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestDepositTax(LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.vat_account = Account.create(
            {"name": "VAT payable", "code": "251099", "account_type": "liability_current"}
        )
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create({"repartition_type": "tax", "account_id": cls.vat_account.id}),
        ]
        Tax = cls.env["account.tax"]
        cls.vat20 = Tax.create(
            {
                "name": "VAT 20%",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )
        cls.vat0 = Tax.create(
            {
                "name": "VAT 0% (export)",
                "amount": 0.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )
        cls.product_hour.taxes_id = cls.vat20

    def _set_taxed(self, taxed):
        settings = self.env["res.config.settings"].create({"rsb_tax_deposits": taxed})
        settings.execute()
        self.assertEqual(self.company.rsb_tax_deposits, taxed)

    def _paid_ticket(self, amount=None):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        if amount:
            ticket.rsb_deposit_amount = amount
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        return ticket, deposit

    def _balance(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))

    def _assert_figures(self, ticket, received, applied, returned, available):
        ticket.invalidate_recordset()
        self.assertAlmostEqual(ticket.rsb_deposit_received, received)
        self.assertAlmostEqual(ticket.rsb_deposit_applied, applied)
        self.assertAlmostEqual(ticket.rsb_deposit_returned, returned)
        self.assertAlmostEqual(ticket.rsb_deposit_available, available)
        self._assert_books(ticket)

    # ------------------------------------------------------------------ untaxed (default)
    def test_default_mode_deposit_is_an_untaxed_liability(self):
        self.assertFalse(self.company.rsb_tax_deposits, "default: untaxed")
        ticket, deposit = self._paid_ticket()
        self.assertFalse(deposit.line_ids.filtered("tax_line_id"))
        self.assertAlmostEqual(deposit.amount_total, 129.0)
        self.assertAlmostEqual(self._balance(self.deposit_account), -129.0)
        self._log_time(ticket, 60)  # 1 h: $86 + 20 % = $103.20
        self._settle(ticket)
        invoice, credit_note = ticket.rsb_settlement_move_ids.sorted("move_type")
        applied = invoice.line_ids.filtered(lambda line: line.rsb_deposit_role == "apply")
        self.assertFalse(applied.tax_ids)
        self.assertAlmostEqual(applied.price_subtotal, -103.20, msg="up to the taxed total")
        self.assertAlmostEqual(invoice.amount_total, 0.0)
        self.assertAlmostEqual(credit_note.amount_total, 25.80)
        self.assertFalse(credit_note.line_ids.filtered("tax_line_id"))
        self.assertAlmostEqual(self._balance(self.vat_account), -17.20, msg="tax on the time")
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self._assert_figures(ticket, 129.0, 103.20, 25.80, 0.0)

    # ------------------------------------------------------------------ taxed
    def test_taxed_deposit_request_charges_vat_on_the_amount_paid(self):
        self._set_taxed(True)
        ticket = self._create_ticket(self.client_a)
        deposit = self._request(ticket)
        line = deposit.line_ids.filtered(lambda line: line.rsb_deposit_role == "request")
        self.assertEqual(line.tax_ids, self.vat20)
        self.assertEqual(line.account_id, self.deposit_account)
        self.assertAlmostEqual(deposit.amount_total, 129.0, msg="the client pays the deposit")
        self.assertAlmostEqual(deposit.amount_tax, 21.50)
        # requested, nothing is booked: VAT on an advance is due when it is received
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self.assertAlmostEqual(self._balance(self.vat_account), 0.0)
        ticket.invalidate_recordset()
        self.assertAlmostEqual(ticket.rsb_deposit_requested, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_held, 0.0)
        self._pay_invoice(deposit)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertAlmostEqual(self._balance(self.deposit_account), -107.50)
        self.assertAlmostEqual(self._balance(self.vat_account), -21.50, msg="VAT when received")
        self.assertAlmostEqual(ticket.rsb_deposit_held, 129.0, msg="with the tax on it")
        self._assert_figures(ticket, 129.0, 0.0, 0.0, 129.0)
        self.env.flush_all()
        held = self.env["rsb.deposit.held.report"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(held.mapped("amount"), [129.0], "Deposits Held: what the client paid")

    def test_deposit_from_an_estimate_covers_the_estimated_time_with_its_taxes(self):
        ticket = self._create_ticket(self.client_a, rsb_estimate_hours=1.5)
        self.assertAlmostEqual(ticket.rsb_deposit_amount, 129.0, msg="untaxed: time at rate")
        self._set_taxed(True)
        taxed = self._create_ticket(self.client_a, rsb_estimate_hours=1.5)
        self.assertAlmostEqual(taxed.rsb_deposit_amount, 154.80, msg="$129 + 20 %")
        deposit = self._request(taxed)
        self.assertAlmostEqual(deposit.amount_untaxed, 129.0)
        self.assertAlmostEqual(deposit.amount_total, 154.80)

    def test_taxed_settle_up_with_balance_due_reverses_the_deposit_vat(self):
        self._set_taxed(True)
        ticket, _deposit = self._paid_ticket()
        self._log_time(ticket, 125)  # 2.25 h: $193.50 + $38.70 = $232.20
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        applied = invoice.line_ids.filtered(lambda line: line.rsb_deposit_role == "apply")
        self.assertEqual(applied.tax_ids, self.vat20, "deducted with the same taxes")
        self.assertAlmostEqual(applied.price_subtotal, -107.50)
        self.assertAlmostEqual(invoice.amount_untaxed, 86.0)
        self.assertAlmostEqual(invoice.amount_tax, 17.20)
        self.assertAlmostEqual(invoice.amount_residual, 103.20)
        self.assertAlmostEqual(self._balance(self.vat_account), -38.70, msg="VAT on the time, once")
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self.assertEqual(ticket.rsb_deposit_state, "settled")
        self._assert_figures(ticket, 129.0, 129.0, 0.0, 0.0)

    def test_taxed_settle_up_with_refund_returns_the_deposit_vat(self):
        self._set_taxed(True)
        self.company.rsb_unused_deposit_policy = "refund"
        ticket, _deposit = self._paid_ticket()
        self._log_time(ticket, 60)  # 1 h: $86 + $17.20 = $103.20
        self._settle(ticket)
        invoice, credit_note = ticket.rsb_settlement_move_ids.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).sorted("move_type")
        applied = invoice.line_ids.filtered(lambda line: line.rsb_deposit_role == "apply")
        self.assertAlmostEqual(applied.price_total, -103.20)
        self.assertAlmostEqual(invoice.amount_total, 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        returned = credit_note.line_ids.filtered(lambda line: line.rsb_deposit_role == "return")
        self.assertEqual(returned.tax_ids, self.vat20, "the unused deposit gives its VAT back")
        self.assertAlmostEqual(credit_note.amount_total, 25.80)
        self.assertAlmostEqual(credit_note.amount_tax, 4.30)
        refund = self.env["account.payment"].search(
            [("partner_id", "=", self.client_a.id), ("payment_type", "=", "outbound")]
        )
        self.assertAlmostEqual(refund.amount, 25.80)
        refund.with_user(self.accountant).action_post()
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertAlmostEqual(self._balance(self.vat_account), -17.20)
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self._assert_figures(ticket, 129.0, 103.20, 25.80, 0.0)

    def test_taxed_deposit_of_any_amount_is_exact_to_the_cent(self):
        """$100.05 cannot be an untaxed price + 20 % rounded: the cent goes on the tax line,
        the client pays $100.05, and the ledger follows through the settle-up."""
        self._set_taxed(True)
        ticket, deposit = self._paid_ticket(amount=100.05)
        self.assertAlmostEqual(deposit.amount_total, 100.05)
        self.assertAlmostEqual(deposit.amount_untaxed + deposit.amount_tax, 100.05)
        self._assert_figures(ticket, 100.05, 0.0, 0.0, 100.05)
        self._log_time(ticket, 60)  # $103.20: $3.15 due
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids
        self.assertAlmostEqual(invoice.amount_residual, 3.15)
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self.assertAlmostEqual(self._balance(self.vat_account), -17.20)
        self._assert_figures(ticket, 100.05, 100.05, 0.0, 0.0)

    def test_taxed_partly_paid_deposit_waived_cancels_and_returns_with_vat(self):
        self._set_taxed(True)
        ticket = self._create_ticket(self.client_a)
        ticket.rsb_deposit_amount = 100.05
        deposit = self._request(ticket)
        self._pay_invoice(deposit, amount=50.0)
        rest = ticket.rsb_deposit_move_id
        self.assertEqual((deposit.amount_total, rest.state), (50.0, "draft"), "booked: the 50")
        ticket.with_user(self.helpdesk_manager)._rsb_waive_deposit("goodwill")
        self.assertEqual(deposit.payment_state, "paid", "nothing left open")
        self.assertEqual(rest.state, "cancel", "the rest asked: cancelled, nothing booked")
        credit_notes = self.env["account.move"].search(
            [("partner_id", "=", self.client_a.id), ("move_type", "=", "out_refund")]
        )
        self.assertEqual(credit_notes.mapped("amount_total"), [50.0], "the 50 paid returned")
        for credit_note in credit_notes:
            self.assertEqual(
                credit_note.line_ids.filtered("rsb_deposit_ticket_id").tax_ids, self.vat20
            )
        self.assertAlmostEqual(self._balance(self.vat_account), 0.0)
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self._assert_figures(ticket, 50.0, 0.0, 50.0, 0.0)

    def test_taxed_paid_deposit_reversed_gives_the_vat_back(self):
        self._set_taxed(True)
        ticket, deposit = self._paid_ticket()
        deposit._reverse_moves().action_post()
        self.assertAlmostEqual(self._balance(self.vat_account), 0.0)
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        self._assert_figures(ticket, 129.0, 0.0, 129.0, 0.0)

    def test_deposit_keeps_the_taxes_it_was_requested_with(self):
        self._set_taxed(True)
        ticket, _deposit = self._paid_ticket()
        self._set_taxed(False)
        self._log_time(ticket, 125)
        self._settle(ticket)
        applied = ticket.rsb_settlement_move_ids.line_ids.filtered(
            lambda line: line.rsb_deposit_role == "apply"
        )
        self.assertEqual(applied.tax_ids, self.vat20)
        self.assertAlmostEqual(self._balance(self.vat_account), -38.70)
        self._assert_figures(ticket, 129.0, 129.0, 0.0, 0.0)

    def test_taxed_deposit_with_a_tax_included_in_the_price(self):
        self._set_taxed(True)
        self.vat20.price_include_override = "tax_included"
        self.product_hour.list_price = 103.20  # $86 + 20 %
        ticket, deposit = self._paid_ticket()
        self.assertAlmostEqual(deposit.amount_total, 129.0)
        self.assertAlmostEqual(deposit.amount_tax, 21.50)
        self._log_time(ticket, 60)
        self._settle(ticket)
        self.assertAlmostEqual(self._balance(self.vat_account), -17.20)
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self._assert_figures(ticket, 129.0, 103.20, 25.80, 0.0)

    def test_taxed_deposit_follows_the_client_fiscal_position(self):
        self._set_taxed(True)
        export = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "company_id": self.company.id,
                "tax_ids": [
                    Command.create({"tax_src_id": self.vat20.id, "tax_dest_id": self.vat0.id})
                ],
            }
        )
        self.client_a.property_account_position_id = export
        ticket, deposit = self._paid_ticket()
        line = deposit.line_ids.filtered(lambda line: line.rsb_deposit_role == "request")
        self.assertEqual(line.tax_ids, self.vat0)
        self.assertAlmostEqual(deposit.amount_total, 129.0)
        self.assertAlmostEqual(deposit.amount_tax, 0.0)
        self._log_time(ticket, 70)
        self._settle(ticket)
        self.assertAlmostEqual(self._balance(self.deposit_account), 0.0)
        self._assert_figures(ticket, 129.0, 107.50, 21.50, 0.0)
