"""The 18.0.1.2.0 migration: the open deposit requests of a database installed before (posted
as receivables when asked) become drafts, booked when paid; anything money arrived on, or in a
locked period, stays as it is; a second run changes nothing. Then 18.0.1.3.0: what was left
posted has its unpaid part cancelled and is asked again by a draft request."""

from datetime import timedelta

from odoo import fields
from odoo.modules.migration import load_script
from odoo.tests import tagged

from .lifecycle_common import LifecycleCase

MIGRATION = "remote_support_billing/migrations/18.0.1.2.0/post-migrate.py"
MIGRATION_NEXT = "remote_support_billing/migrations/18.0.1.3.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestDraftRequestMigration(LifecycleCase):
    def _old_request(self, partner, when=None):
        """A request as the addon before 18.0.1.2.0 booked it: posted when asked."""
        ticket = self._create_ticket(partner)
        deposit = self._request(ticket)
        deposit.invoice_date = when or fields.Date.context_today(deposit)
        deposit.action_post()
        self.assertEqual(deposit.payment_state, "not_paid")
        return ticket, deposit

    def _migrate(self):
        load_script(MIGRATION, "post_migrate").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()

    def test_open_requests_become_drafts_once(self):
        open_ticket, open_request = self._old_request(self.client_a)
        number = open_request.name
        part_ticket, part_paid = self._old_request(self.client_b)
        self._pay_invoice(part_paid, 50.0)
        _, old = self._old_request(self.client_a, fields.Date.today() - timedelta(days=60))
        self.env.company.fiscalyear_lock_date = fields.Date.today() - timedelta(days=30)
        receivable_before = self.client_a.credit

        self._migrate()

        self.assertEqual(open_request.state, "draft")
        self.assertFalse(open_request.invoice_date, "dated the day the client pays")
        self.assertEqual(open_request.name, number, "the number issued is kept")
        self.assertIn("Reset to draft by the upgrade", open_request.message_ids[0].body)
        self.assertEqual(open_ticket.rsb_deposit_state, "requested")
        self.assertAlmostEqual(open_ticket.rsb_deposit_unpaid, 129.0)
        self.assertAlmostEqual(open_ticket.rsb_deposit_held, 0.0)
        self.assertAlmostEqual(self.client_a.credit, receivable_before - 129.0)
        # money arrived on it: stays posted, as the books say
        self.assertEqual(part_paid.state, "posted")
        self.assertEqual(part_paid.payment_state, "partial")
        # in a locked period: Odoo's lock applies, the request stays posted
        self.assertEqual(old.state, "posted")
        self._assert_books(open_ticket)  # part_ticket: 18.0.1.3.0 (the test below)

        messages = len(open_request.message_ids)
        self._migrate()
        self.assertEqual(open_request.state, "draft")
        self.assertEqual(len(open_request.message_ids), messages, "a second run changes nothing")

        # the reset request is paid as any open request: posted that day, then held
        self._pay_invoice(open_request)
        self.assertEqual(open_request.state, "posted")
        self.assertEqual(open_request.invoice_date, fields.Date.context_today(open_request))
        self.assertEqual(open_ticket.rsb_deposit_state, "paid")
        self._assert_books(open_ticket)

    def test_requests_left_posted_are_not_receivables_after_18_0_1_3_0(self):
        """What 18.0.1.2.0 had to leave posted (paid in part; in a locked period): 18.0.1.3.0
        cancels the unpaid part by a credit note dated today and asks for it again by a
        draft request, so no request is on the receivable."""
        part_ticket, part_paid = self._old_request(self.client_b)
        self._pay_invoice(part_paid, 50.0)
        old_ticket, old = self._old_request(self.client_a, fields.Date.today() - timedelta(days=60))
        self.env.company.fiscalyear_lock_date = fields.Date.today() - timedelta(days=30)
        self._migrate()
        self.assertEqual((part_paid | old).mapped("state"), ["posted", "posted"])

        load_script(MIGRATION_NEXT, "post_migrate").migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()

        for ticket, move, paid in ((part_ticket, part_paid, 50.0), (old_ticket, old, 0.0)):
            with self.subTest(move=move.name):
                self.assertEqual(move.payment_state, "paid" if paid else "reversed")
                self.assertAlmostEqual(move.amount_residual, 0.0, msg="nothing left to pay")
                rest = ticket.rsb_deposit_move_id
                self.assertEqual(rest.state, "draft", "the rest asked again, not booked")
                self.assertAlmostEqual(rest.amount_total, 129.0 - paid)
                self.assertAlmostEqual(ticket.rsb_deposit_held, paid)
                self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 129.0 - paid)
                self.assertEqual(ticket.rsb_deposit_state, "requested")
                self.assertIn("Upgrade", move.message_ids[0].body)
        credit_notes = self.env["account.move"].search(
            [("reversed_entry_id", "in", (part_paid | old).ids)]
        )
        self.assertEqual(len(credit_notes), 2)
        self.assertTrue(
            all(cn.date > self.env.company.fiscalyear_lock_date for cn in credit_notes),
            "the locked period is not touched",
        )
        # nothing of either client is owed: the requests are not receivables any more
        position = (self.client_a | self.client_b)._rsb_get_receivable_position()
        self.assertFalse(position, "no debt left")
        self._assert_books(part_ticket | old_ticket)

        messages = len(part_paid.message_ids)
        load_script(MIGRATION_NEXT, "post_migrate").migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(len(part_paid.message_ids), messages, "a second run changes nothing")
        self.assertEqual(
            self.env["account.move"].search_count(
                [("reversed_entry_id", "in", (part_paid | old).ids)]
            ),
            2,
        )
