"""The 18.0.1.1.0 migration tags the deposit items of a database installed before the deposit
ledger (untagged here by SQL) exactly as the ledger tags them, and a second run changes nothing."""

from odoo.fields import Command
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools import SQL

from .lifecycle_common import LifecycleCase

MIGRATION = "remote_support_billing/migrations/18.0.1.1.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestLedgerMigration(LifecycleCase):
    def _tags(self):
        lines = self.env["account.move.line"].search([("rsb_deposit_role", "!=", False)])
        return {line.id: (line.rsb_deposit_ticket_id.id, line.rsb_deposit_role) for line in lines}

    def _as_before_the_ledger(self, tickets):
        """What a database installed before the ledger holds: no tag on any journal item, a
        stored deposit state computed by the old code."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE account_move_line
                      SET rsb_deposit_ticket_id = NULL, rsb_deposit_role = NULL
                    WHERE rsb_deposit_ticket_id IS NOT NULL"""
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET rsb_deposit_state = 'to_request' WHERE id IN %s",
                tuple(tickets.ids),
            )
        )
        self.env.invalidate_all()

    def test_migration_tags_deposits_of_an_old_database_once(self):
        # settled: requested, applied, the unused part returned as credit
        settled = self._create_ticket(self.client_a)
        self._pay_invoice(self._request(settled))
        self._log_time(settled, 60)
        self._settle(settled)
        # a paid request reversed (the client's credit)
        reversed_request = self._create_ticket(self.client_a)
        deposit = self._request(reversed_request)
        self._pay_invoice(deposit)
        deposit._reverse_moves().action_post()
        # a settle-up reversed: the deposit is held again
        reopened = self._create_ticket(self.client_b)
        self._pay_invoice(self._request(reopened))
        self._log_time(reopened, 200)
        self._settle(reopened)
        reopened.rsb_settlement_move_ids._reverse_moves().action_post()
        # an unpaid request
        unpaid = self._create_ticket(self.client_b)
        self._request(unpaid)
        # an invoice on a current liability account that is no deposit of a ticket
        advances = self.env["account.account"].create(
            {"name": "Other advances", "code": "219998", "account_type": "liability_current"}
        )
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Advance", "price_unit": 10.0, "account_id": advances.id}
                    )
                ],
            }
        )
        other.action_post()

        tickets = settled | reversed_request | reopened | unpaid
        tags = self._tags()
        self.assertEqual(
            sorted({role for _ticket, role in tags.values()}), ["apply", "request", "return"]
        )
        figures = tickets._rsb_get_deposit_figures()
        states = {ticket: ticket.rsb_deposit_state for ticket in tickets}
        self.assertEqual(
            list(states.values()), ["settled", "cancelled", "paid", "requested"], "the story"
        )

        self._as_before_the_ledger(tickets)
        self.assertFalse(self._tags())
        self.assertEqual(tickets._rsb_get_deposit_figures()[settled.id]["received"], 0.0)

        migration = load_script(MIGRATION, "rsb_post_migrate_18_0_1_1_0")
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(self._tags(), tags, "tagged as the ledger tags them")
        self.assertEqual(tickets._rsb_get_deposit_figures(), figures)
        self.assertEqual({ticket: ticket.rsb_deposit_state for ticket in tickets}, states)
        self.assertFalse(other.line_ids.filtered("rsb_deposit_ticket_id"))
        self._assert_books(tickets)

        self.assertEqual(migration.tag_deposit_lines(self.env.cr), set(), "idempotent")
        self.env.invalidate_all()
        self.assertEqual(self._tags(), tags)

    def test_migration_on_a_new_install_does_nothing(self):
        migration = load_script(MIGRATION, "rsb_post_migrate_18_0_1_1_0")
        ticket = self._create_ticket(self.client_a)
        self._request(ticket)
        tags = self._tags()
        migration.migrate(self.env.cr, None)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(self._tags(), tags)
