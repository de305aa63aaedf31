"""The helpdesk manager sets the billing policy (issue 24): *Helpdesk > Configuration > Billing
Policy* writes the company's unused-deposit and trust settings, and only those; a technician
or an accountant is refused, a negative number is refused, and neither changes anything."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import RSBCommon

POLICY = ("rsb_unused_deposit_policy", "rsb_trust_overdue_days", "rsb_trust_propose_after")


@tagged("post_install", "-at_install")
class TestBillingPolicy(RSBCommon):
    def _policy(self, user):
        return self.env["rsb.billing.policy"].with_user(user).with_company(self.company)

    def _company_settings(self):
        self.company.invalidate_recordset()
        return self.company.read([*POLICY, "rsb_tax_deposits", "rsb_deposit_account_id"])

    def test_manager_saves_the_policy(self):
        self.company.rsb_unused_deposit_policy = "refund"
        form = self._policy(self.helpdesk_manager).create({})
        self.assertEqual(
            (form.rsb_unused_deposit_policy, form.rsb_trust_overdue_days),
            ("refund", self.company.rsb_trust_overdue_days),
            "the form opens on the company's current policy",
        )
        others = {
            "rsb_tax_deposits": self.company.rsb_tax_deposits,
            "rsb_deposit_account_id": self.company.rsb_deposit_account_id.id,
        }
        form.write(
            {
                "rsb_unused_deposit_policy": "credit",
                "rsb_trust_overdue_days": 30,
                "rsb_trust_propose_after": 3,
            }
        )
        form.action_save()
        self.company.invalidate_recordset()
        self.assertRecordValues(
            self.company,
            [
                {
                    "rsb_unused_deposit_policy": "credit",
                    "rsb_trust_overdue_days": 30,
                    "rsb_trust_propose_after": 3,
                    **others,
                }
            ],
        )
        self.assertFalse(
            self.helpdesk_manager.has_group("base.group_system"), "a manager, not an admin"
        )

    def test_other_roles_and_bad_values_change_nothing(self):
        before = self._company_settings()
        for user in (self.technician, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._policy(user).create({"rsb_unused_deposit_policy": "credit"}).action_save()
            self.assertEqual(self._company_settings(), before)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._policy(self.helpdesk_manager).create(
                {"rsb_unused_deposit_policy": "credit", "rsb_trust_overdue_days": -1}
            )
        self.assertEqual(self._company_settings(), before)
        # the manager cannot write the company directly (Odoo's rule stays)
        with self.assertRaises(AccessError):
            self.company.with_user(self.helpdesk_manager).rsb_unused_deposit_policy = "credit"
        self.assertEqual(self._company_settings(), before)
