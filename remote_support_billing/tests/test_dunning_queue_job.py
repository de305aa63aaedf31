"""Background dunning on OCA queue_job, installed (no patching of the addon's methods): the
run's chunks are queue_job jobs, trapped and performed with queue_job's own test helpers; they
give the same rows as the cron path, a chunk is never enqueued twice, a chunk redone after a
killed worker makes no duplicate, and no second run executes while one is in the background."""

from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .dunning_common import RSBDunningCommon

try:
    from odoo.addons.queue_job.tests.common import trap_jobs
except ImportError:  # pragma: no cover - queue_job is in the test template
    trap_jobs = None


@tagged("post_install", "-at_install")
class TestDunningQueueJob(RSBDunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        cls.ICP = cls.env["ir.config_parameter"].sudo()

    def setUp(self):
        super().setUp()
        if trap_jobs is None or "queue.job" not in self.env:
            self.skipTest("OCA queue_job is not installed")

    def _clients(self, count, tag):
        clients = self.env["res.partner"].create(
            [
                {"name": f"Queue {tag} {i}", "is_company": True, "email": f"q-{tag}-{i}@ex.com"}
                for i in range(count)
            ]
        )
        for client in clients:
            self._create_invoice(client, 100.0, self.TODAY - timedelta(days=8))
            self._create_invoice(client, 200.0, self.TODAY - timedelta(days=22))
        return clients

    def _preview(self, clients):
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        run.line_ids.filtered(lambda ln: ln.partner_id not in clients).unlink()
        return run

    def _rows(self, run):
        """What a run wrote, comparable between two runs on different clients."""
        lines = run.line_ids.sorted(lambda ln: ln.partner_id.name[-1])
        history = self.env["rsb.dunning.history"].search([("run_id", "=", run.id)])
        return {
            "lines": [(ln.state, ln.level_id.id, ln.amount_due) for ln in lines],
            "history": sorted((h.level_id.id, h.move_id.amount_total) for h in history),
            "fees": sorted(
                self.env["rsb.dunning.fee"].search([("run_id", "=", run.id)]).mapped("amount")
            ),
            "fee_invoices": len(run.line_ids.fee_move_ids),
            "emails": sum(len(self._partner_mails(ln.partner_id)) for ln in lines),
            "holds": sorted(lines.partner_id.mapped("rsb_credit_hold")),
        }

    def _on_queue_job(self, batch_size=2):
        self.ICP.set_param("remote_support_billing.dunning_engine", "queue_job")
        self.patch(type(self.env["rsb.dunning.run"]), "_rsb_batch_size", batch_size)

    def test_jobs_give_the_same_rows_as_the_cron(self):
        cron_run = self._preview(self._clients(3, "cron"))
        self.ICP.set_param("remote_support_billing.dunning_engine", "cron")
        cron_run.action_execute_background()
        cron_run._rsb_execute_worker(commit=False)  # what the triggered cron does
        self.assertEqual(cron_run.state, "done")

        self._on_queue_job()
        run = self._preview(self._clients(3, "job"))
        with trap_jobs() as trap:
            run.action_execute_background()
            self.assertEqual(run.state, "running")
            trap.assert_jobs_count(2, only=run._rsb_job_execute_chunk)  # 3 clients, chunks of 2
            self.assertEqual(
                {call.properties["channel"] for call in trap.calls}, {"root.rsb_dunning"}
            )
            self.assertTrue(
                self.env["queue.job.channel"].search([("complete_name", "=", "root.rsb_dunning")])
            )
            trap.perform_enqueued_jobs()  # the chunks; the last one queues the finish
            trap.assert_jobs_count(1, only=run._rsb_job_finish)
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(self._rows(run), self._rows(cron_run))

    def test_a_chunk_is_never_enqueued_twice(self):
        self._on_queue_job()
        run = self._preview(self._clients(3, "twice"))
        with trap_jobs() as trap:
            run.action_execute_background()
            run._rsb_enqueue_chunks()  # enqueued again (a double click, a retry)
            self.assertEqual(len(trap.enqueued_jobs), 2, "identity keys: the same two chunks")
            keys = {job.identity_key for job in trap.enqueued_jobs}
            self.assertEqual(len(keys), 2)

    def test_killed_worker_chunk_redone_without_duplicates(self):
        """A worker killed after its chunk's work but before queue_job's commit: everything
        it did rolls back; the job runner re-queues the job, which redoes the chunk."""
        self._on_queue_job()
        run = self._preview(self._clients(2, "killed"))
        with trap_jobs() as trap:
            run.action_execute_background()
            job = trap.enqueued_jobs[0]
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                job.perform()
                raise RuntimeError("worker killed before its commit")
            self.env.invalidate_all()
            self.assertEqual(set(run.line_ids.mapped("state")), {"to_do"}, "rolled back")
            job.perform()  # re-queued by the job runner
            job.perform()  # and performed once more: nothing left to do in it
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        history = self.env["rsb.dunning.history"].search([("run_id", "=", run.id)])
        self.assertEqual(len(history), 4, "one row per invoice, no duplicate")
        for client in run.line_ids.partner_id:
            self.assertEqual(len(self._partner_mails(client)), 1, "one email per client")

    def test_no_second_run_while_one_executes_in_the_background(self):
        self._on_queue_job()
        run = self._preview(self._clients(2, "busy"))
        with trap_jobs() as trap:
            run.action_execute_background()
            # another accountant, later (another transaction: the row lock is gone, the
            # run's hold stays until it is done)
            other = (
                self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
            )
            with self.assertRaisesRegex(UserError, "already in progress"):
                other.action_preview()
            with self.assertRaisesRegex(UserError, "already in progress"):
                other.action_execute()
            trap.perform_enqueued_jobs()
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        other.action_preview()  # free again once the run is done
        self.assertEqual(other.state, "preview")

    def test_finish_waits_for_chunks_still_at_work(self):
        self._on_queue_job()
        run = self._preview(self._clients(3, "wait"))
        with trap_jobs() as trap:
            run.action_execute_background()
            run._rsb_enqueue_finish()
            finish = [job for job in trap.enqueued_jobs if job.method_name == "_rsb_job_finish"]
            from odoo.addons.queue_job.exception import RetryableJobError

            with self.assertRaises(RetryableJobError):
                finish[0].perform()
            self.assertEqual(run.state, "running")
