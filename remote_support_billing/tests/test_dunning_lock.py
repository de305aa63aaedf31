from datetime import timedelta

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningLock(RSBDunningCommon):
    """Two runs at the same time never send twice: the second is refused."""

    def test_concurrent_run_refused(self):
        invoice = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        # Another connection (another worker running dunning) holds the company's lock row
        # (shipped for the main company, so committed before this test began).
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(
                "SELECT id FROM rsb_dunning_lock WHERE company_id = %s FOR UPDATE",
                [self.company.id],
            )
            with self.assertRaises(UserError) as caught:
                run.action_execute()
            self.assertIn("already in progress", str(caught.exception))
            self.assertEqual(run.state, "draft")
            self.assertFalse(invoice.rsb_dunning_level_id)
            self.assertFalse(self._partner_mails(self.client_a))
            other.rollback()  # the other run is done: the lock is free again
            run.action_execute()
            self.assertEqual(run.state, "done")
            self.assertEqual(invoice.rsb_dunning_level_id, self.level_by_days[1])
        finally:
            other.rollback()
            other.close()

    def test_lock_reentrant_in_same_transaction(self):
        Lock = self.env["rsb.dunning.lock"]
        first = Lock._rsb_acquire(self.company)
        self.assertEqual(Lock._rsb_acquire(self.company), first)
