from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningSecurity(RSBDunningCommon):
    def test_technician_cannot_read_or_run_dunning(self):
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.run"].with_user(self.technician).search([])
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.run"].with_user(self.technician).create({})
        with self.assertRaises(AccessError):
            run.line_ids.with_user(self.technician).read(["amount_due"])
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.history"].with_user(self.technician).search([])

    def test_accountant_runs_dunning(self):
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(user=self.accountant)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.done_count, 1)

    def test_only_accountants_execute_in_background(self):
        """The run form's Execute (background workers): refused to helpdesk users, who
        cannot read dunning; the run stays previewed and no job is woken. An accountant
        starts it."""
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        cron = self.env.ref("remote_support_billing.ir_cron_rsb_dunning")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        for user in (self.technician, self.helpdesk_manager):
            with self.assertRaises(AccessError):
                run.with_user(user).action_execute_in_background()
            self.assertEqual(run.state, "preview")
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers)
        run.with_user(self.accountant).action_execute_in_background()
        self.assertEqual(run.state, "running")
        self.assertGreater(Trigger.search_count([("cron_id", "=", cron.id)]), triggers)

    def test_portal_cannot_read_runs_or_history(self):
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.history"].with_user(self.portal_a).search([])
