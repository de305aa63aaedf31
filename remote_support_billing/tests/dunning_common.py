from datetime import date, timedelta

from odoo import Command

from .common import RSBCommon


class RSBDunningCommon(RSBCommon):
    """Dunning tests: the company's default ladder (data), invoices with chosen due dates,
    runs executed as the accountant."""

    TODAY = date(2026, 3, 2)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Level = cls.env["rsb.dunning.level"]
        cls.levels = cls.Level.search([("company_id", "=", cls.company.id)])
        if not cls.levels:
            cls.levels = cls.Level._rsb_create_default_levels(cls.company)
        cls.level_by_days = {level.days: level for level in cls.levels}
        cls.company.rsb_collections_threshold = 500.0
        cls.account_manager = cls.env["res.users"].create(
            {
                "name": "Mona Account Manager",
                "login": "rsb-account-manager",
                "email": "mona@example.com",
                "groups_id": [Command.set([cls.env.ref("account.group_account_manager").id])],
            }
        )
        for client in (cls.client_a, cls.client_b, cls.client_trusted):
            client.mobile = "+1 555 0100"
        cls.mail_queue_before = set()

    @classmethod
    def _create_invoice(cls, partner, amount, due, invoice_date=None, post=True):
        """A customer invoice of `amount` (no tax) due on `due`."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": cls.sale_journal.id,
                "invoice_date": invoice_date or due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product_hour.id,
                            "quantity": 1.0,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
            # Posting recomputes the due date from the (empty) payment term: keep ours.
            move.invoice_date_due = due
        return move

    def _run(self, run_date=None, user=None, execute=True):
        run = (
            self.env["rsb.dunning.run"]
            .with_user(user or self.accountant)
            .create({"date": run_date or self.TODAY})
        )
        run.action_preview()
        if execute:
            run.action_execute()
        return run

    def _line(self, run, partner):
        return run.line_ids.filtered(lambda line: line.partner_id == partner)

    def _partner_mails(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
