"""Dunning run lines: one client of a run, the level reached, its invoices and what was done
for it (the actions themselves: rsb_dunning_run_line_actions.py)."""

from datetime import timedelta

from odoo import api, fields, models

from .account_move import PAUSE_REASONS

LINE_STATES = [
    ("to_do", "To Do"),
    ("paused", "Paused"),
    ("done", "Done"),
    ("skipped", "Skipped"),
]


class RsbDunningRunLine(models.Model):
    """One client of a dunning run: the level reached (the highest of their invoices that
    reached a new level), all their overdue invoices, the fee and the actions. The client
    gets one communication per run."""

    _name = "rsb.dunning.run.line"
    _description = "Dunning Run Line"
    _order = "run_id desc, amount_due desc, id"
    _rec_name = "partner_id"

    run_id = fields.Many2one("rsb.dunning.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    date = fields.Date(related="run_id.date")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    level_id = fields.Many2one("rsb.dunning.level", required=True, ondelete="restrict")
    move_ids = fields.Many2many(
        "account.move",
        "rsb_dunning_run_line_move_rel",
        "line_id",
        "move_id",
        string="Overdue Invoices",
        help="All the client's overdue invoices, listed in the communication.",
    )
    paused_move_ids = fields.Many2many(
        "account.move",
        "rsb_dunning_run_line_paused_move_rel",
        "line_id",
        "move_id",
        string="Paused Invoices",
    )
    amount_due = fields.Monetary(currency_field="currency_id", string="Overdue Amount")
    fee_amount = fields.Monetary(currency_field="currency_id", string="Late Fee")
    days_late = fields.Integer(string="Days Overdue", help="Of the oldest listed invoice.")
    deadline = fields.Date(compute="_compute_deadline", help="Pay-by date of a formal letter.")
    state = fields.Selection(LINE_STATES, default="to_do", required=True, index=True)
    pause_reason = fields.Selection(PAUSE_REASONS)
    actions = fields.Char(help="What the level does (preview).")
    result = fields.Text(help="What was done.")
    letter_id = fields.Many2one("rsb.dunning.letter", string="Letter", readonly=True)
    writeoff_proposed = fields.Boolean(
        readonly=True, help="Below the collections threshold: a write-off is proposed."
    )

    @api.depends("run_id.date", "level_id.letter_deadline_days")
    def _compute_deadline(self):
        for line in self:
            line.deadline = line.run_id.date and line.run_id.date + timedelta(
                days=line.level_id.letter_deadline_days
            )

    # ------------------------------------------------------------------ actions
    def action_rsb_writeoff(self):
        self.ensure_one()
        return self.partner_id.action_rsb_writeoff()

    # ------------------------------------------------------------------ business
    def _rsb_ensure_access_tokens(self):
        """Give the listed invoices their portal access token (Odoo's own
        `_portal_ensure_token`) before the email's pay links are rendered."""
        for move in self.move_ids.sudo().filtered(lambda m: not m.access_token):
            move._portal_ensure_token()

    def _rsb_invoice_pdf_attachments(self):
        """One PDF attachment per listed invoice (on the invoice)."""
        attachments = self.env["ir.attachment"]
        Report = self.env["ir.actions.report"]
        for move in self.move_ids:
            if move.invoice_pdf_report_id:
                content = move.invoice_pdf_report_id.raw
            else:
                content, _type = Report._render_qweb_pdf("account.account_invoices", move.ids)
            attachments |= attachments.create(
                {
                    "name": move._get_invoice_report_filename(),
                    "raw": content,
                    "res_model": "account.move",
                    "res_id": move.id,
                    "mimetype": "application/pdf",
                }
            )
        return attachments
