"""The accountant's day (issue 24): a payment plan agreed lifts the credit hold and the
collections flag (if wished), the unused-deposit activity goes to an accountant, DSO counts a
sale gross of its deposit."""

from freezegun import freeze_time

from odoo.tests import tagged

from .common_receivables import RSBReceivablesCommon


@tagged("post_install", "-at_install")
class TestDayPlanLiftsHold(RSBReceivablesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv1 = cls._create_invoice(cls.client_a, 400.0, "2026-01-05")
        cls.inv2 = cls._create_invoice(cls.client_a, 300.0, "2026-02-01")
        cls.invoices = cls.inv1 | cls.inv2

    def _held_in_collections(self):
        self.client_a._rsb_place_credit_hold("overdue")
        self.client_a.sudo().write({"rsb_collections": True, "rsb_collections_date": "2026-03-01"})

    @freeze_time("2026-03-10")
    def test_plan_agreed_lifts_hold_and_collections(self):
        self._held_in_collections()
        plan = self._create_plan(self.invoices, down_payment=100.0)
        self.assertTrue(plan.lift_hold, "offered by default")
        plan.action_confirm()
        self.assertFalse(self.client_a.rsb_credit_hold)
        self.assertFalse(self.client_a.rsb_collections)
        bodies = self.client_a.message_ids.mapped("body")
        self.assertTrue(any("Credit hold lifted" in b and plan.name in b for b in bodies))
        self.assertTrue(any("out of collections" in b and plan.name in b for b in bodies))

    @freeze_time("2026-03-10")
    def test_plan_agreed_without_lifting(self):
        self._held_in_collections()
        plan = self._create_plan(self.invoices, down_payment=100.0, lift_hold=False)
        plan.action_confirm()
        self.assertTrue(self.client_a.rsb_credit_hold)
        self.assertTrue(self.client_a.rsb_collections)


@tagged("post_install", "-at_install")
class TestDayMoneyOutUser(RSBReceivablesCommon):
    def test_an_accountant_not_the_administrator(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("account.group_account_manager"))
        self.assertFalse(self.accountant._is_admin())
        user = self.company._rsb_get_money_out_user()
        self.assertNotEqual(user, admin, "the admin only when no one else keeps the books")
        self.assertFalse(user._is_admin())
        self.assertTrue(user.has_group("account.group_account_invoice"))

    def test_the_administrator_when_alone(self):
        admin = self.env.ref("base.user_admin")
        others = (
            self.env.ref("account.group_account_invoice").users
            | self.env.ref("account.group_account_manager").users
        ).filtered(lambda u: u != admin and not u._is_superuser())
        others.write({"active": False})
        self.assertEqual(self.company._rsb_get_money_out_user(), admin)
