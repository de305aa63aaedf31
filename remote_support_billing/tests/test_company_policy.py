"""A client's billing policy (trust, credit hold, collections, dunning pause) is per company,
and every rsb record of company B is hidden from a user of company A only."""

import importlib.util
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestCompanyPolicy(RSBCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Remote Support West"})
        cls.env.user.company_ids = [(4, cls.company_b.id)]
        both = [(6, 0, (cls.company | cls.company_b).ids)]
        for user in (cls.technician, cls.helpdesk_manager):
            user.company_ids = both
        cls.accountant_both = new_test_user(
            cls.env,
            login="rsb-accountant-both",
            groups="account.group_account_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=both,
        )
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Remote Support West",
                "user_ids": [(6, 0, (cls.technician | cls.helpdesk_manager).ids)],
                "company_id": cls.company_b.id,
            }
        )
        cls.stage_scheduled_b = cls.env["helpdesk.ticket.stage"].create(
            {
                "name": "Scheduled West",
                "sequence": 3,
                "rsb_requires_deposit": True,
                "company_id": cls.company_b.id,
            }
        )

    def _ticket_b(self, partner, user=None):
        Ticket = self.env["helpdesk.ticket"].with_user(user or self.technician)
        return Ticket.with_company(self.company_b).create(
            {
                "name": "Server down",
                "description": "Remote session",
                "team_id": self.team_b.id,
                "partner_id": partner.id,
                "company_id": self.company_b.id,
            }
        )

    # ------------------------------------------------------------------ policy
    def test_credit_hold_in_company_a_does_not_block_company_b(self):
        self.client_a._rsb_place_credit_hold("overdue invoice in A")
        self.assertTrue(self.client_a.rsb_credit_hold)
        self.assertFalse(self.client_a.with_company(self.company_b).rsb_credit_hold)
        held = self._create_ticket(self.client_a)  # the call is logged (issue 24)
        self.assertIn("credit hold", held._rsb_schedule_blocker())
        ticket_b = self._ticket_b(self.contact_a)
        self.assertEqual(ticket_b.company_id, self.company_b, "created: the hold is A's")
        self.assertTrue(ticket_b.rsb_prepay_required, "not trusted in B either")
        # lifting in B changes nothing in A
        self.client_a.with_company(self.company_b)._rsb_lift_credit_hold("no-op")
        self.assertTrue(self.client_a.rsb_credit_hold)

    def test_trust_is_per_company(self):
        self.assertTrue(self.client_trusted.rsb_trusted)
        client_in_b = self.client_trusted.with_company(self.company_b)
        self.assertFalse(client_in_b.rsb_trusted)
        self.assertTrue(client_in_b.rsb_prepay_required)
        ticket_a = self._create_ticket(self.client_trusted)
        ticket_b = self._ticket_b(self.client_trusted)
        # read from the same environment, each ticket follows its own company
        self.assertEqual(
            (ticket_a | ticket_b).mapped("rsb_prepay_required"), [False, True], "per company"
        )
        self.assertEqual(ticket_b.rsb_deposit_state, "to_request")
        ticket_a.with_user(self.technician).stage_id = self.stage_scheduled  # trusted in A
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            ticket_b.with_user(self.technician).stage_id = self.stage_scheduled_b
        self.assertNotEqual(ticket_b.stage_id, self.stage_scheduled_b)
        # trust in B is given by a manager in B; A keeps its own
        client_in_b.with_user(self.helpdesk_manager).write(
            {"rsb_trusted": True, "rsb_trust_reason": "Known in B"}
        )
        self.assertTrue(client_in_b.rsb_trusted)
        self.client_trusted._rsb_revoke_trust("late in A")
        self.assertFalse(self.client_trusted.rsb_trusted)
        self.assertTrue(client_in_b.rsb_trusted, "revoked in A only")
        self.assertEqual(
            self.env["res.partner"]
            .with_company(self.company_b)
            .search([("rsb_prepay_required", "=", False), ("id", "=", self.client_trusted.id)]),
            self.client_trusted,
            "search follows the company",
        )

    def test_collections_and_dunning_pause_per_company(self):
        client_in_b = self.client_b.with_company(self.company_b)
        client_in_b.write(
            {
                "rsb_collections": True,
                "rsb_collections_date": "2026-01-31",
                "rsb_dunning_pause_reason": "dispute",
            }
        )
        self.assertFalse(self.client_b.rsb_collections or self.client_b.rsb_dunning_pause_reason)
        Report = self.env["rsb.collections.report"].with_user(self.accountant_both)
        self.assertFalse(Report.search([("partner_id", "=", self.client_b.id)]), "not in A")
        in_b = Report.with_context(allowed_company_ids=[self.company_b.id]).search(
            [("partner_id", "=", self.client_b.id)]
        )
        self.assertRecordValues(in_b, [{"company_id": self.company_b.id}])
        self.assertEqual(str(in_b.collections_date), "2026-01-31")

    # ------------------------------------------------------------------ record rules
    def test_record_rules_hide_company_b_from_a_user_of_company_a_only(self):
        agreement_b = self.env["rsb.agreement"].create(
            {"name": "West terms", "body": "<p>Terms</p>", "company_id": self.company_b.id}
        )
        level_b = self.env["rsb.dunning.level"].create(
            {"name": "West reminder", "days": 5, "company_id": self.company_b.id}
        )
        for record in (agreement_b, level_b):
            with self.subTest(model=record._name):
                Model = self.env[record._name]
                self.assertFalse(Model.with_user(self.accountant).search([("id", "=", record.id)]))
                with self.assertRaises(AccessError):
                    record.with_user(self.accountant).read(["name"])
                both = Model.with_user(self.accountant_both).with_context(
                    allowed_company_ids=[self.company.id, self.company_b.id]
                )
                self.assertEqual(both.search([("id", "=", record.id)]), record)
        self.client_b.with_company(self.company_b).rsb_collections = True
        Report = self.env["rsb.collections.report"].with_user(self.accountant)
        self.assertFalse(Report.search([("partner_id", "=", self.client_b.id)]))

    # ------------------------------------------------------------------ upgrade
    def test_upgrade_keeps_the_global_policy_in_every_company(self):
        """18.0.1.1.0 pre-migration: the global columns become per-company with the old value
        in every company (nobody loses trust or a hold on the upgrade)."""
        self.client_a.write({"rsb_credit_hold": True, "rsb_collections_date": "2026-01-31"})
        self.env.flush_all()
        cr = self.env.cr
        for name, column_type in (
            ("rsb_trusted", "boolean"),
            ("rsb_credit_hold", "boolean"),
            ("rsb_collections_date", "date"),
            ("rsb_trust_reason", "varchar"),
        ):  # the columns as they were before (global), rolled back with the test
            cr.execute(
                SQL(
                    "ALTER TABLE res_partner ALTER COLUMN %(col)s TYPE %(type)s "
                    "USING (%(col)s->>%(company)s)::%(type)s",
                    col=SQL.identifier(name),
                    type=SQL(column_type),
                    company=str(self.company.id),
                )
            )
        path = Path(__file__).parents[1] / "migrations/18.0.1.1.0/pre-company-dependent-policy.py"
        spec = importlib.util.spec_from_file_location("rsb_pre_migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "18.0.1.0.0")
        self.env.invalidate_all()
        for company in (self.company, self.company_b):
            with self.subTest(company=company.name):
                self.assertRecordValues(
                    self.client_a.with_company(company),
                    [{"rsb_credit_hold": True, "rsb_trusted": False}],
                )
                self.assertEqual(
                    str(self.client_a.with_company(company).rsb_collections_date), "2026-01-31"
                )
                self.assertTrue(self.client_trusted.with_company(company).rsb_trusted)
