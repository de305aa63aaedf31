"""Settle-up batches on OCA queue_job, installed (queue_job's own trap_jobs, no patching of the
addon's methods but the chunk size): Settle Up on more tickets than a chunk enqueues one job per
chunk, never twice; the jobs settle what a settle-up in the transaction settles; a ticket that
cannot be settled is reported while the others are settled; a job redone after a killed worker
or a retry bills nothing twice; without queue_job the batch runs in the transaction."""

from odoo.tests import tagged

from .lifecycle_common import LifecycleCase
from .test_settle_up import SettleUpCase

try:
    from odoo.addons.queue_job.tests.common import trap_jobs
except ImportError:  # pragma: no cover - queue_job is in the test template
    trap_jobs = None


@tagged("post_install", "-at_install")
class TestSettleUpQueueJob(SettleUpCase, LifecycleCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ICP = cls.env["ir.config_parameter"].sudo()

    def setUp(self):
        super().setUp()
        if trap_jobs is None or "queue.job" not in self.env:
            self.skipTest("OCA queue_job is not installed")
        self.patch(type(self.env["helpdesk.ticket"]), "_rsb_settle_chunk", 2)

    def _on_queue_job(self):
        self.ICP.set_param("remote_support_billing.dunning_engine", "queue_job")

    def _worked_tickets(self, count, minutes=70):
        tickets = self.env["helpdesk.ticket"]
        for _i in range(count):
            ticket = self._ticket_with_deposit()
            self._log_time(ticket, minutes)
            tickets |= ticket
        return tickets

    def _invoices(self, tickets):
        return tickets.rsb_settlement_move_ids.filtered(lambda m: m.move_type == "out_invoice")

    def test_jobs_settle_what_the_transaction_settles(self):
        in_transaction = self._worked_tickets(2)
        self.ICP.set_param("remote_support_billing.dunning_engine", "cron")
        self._settle(in_transaction)
        self.assertTrue(all(in_transaction.mapped("rsb_settled")), "no queue_job: at once")

        self._on_queue_job()
        tickets = self._worked_tickets(5)
        with trap_jobs() as trap:
            action = self._settle(tickets)
            self.assertIn("in the background", action["params"]["message"])
            self.assertFalse(any(tickets.mapped("rsb_settled")), "nothing settled yet")
            trap.assert_jobs_count(3)  # 5 tickets, chunks of 2
            self.assertEqual({job.method_name for job in trap.enqueued_jobs}, {"_rsb_job_settle"})
            self.assertEqual({c.properties["channel"] for c in trap.calls}, {"root.rsb_settle"})
            self.assertEqual(
                {job.user_id for job in trap.enqueued_jobs}, {self.technician.id}, "as who asked"
            )
            trap.perform_enqueued_jobs()
        self._send_money_out()
        self.env.invalidate_all()
        self.assertTrue(all(tickets.mapped("rsb_settled")))
        expected = self._invoices(in_transaction[0]).amount_total
        self.assertEqual(len(self._invoices(tickets)), 5)
        for invoice in self._invoices(tickets):
            self.assertAlmostEqual(invoice.amount_total, expected, msg="as in the transaction")
            self.assertEqual(invoice.state, "posted")
        self._assert_books(tickets)

    def test_a_chunk_is_never_enqueued_twice(self):
        self._on_queue_job()
        tickets = self._worked_tickets(3)
        with trap_jobs() as trap:
            tickets.with_user(self.technician).action_rsb_settle()
            tickets.with_user(self.technician).action_rsb_settle()  # a second click
            self.assertEqual(len(trap.enqueued_jobs), 2, "identity keys: the same two chunks")
            self.assertEqual(len({job.identity_key for job in trap.enqueued_jobs}), 2)

    def test_a_ticket_that_cannot_be_settled_is_reported_the_others_settled(self):
        self._on_queue_job()
        good = self._worked_tickets(2)
        unpaid = self._ticket_with_deposit(pay="none")
        self._log_time(unpaid, 30)
        tickets = good | unpaid
        with trap_jobs() as trap:
            tickets.with_user(self.technician).action_rsb_settle()
            results = [job.perform() for job in trap.enqueued_jobs]
        self.env.invalidate_all()
        self.assertTrue(all(good.mapped("rsb_settled")))
        self.assertFalse(unpaid.rsb_settled)
        self.assertFalse(self._invoices(unpaid), "nothing of it written")
        self.assertTrue(any(unpaid.number in result for result in results))
        activity = unpaid.activity_ids.filtered(lambda a: a.summary == "Settle-up failed")
        self.assertEqual(activity.user_id, unpaid.user_id, "its technician is told")
        self.assertIn("not paid yet", activity.note)
        self._assert_books(good)

    def test_job_redone_after_a_killed_worker_bills_nothing_twice(self):
        self._on_queue_job()
        tickets = self._worked_tickets(3)
        with trap_jobs() as trap:
            tickets.with_user(self.technician).action_rsb_settle()
            job = trap.enqueued_jobs[0]
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                job.perform()
                raise RuntimeError("worker killed before its commit")
            self.env.invalidate_all()
            self.assertFalse(any(tickets.mapped("rsb_settled")), "rolled back")
            job.perform()  # re-queued by the job runner
            job.perform()  # and once more (a retry): nothing new to settle
            trap.perform_enqueued_jobs()
        self._send_money_out()
        self.env.invalidate_all()
        self.assertEqual(len(self._invoices(tickets)), 3, "one invoice per ticket")
        self._assert_books(tickets)
