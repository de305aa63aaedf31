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

    def test_portal_cannot_read_runs_or_history(self):
        self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.env["rsb.dunning.history"].with_user(self.portal_a).search([])
