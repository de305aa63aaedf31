"""Deposits with Odoo's accounting fixtures (AccountTestInvoicingCommon: its own company with a
chart of accounts, a second company, a second currency): an EUR client of a USD company paid at
one rate and settled at another, a ticket of company B on company B's books, figures per company."""

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .lifecycle_common import LifecycleCase


@tagged("post_install", "-at_install")
class TestDepositMultiCompany(LifecycleCase, AccountTestInvoicingCommon):
    @classmethod
    def setup_independent_user(cls):
        return None  # set up as the superuser; the tests act as RSBCommon's users

    @classmethod
    def setUpClass(cls):
        # AccountTestInvoicingCommon runs first (a fresh company with its chart of accounts as
        # the environment's company), then the users, team and clients of RSBCommon in it.
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 0.8), ("2026-02-01", 0.9)])
        cls.company_b = cls.setup_other_company(name="Remote Support B")["company"]
        cls.env.user.company_ids |= cls.company_b
        for user in (cls.technician, cls.helpdesk_manager, cls.accountant):
            user.company_ids |= cls.company_b
        cls.env["hr.employee"].create(
            [
                {"name": u.name, "user_id": u.id, "company_id": cls.company_b.id}
                for u in (cls.technician, cls.helpdesk_manager)
            ]
        )
        cls.project_b = cls.env["project.project"].create(
            {"name": "Remote support B", "allow_timesheets": True, "company_id": cls.company_b.id}
        )
        cls.team_b = cls.team.copy(
            {
                "name": "Remote Support B",
                "company_id": cls.company_b.id,
                "default_project_id": cls.project_b.id,
            }
        )

    def _eur_client(self):
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": self.eur.id, "company_id": self.company.id}
        )
        self.client_b.with_company(self.company).property_product_pricelist = pricelist
        return self.client_b

    def _sale_tax_b(self):
        return self.env["account.tax"].search(
            [("company_id", "=", self.company_b.id), ("type_tax_use", "=", "sale")], limit=1
        )

    def _held_on(self, account):
        """Balance of the account in company currency (posted items)."""
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return account.company_ids[:1].currency_id.round(sum(lines.mapped("balance")))

    def _log_time_b(self, ticket, minutes):
        return (
            self.env["account.analytic.line"]
            .with_user(self.technician)
            .with_company(self.company_b)
            .create(
                {
                    "name": "Remote session",
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "unit_amount": minutes / 60.0,
                }
            )
        )

    # ------------------------------------------------------------------ currencies
    def _eur_deposit_at_two_rates(self, minutes):
        client = self._eur_client()
        with freeze_time("2026-01-15"):
            ticket = self._create_ticket(client)
            self.assertEqual(ticket.rsb_currency_id, self.eur)
            deposit = self._request(ticket)
            self._pay_invoice(deposit)
        with freeze_time("2026-02-15"):
            self._log_time(ticket, minutes, date=fields.Date.to_date("2026-02-15"))
            self._settle(ticket)
        return ticket, deposit

    def _assert_no_residue(self, ticket):
        self.assertEqual(self.company.currency_id, self.env.ref("base.USD"))
        self.assertAlmostEqual(self._held_on(self.deposit_account), 0.0)
        on_deposits = self.env["account.move.line"].search(
            [("account_id", "=", self.deposit_account.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(on_deposits.rsb_deposit_ticket_id, ticket, "every item is the ticket's")
        exchange = on_deposits.filtered(lambda line: line.move_id.journal_id.type == "general")
        self.assertTrue(exchange, "the exchange difference is booked")
        self.assertTrue(all(exchange.mapped("reconciled")))
        self._assert_books(ticket)

    def test_eur_client_deposit_applied_at_another_rate_leaves_no_residue(self):
        ticket, deposit = self._eur_deposit_at_two_rates(200)  # more time than deposit
        self.assertEqual(deposit.currency_id, self.eur)
        self.assertAlmostEqual(ticket.rsb_deposit_applied, deposit.amount_total)
        self._assert_no_residue(ticket)

    def test_eur_client_unused_deposit_returned_at_another_rate_leaves_no_residue(self):
        ticket, deposit = self._eur_deposit_at_two_rates(30)  # less time: some comes back
        self.assertGreater(ticket.rsb_deposit_returned, 0.0)
        self.assertAlmostEqual(
            ticket.rsb_deposit_applied + ticket.rsb_deposit_returned, deposit.amount_total
        )
        self._assert_no_residue(ticket)

    def test_eur_client_taxed_deposit_at_two_rates_leaves_no_residue(self):
        self.company.rsb_tax_deposits = True
        self.product_hour.taxes_id = self.company_data["default_tax_sale"]
        ticket, deposit = self._eur_deposit_at_two_rates(30)
        self.assertTrue(deposit.amount_tax)
        self._assert_no_residue(ticket)

    # ------------------------------------------------------------------ companies
    def test_ticket_in_company_b_uses_company_b_books(self):
        self.company_b.rsb_tax_deposits = True
        tax_b = self._sale_tax_b()
        self.product_hour.taxes_id = self.company_data["default_tax_sale"] | tax_b
        ticket = self._create_ticket(
            self.client_a, team_id=self.team_b.id, project_id=self.project_b.id
        )
        self.assertEqual(ticket.company_id, self.company_b)
        deposit = self._request(ticket)
        account_b = self.company_b._rsb_get_deposit_account()
        self.assertNotEqual(account_b, self.deposit_account)
        self.assertEqual(deposit.company_id, self.company_b)
        self.assertEqual(deposit.journal_id, self.company_b._rsb_get_sale_journal())
        line = deposit.line_ids.filtered("rsb_deposit_ticket_id")
        self.assertEqual(line.account_id, account_b)
        self.assertEqual(line.tax_ids, tax_b, "company B taxes deposits, with its own tax")
        self.assertAlmostEqual(deposit.amount_total, 129.0)
        bank_b = self.company_b._rsb_get_bank_journal()
        ticket._rsb_register_deposit_payment(bank_b)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self._log_time_b(ticket, 60)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(invoice.company_id, self.company_b)
        self.assertEqual(invoice.line_ids.filtered("rsb_deposit_ticket_id").account_id, account_b)
        self.assertAlmostEqual(self._held_on(account_b), 0.0)
        self.assertAlmostEqual(self._held_on(self.deposit_account), 0.0, msg="A untouched")
        self._assert_books(ticket)

    def test_figures_and_settings_per_company(self):
        self.company_b.rsb_tax_deposits = True
        self.product_hour.taxes_id = self._sale_tax_b()
        ticket_a = self._create_ticket(self.client_a)
        ticket_b = self._create_ticket(
            self.client_a, team_id=self.team_b.id, project_id=self.project_b.id
        )
        deposit_a, deposit_b = self._request(ticket_a), self._request(ticket_b)
        self.assertFalse(deposit_a.amount_tax, "company A keeps untaxed deposits")
        self.assertTrue(deposit_b.amount_tax)
        self._pay_invoice(deposit_a)
        account_b = self.company_b._rsb_get_deposit_account()
        self.assertAlmostEqual(self._held_on(self.deposit_account), -129.0)
        self.assertAlmostEqual(self._held_on(account_b), 0.0, msg="requested: not booked")
        self.assertAlmostEqual(ticket_a.rsb_deposit_available, 129.0)
        self.assertAlmostEqual(ticket_b.rsb_deposit_unpaid, 129.0)
        self.assertAlmostEqual(ticket_b.rsb_deposit_available, 0.0)
        report = self.env["rsb.deposit.held.report"].search([("kind", "=", "deposit")])
        self.assertEqual(report.company_id, self.company, "only the paid deposit of A is held")
        self._assert_books(ticket_a | ticket_b)

    def test_eur_taxed_deposit_paid_in_part_books_only_what_arrived(self):
        """A real chart, VAT on the advance, a second currency: a transfer of part of the
        deposit books that part (its VAT on what was received), the rest is a draft request;
        nothing of the request is ever open on the client's receivable."""
        self.company.rsb_tax_deposits = True
        self.product_hour.taxes_id = self.company_data["default_tax_sale"]
        client = self._eur_client()
        with freeze_time("2026-02-10"):
            ticket = self._create_ticket(client)
            request = self._request(ticket)
            asked = request.amount_total  # the deposit in EUR
            self.assertEqual(request.state, "draft")
            self.assertAlmostEqual(self._held_on(self.deposit_account), 0.0)
            ticket._rsb_register_deposit_payment(self.company_data["default_journal_bank"], 50.0)
        self.assertEqual(request.state, "posted")
        self.assertEqual(request.currency_id, self.eur)
        self.assertAlmostEqual(request.amount_total, 50.0)
        self.assertTrue(request.amount_tax, "VAT on the advance, on what was received")
        self.assertEqual(request.payment_state, "paid")
        rest = ticket.rsb_deposit_move_id
        self.assertEqual(rest.state, "draft")
        self.assertAlmostEqual(rest.amount_total, asked - 50.0)
        receivable = self.env["account.move.line"].search(
            [
                ("partner_id", "=", client.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ]
        )
        self.assertFalse(receivable, "nothing of the deposit is open on the receivable")
        # held in Customer Deposits at the rate of the day it arrived (0.9 EUR per USD)
        self.assertAlmostEqual(
            -self._held_on(self.deposit_account),
            self.company.currency_id.round(request.amount_untaxed / 0.9),
        )
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, asked - 50.0)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self._assert_books(ticket)
