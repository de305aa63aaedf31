"""The "shop" install profile (`make test-shop`): what a real shop runs beside the addon, the
generic chart of accounts with a 10% sales tax as the company's default sale tax, l10n_us,
sale_timesheet and OCA account_credit_control. What differs from the bare profile is tested
here: taxes on settle-ups (and their deposits) and on fees, a fiscal position, the second
dunning module, and time billable both by a sale order (sale_timesheet) and by the settle-up.

On the bare profile (`make test`: no sale_timesheet) every test here skips itself."""

import unittest
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon
from .lifecycle_common import LifecycleCase


class ShopProfileMixin:
    @classmethod
    def _skip_unless_shop(cls):
        module = cls.env["ir.module.module"].search([("name", "=", "sale_timesheet")])
        if module.state != "installed":
            raise unittest.SkipTest(
                "shop profile only (sale_timesheet is not installed): make test-shop"
            )
        cls.sales_tax = cls.company.account_sale_tax_id

    def _tax_balance(self, tax):
        accounts = tax.invoice_repartition_line_ids.account_id
        lines = self.env["account.move.line"].search(
            [("account_id", "in", accounts.ids), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))


@tagged("post_install", "-at_install", "rsb_shop")
class TestShopSettleUp(ShopProfileMixin, LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._skip_unless_shop()
        # a service product created as a user would: it takes the company's default sale tax
        cls.product_taxed = cls.env["product.product"].create(
            {
                "name": "Remote support, taxed (hour)",
                "type": "service",
                "uom_id": cls.uom_hour.id,
                "uom_po_id": cls.uom_hour.id,
                "list_price": 86.0,
            }
        )
        cls.team.rsb_service_product_id = cls.product_taxed

    def _paid_ticket(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        deposit = self._request(ticket)
        self._pay_invoice(deposit)
        return ticket, deposit

    def test_profile_installs_what_a_shop_runs(self):
        Module = self.env["ir.module.module"]
        for name in (
            "sale_timesheet",
            "account_credit_control",
            "l10n_us",
            "remote_support_billing",
        ):
            self.assertEqual(Module.search([("name", "=", name)]).state, "installed", name)
        self.assertEqual(self.company.chart_template, "generic_coa")
        self.assertEqual(self.sales_tax.amount, 10.0)
        self.assertEqual(self.sales_tax.type_tax_use, "sale")
        self.assertFalse(self.sales_tax.price_include)
        self.assertEqual(self.product_taxed.taxes_id, self.sales_tax, "new services are taxed")
        # the second dunning module's models are there next to ours
        self.assertIn("credit.control.policy", self.env)
        self.assertIn("rsb.dunning.run", self.env)

    def test_settle_up_invoice_carries_the_sales_tax_and_nets_the_deposit(self):
        self.assertFalse(
            self.company.rsb_tax_deposits, "default: the deposit is an untaxed advance"
        )
        ticket, deposit = self._paid_ticket()
        self.assertFalse(deposit.line_ids.filtered("tax_line_id"), "no tax on an advance")
        self._log_time(ticket, 125)  # 2.25 h x $86 = $193.50 + 10 % = $212.85
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(len(invoice), 1)
        time_lines = invoice.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_taxed
        )
        self.assertTrue(time_lines)
        self.assertEqual(time_lines.tax_ids, self.sales_tax, "the time carries the sales tax")
        applied = invoice.line_ids.filtered(lambda ln: ln.rsb_deposit_role == "apply")
        self.assertFalse(applied.tax_ids, "an untaxed advance is applied untaxed")
        self.assertAlmostEqual(applied.price_subtotal, -129.0)
        self.assertAlmostEqual(invoice.amount_untaxed, 193.50 - 129.0)
        self.assertAlmostEqual(invoice.amount_tax, 19.35, msg="tax on the whole time")
        self.assertAlmostEqual(invoice.amount_residual, 212.85 - 129.0)
        self.assertAlmostEqual(self._tax_balance(self.sales_tax), -19.35)
        self.assertAlmostEqual(self._balance_of(self.deposit_account), 0.0, msg="advance used up")
        self._assert_books(ticket)

    def test_taxed_deposit_mode_nets_the_tax_of_the_deposit(self):
        settings = self.env["res.config.settings"].create({"rsb_tax_deposits": True})
        settings.execute()
        ticket, deposit = self._paid_ticket()
        # the client pays the $129 asked: the sales tax is in it, booked when received
        self.assertAlmostEqual(deposit.amount_total, 129.0)
        self.assertAlmostEqual(deposit.amount_tax, 11.73, msg="$129 - $129 / 1.10")
        self.assertAlmostEqual(self._tax_balance(self.sales_tax), -11.73)
        self._log_time(ticket, 125)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        applied = invoice.line_ids.filtered(lambda ln: ln.rsb_deposit_role == "apply")
        self.assertEqual(applied.tax_ids, self.sales_tax, "deducted with the tax it was taxed with")
        self.assertAlmostEqual(applied.price_total, -129.0)
        self.assertAlmostEqual(invoice.amount_tax, 19.35 - 11.73, msg="only the tax not yet booked")
        self.assertAlmostEqual(invoice.amount_total, 212.85 - 129.0)
        self.assertAlmostEqual(self._tax_balance(self.sales_tax), -19.35, msg="the tax once")
        self._assert_books(ticket)

    def test_tax_exempt_client_is_mapped_by_its_fiscal_position(self):
        exempt = self.env["account.fiscal.position"].create(
            {
                "name": "Tax exempt (resale certificate)",
                "company_id": self.company.id,
                "tax_ids": [
                    Command.create({"tax_src_id": self.sales_tax.id, "tax_dest_id": False})
                ],
            }
        )
        self.client_a.property_account_position_id = exempt
        ticket, _deposit = self._paid_ticket()
        self._log_time(ticket, 125)
        self._settle(ticket)
        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(invoice.fiscal_position_id, exempt)
        self.assertFalse(invoice.line_ids.tax_ids, "no sales tax for an exempt client")
        self.assertAlmostEqual(invoice.amount_total, 193.50 - 129.0)

    def _balance_of(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return self.currency.round(sum(lines.mapped("balance")))

    # ------------------------------------------------ sale_timesheet's billing beside ours
    def _sale_order_line(self):
        product = self.env["product.product"].create(
            {
                "name": "Support contract (hour)",
                "type": "service",
                "service_type": "timesheet",
                "invoice_policy": "delivery",
                "uom_id": self.uom_hour.id,
                "uom_po_id": self.uom_hour.id,
                "list_price": 100.0,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client_a.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 10})],
            }
        )
        order.action_confirm()
        return order.order_line

    def test_time_a_sale_order_bills_is_not_settled_up(self):
        so_line = self._sale_order_line()
        project = self.env["project.project"].create(
            {
                "name": "Support contract",
                "allow_timesheets": True,
                "allow_billable": True,
                "partner_id": self.client_a.id,
                "sale_line_id": so_line.id,
                "company_id": self.company.id,
            }
        )
        ticket = self._create_ticket(
            self.client_a, user_id=self.technician.id, project_id=project.id
        )
        sold = self._log_time(ticket, 90)
        self.assertEqual(sold.so_line, so_line, "sale_timesheet links the time to the order")
        self.assertTrue(sold.rsb_billable, "both 'Billable' flags are set on it")
        extra = self._log_time(ticket, 60, name="Out of contract")
        extra.write({"so_line": False, "is_so_line_edited": True})
        self.assertAlmostEqual(so_line.qty_delivered, 1.5, msg="the order delivers its time")

        self._settle(ticket)

        invoice = ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(extra.rsb_settlement_move_id, invoice, "the time without order is settled")
        self.assertFalse(sold.rsb_settlement_move_id, "the order's time is not")
        time_lines = invoice.invoice_line_ids.filtered(
            lambda ln: ln.product_id == self.product_taxed
        )
        self.assertAlmostEqual(sum(time_lines.mapped("quantity")), 1.0, msg="1 h, not 2.5 h")
        # the order invoices its own 1.5 h, and only them
        order_invoice = so_line.order_id._create_invoices()
        self.assertAlmostEqual(order_invoice.invoice_line_ids.quantity, 1.5)
        order_invoice.action_post()
        self.assertEqual(sold.timesheet_invoice_id, order_invoice)
        self.assertFalse(extra.timesheet_invoice_id)
        # settling again charges nothing more
        self._settle(ticket)
        self.assertEqual(
            ticket.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice"), invoice
        )

    def test_settled_time_is_never_taken_by_a_sale_order(self):
        ticket, _deposit = self._paid_ticket()
        line = self._log_time(ticket, 60)
        self._settle(ticket)
        self.assertTrue(line.rsb_settlement_move_id)
        # later, the project is sold through an order: the settled time stays off the order
        so_line = self._sale_order_line()
        self.project.write({"allow_billable": True, "partner_id": self.client_a.id})
        self.project.sale_line_id = so_line
        self.env.flush_all()
        self.assertFalse(line.so_line, "sale_timesheet does not take time a settle-up charged")
        self.assertAlmostEqual(so_line.qty_delivered, 0.0)
        with self.assertRaises(UserError):
            line.with_user(self.helpdesk_manager).so_line = so_line
        line.invalidate_recordset()
        self.assertFalse(line.so_line, "unchanged")
        self.assertAlmostEqual(so_line.qty_delivered, 0.0)


@tagged("post_install", "-at_install", "rsb_shop")
class TestShopDunningFees(ShopProfileMixin, RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._skip_unless_shop()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        cls.fee_product = cls.env.ref("remote_support_billing.product_rsb_dunning_fee")
        cls.level_by_days[21].write(
            {"fee_type": "fixed", "fee_fixed": 15.0, "fee_product_id": cls.fee_product.id}
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Shop Fee Client", "is_company": True, "email": "shopfee@example.com"}
        )
        cls.invoice = cls._create_invoice(cls.client, 300.0, cls.TODAY - timedelta(days=22))

    def setUp(self):
        super().setUp()
        freezer = freeze_time(self.TODAY)
        freezer.start()
        self.addCleanup(freezer.stop)

    def _fee_invoice(self):
        return self.env["account.move"].search(
            [("partner_id", "=", self.client.id), ("rsb_dunning_fee", "=", True)]
        )

    def test_shipped_fee_product_stays_untaxed_despite_the_default_sale_tax(self):
        self.assertFalse(self.fee_product.taxes_id, "a late fee is not a taxed sale by default")
        self._run()
        fee = self._fee_invoice()
        self.assertEqual(len(fee), 1)
        self.assertEqual(fee.state, "posted")
        self.assertAlmostEqual(fee.amount_tax, 0.0)
        self.assertAlmostEqual(fee.amount_total, 15.0)

    def test_fee_taxed_when_the_accountant_taxes_the_fee_product(self):
        self.fee_product.taxes_id = self.sales_tax
        self._run()
        fee = self._fee_invoice()
        self.assertEqual(fee.invoice_line_ids.tax_ids, self.sales_tax)
        self.assertAlmostEqual(fee.amount_untaxed, 15.0)
        self.assertAlmostEqual(fee.amount_tax, 1.50)
        self.assertAlmostEqual(fee.amount_residual, 16.50)

    def test_fee_tax_follows_the_client_fiscal_position(self):
        self.fee_product.taxes_id = self.sales_tax
        exempt = self.env["account.fiscal.position"].create(
            {
                "name": "Tax exempt",
                "company_id": self.company.id,
                "tax_ids": [
                    Command.create({"tax_src_id": self.sales_tax.id, "tax_dest_id": False})
                ],
            }
        )
        self.client.property_account_position_id = exempt
        self._run()
        fee = self._fee_invoice()
        self.assertFalse(fee.invoice_line_ids.tax_ids)
        self.assertAlmostEqual(fee.amount_total, 15.0)

    def test_oca_credit_control_beside_ours_reads_the_same_overdue_invoice(self):
        """The second dunning module installed: its run finds the invoice ours dunned, and our
        run neither breaks nor is broken by its policies."""
        self._run()
        receivable = self.invoice.line_ids.account_id.filtered(
            lambda a: a.account_type == "asset_receivable"
        )
        policy = self.env.ref("account_credit_control.credit_control_3_time")
        policy.account_ids = [Command.link(receivable.id)]
        self.client.credit_policy_id = policy
        self.company.credit_policy_id = policy
        run = self.env["credit.control.run"].create(
            {
                "date": self.TODAY,
                "policy_ids": [Command.set(policy.ids)],
                "company_id": self.company.id,
            }
        )
        run.generate_credit_lines()
        lines = self.env["credit.control.line"].search([("partner_id", "=", self.client.id)])
        self.assertIn(self.invoice, lines.invoice_id)
        self.assertTrue(self.env["rsb.dunning.history"].search([("move_id", "=", self.invoice.id)]))
