from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningLevels(RSBDunningCommon):
    def _level(self, **vals):
        return self.Level.create(
            {
                "name": "Fee level",
                "days": 60,
                "company_id": self.company.id,
                "fee_product_id": self.env.ref("remote_support_billing.product_rsb_dunning_fee").id,
                **vals,
            }
        )

    def test_default_ladder_shipped_for_main_company(self):
        days = self.Level.search([("company_id", "=", self.company.id)]).mapped("days")
        self.assertEqual(days, [-3, 1, 7, 14, 21, 30, 45])
        hold = self.level_by_days[21]
        self.assertTrue(hold.credit_hold and hold.send_email and hold.send_sms)
        self.assertTrue(self.level_by_days[45].collections)
        self.assertTrue(self.level_by_days[30].send_letter)

    def test_default_ladder_for_another_company(self):
        company = self.env["res.company"].create({"name": "Second Co"})
        company.action_rsb_create_default_dunning_levels()
        levels = self.Level.search([("company_id", "=", company.id)])
        self.assertEqual(len(levels), 7)
        company.action_rsb_create_default_dunning_levels()
        self.assertEqual(
            self.Level.search_count([("company_id", "=", company.id)]), 7, "created once"
        )

    def _rsb_eur_at(self, rate):
        """EUR, worth `rate` EUR per unit of the company's currency since January."""
        eur = self.env.ref("base.EUR")
        self.assertNotEqual(self.currency, eur, "the test company's currency is not EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": "2026-01-01",
                "rate": rate,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        return eur

    def _fee(self, level, amount, days_late, charged_until=None, currency=None):
        """The level's fee on `amount` overdue `days_late` days at TODAY."""
        due = self.TODAY - timedelta(days=days_late)
        return level._rsb_compute_fee(
            amount, currency or self.currency, due, self.TODAY, charged_until
        )

    def test_fee_fixed(self):
        level = self._level(fee_type="fixed", fee_fixed=15.0)
        self.assertEqual(self._fee(level, 1000.0, 10), 15.0)

    def test_fee_percent_min_and_cap(self):
        level = self._level(fee_type="percent", fee_percent=2.5, fee_min=10.0, fee_max=40.0)
        self.assertEqual(self._fee(level, 1000.0, 10), 25.0)
        self.assertEqual(self._fee(level, 100.0, 10), 10.0, "minimum")
        self.assertEqual(self._fee(level, 5000.0, 10), 40.0, "cap")

    def test_fee_interest_per_year(self):
        level = self._level(fee_type="interest", fee_interest_rate=12.0)
        # 1,000 at 12 %/year for 73 days = 1000 * 0.12 * 73 / 365 = 24.00
        self.assertEqual(self._fee(level, 1000.0, 73), 24.0)
        # 1,234.56 for 30 days = 12.1765... -> 12.18
        self.assertEqual(self._fee(level, 1234.56, 30), 12.18)
        level.fee_max = 20.0
        self.assertEqual(self._fee(level, 1000.0, 365), 20.0)

    def test_fee_interest_only_for_days_not_charged_yet(self):
        level = self._level(fee_type="interest", fee_interest_rate=12.0, fee_min=1.0)
        # charged up to 7 days late already: 23 more days = 7.56
        charged_until = self.TODAY - timedelta(days=23)
        self.assertEqual(self._fee(level, 1000.0, 30, charged_until), 7.56)
        # every day already charged: no interest, not even the minimum
        self.assertEqual(self._fee(level, 1000.0, 30, self.TODAY), 0.0)

    def test_fee_in_invoice_currency(self):
        """Fixed amounts, minimum and cap are set in the company's currency and converted
        to the overdue invoice's currency."""
        eur = self._rsb_eur_at(2.0)
        level = self._level(fee_type="fixed", fee_fixed=15.0)
        self.assertEqual(self._fee(level, 1000.0, 10, currency=eur), 30.0)
        level.write({"fee_type": "percent", "fee_percent": 1.0, "fee_max": 4.0})
        self.assertEqual(self._fee(level, 1000.0, 10, currency=eur), 8.0, "cap of 4 = 8 EUR")

    def test_fee_none(self):
        level = self._level(fee_type="none")
        self.assertEqual(self._fee(level, 1000.0, 10), 0.0)

    def test_bad_fee_configuration_refused(self):
        with self.assertRaises(ValidationError):
            self._level(fee_type="percent", fee_percent=-1.0)
        with self.assertRaises(ValidationError):
            self._level(fee_type="fixed", fee_fixed=5.0, fee_min=50.0, fee_max=10.0)
        with self.assertRaises(ValidationError):
            self._level(fee_type="fixed", fee_fixed=5.0, fee_product_id=False)
        self.assertFalse(self.Level.search([("days", "=", 60)]), "nothing created")

    def test_levels_configured_by_account_managers(self):
        level = self.level_by_days[7]
        with self.assertRaises(AccessError):
            level.with_user(self.accountant).write({"name": "Changed"})
        level.with_user(self.account_manager).write({"name": "Second notice"})
        self.assertEqual(level.name, "Second notice")
        self.assertEqual(
            level.with_user(self.accountant).name,
            "Second notice",
            "accountants read the levels they run",
        )
