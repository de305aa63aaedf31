from datetime import timedelta

from odoo.tests import tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningScale(RSBDunningCommon):
    """Execution at scale: queries per chunk constant in the number of clients, and the same
    rows whether the run is executed in one go or by workers claiming chunks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fee_product = cls.env.ref("remote_support_billing.product_rsb_dunning_fee")
        cls.level_by_days[21].write(
            {"fee_type": "percent", "fee_percent": 5.0, "fee_product_id": fee_product.id}
        )
        # letters render a PDF per client (wkhtmltopdf): not what is measured here
        cls.levels.write({"send_letter": False, "attach_invoices": False})

    def _clients(self, count, tag):
        """`count` clients, each with an invoice at the second-reminder level (email, SMS)
        and one at the credit-hold level (email, SMS, hold, trust, fee)."""
        clients = self.env["res.partner"].create(
            [
                {
                    "name": f"Scale {tag} {i}",
                    "is_company": True,
                    "email": f"scale-{tag}-{i}@example.com",
                    "mobile": "+1 555 0199",
                }
                for i in range(count)
            ]
        )
        for client in clients:
            self._create_invoice(client, 100.0, self.TODAY - timedelta(days=8))
            self._create_invoice(client, 300.0, self.TODAY - timedelta(days=22))
        return clients

    def _preview(self, clients):
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        run.line_ids.filtered(lambda ln: ln.partner_id not in clients).unlink()
        run.state = "running"
        self.env.flush_all()
        self.env.invalidate_all()
        return run

    def _execute_counting(self, clients, tokens=True):
        run = self._preview(clients)
        lines = run.line_ids
        if tokens:
            # invoices sent or printed by Odoo already have their portal token
            for move in lines.move_ids:
                move._portal_ensure_token()
            self.env.flush_all()
        start = self.cr.sql_log_count
        run._rsb_execute_lines(lines)
        self.env.flush_all()
        count = self.cr.sql_log_count - start
        self.assertEqual(set(lines.mapped("state")), {"done"})
        return count

    def test_execution_queries_constant_per_chunk(self):
        """Every action of a chunk is batched; the one cost per client is Odoo's own
        message_post of the client's email (a fixed number of queries per email)."""
        self._execute_counting(self._clients(2, "warm"))  # caches, registry
        small = self._execute_counting(self._clients(3, "small"))
        large = self._execute_counting(self._clients(6, "large"))
        larger = self._execute_counting(self._clients(9, "larger"))
        per_client = (large - small) / 3
        self.assertEqual(larger - large, large - small, "a fixed cost per client, no more")
        self.assertLessEqual(per_client, 12, "Odoo's message_post of one email")
        self.assertLess(small, 160)
        # invoices without a portal token get one from Odoo's _portal_ensure_token (an
        # account.move write each): the only cost that grows, 2 queries per such invoice
        small = self._execute_counting(self._clients(3, "small-nt"), tokens=False)
        large = self._execute_counting(self._clients(6, "large-nt"), tokens=False)
        self.assertLessEqual(
            large - small - 3 * per_client, 2 * 2 * 3, "2 queries per invoice token"
        )
        # everything was done for every client
        clients = self.env["res.partner"].search([("name", "=like", "Scale large %")])
        self.assertEqual(len(clients), 6)
        self.assertTrue(all(clients.mapped("rsb_credit_hold")))
        mails = self.env["mail.mail"].search([("recipient_ids", "in", clients.ids)])
        self.assertEqual(len(mails), 6, "one email per client")
        for mail in mails:
            client = mail.recipient_ids
            self.assertIn("Powered by", mail.body_html, "in the notification layout")
            self.assertIn(client.name, mail.body_html)
            self.assertEqual(mail.model, "res.partner")
            self.assertEqual(mail.res_id, client.id)
        self.assertEqual(len(self.env["sms.sms"].search([("partner_id", "in", clients.ids)])), 6)
        fees = self.env["rsb.dunning.fee"].search([("partner_id", "in", clients.ids)])
        self.assertEqual(fees.mapped("amount"), [15.0] * 6)
        self.assertFalse(fees.fee_move_id, "fee invoices are the fee step's")

    def test_fee_invoices_in_batches_restartable(self):
        clients = self._clients(3, "fees")
        run = self._preview(clients)
        run._rsb_execute_lines(run.line_ids)
        Fee = self.env["rsb.dunning.fee"]
        moves = Fee._rsb_invoice_pending(run=run, batch_size=2)
        self.assertEqual(len(moves), 3, "one fee invoice per client")
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertEqual(moves.partner_id, clients)
        self.assertEqual(moves.mapped("amount_total"), [15.0] * 3)
        fees = Fee.search([("run_id", "=", run.id)])
        self.assertEqual(fees.fee_move_id, moves)
        self.assertEqual(fees.fee_line_id, moves.invoice_line_ids)
        self.assertEqual(run.line_ids.fee_move_ids, moves)
        self.assertFalse(Fee._rsb_invoice_pending(run=run), "nothing left: nothing twice")
