from contextlib import closing
from datetime import date, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

TODAY = date(2026, 3, 2)


@tagged("post_install", "-at_install")
class TestDunningParallel(TransactionCase):
    """Workers on their own cursors (connections) claim chunks of a run with FOR UPDATE
    SKIP LOCKED: disjoint chunks, the rows of a serial run, a killed worker's chunk redone
    once. The data is committed (other connections must see it) and removed at the end."""

    def setUp(self):
        super().setUp()
        self.partner_ids, self.move_ids, self.run_id, self.product_tmpl_id = [], [], None, None
        self.level_fee = None
        self.addCleanup(self._remove_committed_data)
        with closing(self.registry.cursor()) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            product = env["product.product"].create(
                {"name": "Parallel dunning hour", "type": "service", "list_price": 100.0}
            )
            self.product_tmpl_id = product.product_tmpl_id.id
            clients = env["res.partner"].create(
                [
                    {
                        "name": f"Parallel client {i}",
                        "is_company": True,
                        "email": f"parallel-{i}@example.com",
                        "mobile": "+1 555 0142",
                    }
                    for i in range(6)
                ]
            )
            self.partner_ids = clients.ids
            # a late fee at the credit-hold level (restored at the end)
            level = env["rsb.dunning.level"].search(
                [("company_id", "=", env.company.id), ("days", "=", 21)]
            )
            self.level_fee = (level.id, level.read(["fee_type", "fee_percent"])[0])
            level.write(
                {
                    "fee_type": "percent",
                    "fee_percent": 5.0,
                    "fee_product_id": env.ref("remote_support_billing.product_rsb_dunning_fee").id,
                }
            )
            cr.commit()  # pylint: disable=invalid-commit
            moves = env["account.move"]
            for client in clients:
                for days, amount in ((8, 100.0), (22, 300.0)):
                    move = env["account.move"].create(
                        {
                            "move_type": "out_invoice",
                            "partner_id": client.id,
                            "invoice_date": TODAY - timedelta(days=days + 30),
                            "invoice_date_due": TODAY - timedelta(days=days),
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "product_id": product.id,
                                        "price_unit": amount,
                                        "tax_ids": [Command.clear()],
                                    }
                                )
                            ],
                        }
                    )
                    move.action_post()
                    move.invoice_date_due = TODAY - timedelta(days=days)
                    moves |= move
            self.move_ids = moves.ids
            run = env["rsb.dunning.run"].create({"date": TODAY})
            run.action_preview()
            # only our clients (the database may hold other overdue invoices)
            run.line_ids.filtered(lambda ln: ln.partner_id not in clients).unlink()
            run.state = "running"
            self.run_id = run.id
            cr.commit()  # pylint: disable=invalid-commit

    def _remove_committed_data(self):
        """Remove what the test committed (SQL: posted invoices cannot be deleted otherwise)."""
        with closing(self.registry.cursor()) as cr:
            partners, moves = self.partner_ids or [0], self.move_ids or [0]
            if self.run_id:
                cr.execute(
                    "SELECT id FROM account_move WHERE id IN "
                    "(SELECT fee_move_id FROM rsb_dunning_fee WHERE run_id = %s)",
                    [self.run_id],
                )
                moves = moves + [r[0] for r in cr.fetchall()]
            for query in (
                "DELETE FROM rsb_dunning_fee WHERE partner_id = ANY(%(p)s)",
                "DELETE FROM rsb_dunning_history WHERE partner_id = ANY(%(p)s)",
                "DELETE FROM rsb_dunning_run WHERE id = %(run)s",
                "DELETE FROM sms_sms WHERE partner_id = ANY(%(p)s)",
                "DELETE FROM mail_activity WHERE res_model = 'res.partner' AND res_id = ANY(%(p)s)",
                "DELETE FROM mail_message WHERE (model = 'res.partner' AND res_id = ANY(%(p)s)) "
                "OR (model = 'account.move' AND res_id = ANY(%(m)s)) "
                "OR (model = 'rsb.dunning.run' AND res_id = %(run)s)",
                "DELETE FROM mail_followers WHERE (res_model = 'res.partner' "
                "AND res_id = ANY(%(p)s)) OR (res_model = 'account.move' AND res_id = ANY(%(m)s))",
                "DELETE FROM account_move WHERE id = ANY(%(m)s)",
                "DELETE FROM res_partner WHERE id = ANY(%(p)s)",
                "DELETE FROM product_template WHERE id = %(t)s",
            ):
                cr.execute(
                    query,
                    {"p": partners, "m": moves, "run": self.run_id or 0, "t": self.product_tmpl_id},
                )
            if self.level_fee:
                level_id, values = self.level_fee
                values.pop("id")
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["rsb.dunning.level"].browse(level_id).write(values)
                env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit

    def _worker(self):
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["rsb.dunning.run"].browse(self.run_id)
        self.patch(type(run), "_rsb_batch_size", 2)
        return cr, run

    def _rows(self, run):
        """What a run wrote: history, fees (and their invoices), lines, emails."""
        env = run.env
        env.invalidate_all()
        history = env["rsb.dunning.history"].search([("run_id", "=", run.id)])
        fees = env["rsb.dunning.fee"].search([("run_id", "=", run.id)])
        mails = env["mail.mail"].search([("recipient_ids", "in", self.partner_ids)])
        return {
            "history": sorted((h.move_id.id, h.level_id.id, h.amount_residual) for h in history),
            "fees": sorted((f.move_id.id, f.level_id.id, f.amount) for f in fees),
            "lines": sorted((ln.partner_id.id, ln.state, ln.level_id.id) for ln in run.line_ids),
            "mails": sorted(mails.recipient_ids.ids),
            "holds": sorted(env["res.partner"].browse(self.partner_ids).mapped("rsb_credit_hold")),
        }

    def test_two_workers_killed_worker_same_rows_as_serial(self):
        # the serial run, rolled back: what the workers must produce
        serial_cr, serial_run = self._worker()
        serial_run._rsb_execute_lines(serial_run.line_ids)
        serial_run.env.flush_all()
        serial = self._rows(serial_run)
        serial_cr.rollback()
        self.assertEqual(len(serial["history"]), 12)
        self.assertEqual(len(serial["fees"]), 6, "a fee at 21 days on each client's old invoice")
        self.assertEqual(len(serial["mails"]), 6)

        cr_a, run_a = self._worker()
        cr_b, run_b = self._worker()
        chunk_a = run_a._rsb_claim_lines(2)
        chunk_b = run_b._rsb_claim_lines(2)
        self.assertEqual((len(chunk_a), len(chunk_b)), (2, 2))
        self.assertFalse(set(chunk_a.ids) & set(chunk_b.ids), "each worker its own chunk")
        # both work at once; worker A commits its chunk, worker B dies (rolled back)
        run_b._rsb_execute_lines(chunk_b)
        run_b.env.flush_all()
        run_a._rsb_execute_lines(chunk_a)
        cr_a.commit()
        cr_b.rollback()
        # A is not the last one: the run goes on
        self.assertFalse(run_a._rsb_finish_if_last())
        cr_a.commit()
        # a new worker takes B's released chunk and the rest, and finishes the run
        cr_c, run_c = self._worker()
        self.assertTrue(run_c._rsb_execute_worker(commit=True))
        self.assertEqual(run_c.state, "done")
        rows = self._rows(run_c)
        self.assertEqual(rows["history"], serial["history"], "no history row twice or missing")
        self.assertEqual(rows["fees"], serial["fees"])
        self.assertEqual(rows["lines"], serial["lines"])
        self.assertEqual(rows["mails"], serial["mails"], "one email per client, none twice")
        self.assertEqual(rows["holds"], serial["holds"])
        fees = run_c.env["rsb.dunning.fee"].search([("run_id", "=", run_c.id)])
        self.assertEqual(len(fees.fee_move_id), 6, "the last worker invoiced the fees")
        self.assertEqual(set(fees.fee_move_id.mapped("state")), {"posted"})
