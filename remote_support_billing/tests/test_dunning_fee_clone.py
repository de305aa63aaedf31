from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import rsb_move_clone
from ..models.rsb_move_clone import CLONE_PARAM
from .dunning_common import RSBDunningCommon
from .snapshot_common import many2many_rows, stored_rows


@tagged("post_install", "-at_install")
class TestDunningFeeClone(RSBDunningCommon):
    """Fee invoices copied from a prototype by SQL are the invoices the ORM makes: every
    stored column and many2many row equal (read from the schema, so a module's columns are
    covered), the same followers and chatter; they book, pay, reverse and number right; the
    job is restartable; its queries do not grow with the invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fee_product = cls.env.ref("remote_support_billing.product_rsb_dunning_fee")
        cls.level_by_days[21].write(
            {"fee_type": "percent", "fee_percent": 5.0, "fee_product_id": fee_product.id}
        )
        cls.levels.write({"send_letter": False, "attach_invoices": False, "send_sms": False})
        cls.Fee = cls.env["rsb.dunning.fee"]
        cls.Clone = type(cls.Fee)

    def _run_with_fees(self, count, tag):
        """A run executed for `count` new clients, each with two invoices 22 days overdue
        (two fee lines, 5 % of different amounts): fees charged, not invoiced yet."""
        clients = self.env["res.partner"].create(
            [
                {"name": f"Fee {tag} {i}", "is_company": True, "email": f"fee-{tag}-{i}@ex.com"}
                for i in range(count)
            ]
        )
        for i, client in enumerate(clients):
            self._create_invoice(client, 300.0 + 10 * i, self.TODAY - timedelta(days=22))
            self._create_invoice(client, 200.0 + 7 * i, self.TODAY - timedelta(days=23))
        run = self.env["rsb.dunning.run"].with_user(self.accountant).create({"date": self.TODAY})
        run.action_preview()
        run.line_ids.filtered(lambda ln: ln.partner_id not in clients).unlink()
        run.state = "running"
        run._rsb_execute_lines(run.line_ids)
        self.env.flush_all()
        return run, clients

    def _invoice(self, run, copy=True, **kwargs):
        """The run's fee invoices; the copies made (by _rsb_clone_fee_invoices) recorded."""
        self.env["ir.config_parameter"].sudo().set_param(CLONE_PARAM, "1" if copy else "0")
        copies = []
        clone = self.Clone._rsb_clone_fee_invoices

        def spy(fee_model, prototype, groups):
            moves = clone(fee_model, prototype, groups)
            copies.append(moves)
            return moves

        with patch.object(self.Clone, "_rsb_clone_fee_invoices", spy):
            moves = self.Fee._rsb_invoice_pending(run=run, **kwargs)
        self.env.flush_all()
        return moves, copies

    # ------------------------------------------------------------------ snapshot
    def _snapshot(self, moves):
        """Everything stored about `moves`, keyed by client: each account_move column, each
        account_move_line column (lines in order), each many2many row of both, followers
        with subtypes, messages, the client's customer rank, the fee rows' links."""
        self.env.flush_all()
        ids = {"account.move": moves.ids, "account.move.line": moves.line_ids.ids}
        # the row's own id and its invoice's id are replaced by positions
        position = {mid: ("move", move.partner_id.id) for move in moves for mid in move.ids}
        for move in moves:
            for index, line in enumerate(move.line_ids.sorted("id")):
                position[line.id] = ("line", move.partner_id.id, index)
        snap = {}
        for model, table, skip in (
            ("account.move", "account_move", {"id"}),
            ("account.move.line", "account_move_line", {"id", "move_id"}),
        ):
            rows = stored_rows(self.env, table, ids[model], skip)
            self.assertIn("partner_id", next(iter(rows.values())))
            for row_id, values in rows.items():
                snap[position[row_id]] = values
            for field, own, other in many2many_rows(self.env, model, ids[model]):
                snap.setdefault((field.relation, position[own]), set()).add(other)
        for move in moves:
            key = move.partner_id.id
            snap[("followers", key)] = {
                (f.partner_id.id, tuple(sorted(f.subtype_ids.ids)))
                for f in move.message_follower_ids
            }
            snap[("messages", key)] = sorted(
                (m.message_type, m.subtype_id.id, str(m.body)) for m in move.message_ids
            )
            snap[("rank", key)] = move.partner_id.customer_rank
            fees = self.Fee.search([("fee_move_id", "=", move.id)], order="id")
            snap[("fees", key)] = [
                (position[f.fee_line_id.id], f.fee_line_id.name, f.amount) for f in fees
            ]
        return snap

    # ------------------------------------------------------------------ tests
    def test_copies_equal_orm_invoices_column_by_column(self):
        """The same fees invoiced by the ORM and by copying: every stored column of
        account_move and account_move_line (as the schema lists them), every many2many row,
        followers and chatter equal, for every client (the names too: same order)."""
        run, clients = self._run_with_fees(5, "cmp")
        self.cr.execute("SAVEPOINT rsb_fee_clone_cmp")
        orm_moves, copies = self._invoice(run, copy=False)
        self.assertFalse(copies, "copying switched off: all by the ORM")
        self.assertEqual(len(orm_moves), 5)
        orm = self._snapshot(orm_moves)
        self.cr.execute("ROLLBACK TO SAVEPOINT rsb_fee_clone_cmp")
        self.env.invalidate_all()
        moves, copies = self._invoice(run)
        self.assertEqual(len(copies), 1)
        self.assertEqual(len(copies[0]), 4, "the first made by the ORM, 4 copies of it")
        copied = self._snapshot(moves)
        self.assertEqual(moves.partner_id, clients)
        self.assertEqual(set(copied), set(orm))
        for key, value in orm.items():
            self.assertEqual(copied[key], value, f"{key} differs from the ORM's")
        # and the figures are what was charged
        for move in moves:
            fees = self.Fee.search([("fee_move_id", "=", move.id)])
            self.assertEqual(len(fees), 2)
            self.assertAlmostEqual(move.amount_total, sum(fees.mapped("amount")))
            self.assertEqual(fees.fee_line_id, move.invoice_line_ids)

    def test_copies_book_pay_and_reverse(self):
        """Copied fee invoices are receivables like any: open on the client's receivable
        account, in the aging report and the client's balance; paying one reconciles it,
        reversing one cancels it by a credit note."""
        run, clients = self._run_with_fees(4, "book")
        moves, copies = self._invoice(run)
        self.assertEqual(len(copies[0]), 3)
        copy = copies[0][0]
        fees = self.Fee.search([("fee_move_id", "=", copy.id)])
        total = sum(fees.mapped("amount"))
        self.assertEqual(copy.state, "posted")
        self.assertEqual(copy.payment_state, "not_paid")
        self.assertAlmostEqual(copy.amount_residual, total)
        receivable = copy.line_ids.filtered(lambda ln: ln.display_type == "payment_term")
        self.assertEqual(receivable.account_id, copy.partner_id.property_account_receivable_id)
        self.assertAlmostEqual(receivable.amount_residual, total)
        self.assertEqual(receivable.partner_id, copy.partner_id)
        # the partner ledger (posted receivable items of the client) and the aging report
        ledger = self.env["account.move.line"].search(
            [
                ("partner_id", "=", copy.partner_id.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("move_id", "=", copy.id),
            ]
        )
        self.assertEqual(ledger, receivable)
        aging = self.env["rsb.receivable.aging.report"].search([("move_id", "=", copy.id)])
        self.assertEqual(aging.partner_id, copy.partner_id)
        self.assertAlmostEqual(aging.amount_residual, total)
        self.assertIn(
            copy, self.env["account.move"].search([("partner_id", "=", copy.partner_id.id)])
        )
        # pay it
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=copy.ids
        ).create({"payment_date": self.TODAY}).action_create_payments()
        self.assertEqual(copy.payment_state, "paid")
        self.assertTrue(receivable.reconciled)
        # reverse another
        other = copies[0][1]
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=other.ids)
            .create({"journal_id": other.journal_id.id, "date": self.TODAY})
        )
        reversal.refund_moves()
        credit_note = other.reversal_move_ids
        self.assertEqual(len(credit_note), 1)
        credit_note.action_post()
        self.assertEqual(other.payment_state, "reversed")
        self.assertAlmostEqual(credit_note.amount_total, other.amount_total)

    def test_sequence_without_gaps_and_fees_linked(self):
        """Prototype and copies numbered in one unbroken block after the journal's last
        number, no name twice; every fee linked to its invoice line and run line."""
        run, clients = self._run_with_fees(6, "seq")
        moves, copies = self._invoice(run)
        self.assertEqual(len(copies[0]), 5)
        numbers = sorted(moves.mapped("sequence_number"))
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 6)))
        self.assertEqual(len(set(moves.mapped("name"))), 6)
        self.assertEqual(set(moves.mapped("sequence_prefix")), {moves[0].sequence_prefix})
        earlier = self.env["account.move"].search(
            [
                ("journal_id", "=", moves.journal_id.id),
                ("sequence_prefix", "=", moves[0].sequence_prefix),
                ("id", "not in", moves.ids),
                ("state", "=", "posted"),
            ]
        )
        self.assertEqual(max(earlier.mapped("sequence_number")), numbers[0] - 1)
        self.assertFalse(any(moves.mapped("made_sequence_gap")))
        for move in moves:
            self.assertEqual(move.payment_reference, move.name)
        fees = self.Fee.search([("run_id", "=", run.id)])
        self.assertEqual(len(fees), 12)
        self.assertEqual(fees.fee_move_id, moves)
        self.assertEqual(fees.fee_line_id, moves.invoice_line_ids)
        for fee in fees:
            self.assertEqual(fee.fee_move_id.partner_id, fee.partner_id)
            self.assertEqual(fee.fee_line_id.name, fee._rsb_invoice_line_label())
            self.assertEqual(fee.fee_line_id.price_unit, fee.amount)
        self.assertEqual(run.line_ids.fee_move_ids, moves)
        self.assertFalse(self.Fee._rsb_invoice_pending(run=run), "nothing twice")

    def test_killed_half_way_rerun_makes_no_duplicates(self):
        """Batches commit one by one; a job killed in the middle of a batch (after its copies
        were inserted) leaves that batch undone, and the rerun invoices each fee once."""
        run, clients = self._run_with_fees(8, "kill")
        cr = self.env.cr
        link = self.Clone._rsb_link_invoices
        calls = []

        def killed(fee_model, links):
            calls.append(len(links))
            if len(calls) == 4:  # second batch: the prototype linked, then the copies
                raise KeyboardInterrupt
            return link(fee_model, links)

        cr.execute("SAVEPOINT rsb_fee_batch")
        # the job's commit is a savepoint here; the kill rolls back to the last one (not
        # assertRaises: it would roll back the whole job)
        killed_at = None
        with (
            patch.object(cr, "commit", lambda: cr.execute("SAVEPOINT rsb_fee_batch")),
            patch.object(self.Clone, "_rsb_link_invoices", killed),
        ):
            try:
                self.Fee._rsb_invoice_pending(run=run, batch_size=8, commit=True)
            except KeyboardInterrupt:
                killed_at = len(calls)
        self.assertEqual(killed_at, 4, "killed in the second batch, its copies inserted")
        cr.execute("ROLLBACK TO SAVEPOINT rsb_fee_batch")
        self.env.invalidate_all()
        fees = self.Fee.search([("run_id", "=", run.id)])
        done = fees.filtered("fee_move_id")
        self.assertEqual(len(done), 6, "the first batch (3 clients) is committed")
        moves, _copies = self._invoice(run)
        self.assertEqual(len(moves), 5, "the rerun invoices the other 5 clients")
        fees.invalidate_recordset()
        self.assertTrue(all(fees.mapped("fee_move_id")))
        all_moves = fees.fee_move_id
        self.assertEqual(len(all_moves), 8, "one fee invoice per client, none twice")
        self.assertEqual(all_moves.partner_id, clients)
        invoices = self.env["account.move"].search(
            [("partner_id", "in", clients.ids), ("rsb_dunning_fee", "=", True)]
        )
        self.assertEqual(invoices, all_moves, "no orphan fee invoice")
        self.assertEqual(len(set(invoices.mapped("name"))), 8)
        numbers = sorted(invoices.mapped("sequence_number"))
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 8)), "no gap")

    def test_queries_constant_per_batch(self):
        """Invoicing 8 alike clients costs as many queries as 4: the copies are set-based."""
        run, _clients = self._run_with_fees(4, "warm")
        self._invoice(run)  # caches, registry
        counts = []
        for count, tag in ((4, "small"), (8, "large")):
            run, _clients = self._run_with_fees(count, tag)
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            moves, copies = self._invoice(run)
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(copies[0]), count - 1)
        self.assertEqual(counts[0], counts[1], "queries of a batch do not grow with its invoices")
        self.assertLess(counts[0], 400)

    def test_orm_when_switched_off_small_group_unknown_module_or_hashed_journal(self):
        """No copies when the system parameter switches copying off, for fewer than three
        alike invoices, when a module the copying does not know is installed, or in a
        journal secured by hashes."""
        run, _clients = self._run_with_fees(2, "small")
        moves, copies = self._invoice(run)
        self.assertEqual(len(moves), 2)
        self.assertFalse(copies, "two alike invoices: both by the ORM")
        run, _clients = self._run_with_fees(4, "off")
        moves, copies = self._invoice(run, copy=False)
        self.assertEqual(len(moves), 4)
        self.assertFalse(copies)
        # a module the copying does not know overrides create/write/post, or computes a
        # stored field from the client: ORM
        for name, value in (
            ("CLONE_KNOWN_MODULES", {"account", "analytic", "remote_support_billing"}),
            ("CLONE_CLIENT_FIELDS", {"account.move": {"partner_id"}, "account.move.line": set()}),
        ):
            run, _clients = self._run_with_fees(4, f"guard {name}")
            with patch.object(rsb_move_clone, name, value):
                moves, copies = self._invoice(run)
            self.assertEqual(len(moves), 4)
            self.assertFalse(copies, name)
        self.sale_journal.restrict_mode_hash_table = True
        run, _clients = self._run_with_fees(4, "hash")
        moves, copies = self._invoice(run)
        self.assertEqual(len(moves), 4)
        self.assertFalse(copies)
        self.assertEqual(set(moves.mapped("state")), {"posted"})

    def test_failed_check_leaves_the_orm_to_make_them(self):
        """A copy that fails the check after insertion (e.g. unbalanced): none of the copies'
        rows stay, the ORM makes those invoices instead, every fee is invoiced once and the
        numbering has no gap; the job does not stop."""
        run, clients = self._run_with_fees(4, "check")

        def failing_check(clone_model, moves, prototype, line_map):
            raise UserError("copies differ")  # pylint: disable=translation-required

        with patch.object(type(self.env["rsb.move.clone"]), "_rsb_clone_check", failing_check):
            moves, copies = self._invoice(run)
        self.assertEqual(copies, [None], "the copies were rolled back")
        self.assertEqual(len(moves), 4)
        self.assertEqual(moves.partner_id, clients)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        invoices = self.env["account.move"].search(
            [("partner_id", "in", clients.ids), ("rsb_dunning_fee", "=", True)]
        )
        self.assertEqual(invoices, moves, "no orphan copy left")
        numbers = sorted(moves.mapped("sequence_number"))
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)), "no gap")
        fees = self.Fee.search([("run_id", "=", run.id)])
        self.assertEqual(fees.fee_move_id, moves)

    def test_paid_prototype_is_not_copied(self):
        """A prototype already matched (paid) is not a model for unpaid copies."""
        run, _clients = self._run_with_fees(4, "paid proto")
        self.env["ir.config_parameter"].sudo().set_param(CLONE_PARAM, "1")
        prototype = self.env["account.move"].search(
            [("state", "=", "posted"), ("move_type", "=", "out_invoice")], limit=1
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=prototype.ids
        ).create({"payment_date": self.TODAY}).action_create_payments()
        self.assertNotEqual(prototype.payment_state, "not_paid")
        self.assertIsNone(self.Fee._rsb_clone_fee_invoices(prototype, [object()]))

    def test_orm_for_taxed_fees(self):
        """Taxed fee lines are made by the ORM (tax amounts are not scaled from a
        prototype), with the right taxes."""
        tax = self.env["account.tax"].create(
            {"name": "Fee VAT 20", "amount": 20.0, "company_id": self.company.id}
        )
        self.env.ref("remote_support_billing.product_rsb_dunning_fee").taxes_id = [
            Command.set(tax.ids)
        ]
        run, _clients = self._run_with_fees(4, "tax")
        moves, copies = self._invoice(run)
        self.assertEqual(copies, [None], "the prototype is taxed: no copy")
        self.assertEqual(len(moves), 4)
        for move in moves:
            fees = self.Fee.search([("fee_move_id", "=", move.id)])
            self.assertAlmostEqual(move.amount_untaxed, sum(fees.mapped("amount")))
            self.assertAlmostEqual(move.amount_tax, round(move.amount_untaxed * 0.2, 2))
