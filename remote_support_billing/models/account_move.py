from odoo import _, fields, models
from odoo.exceptions import UserError

# Why dunning is paused on an invoice or a client (shared by the pause wizard and the runs).
PAUSE_REASONS = [
    ("dispute", "Dispute"),
    ("promise", "Promised Payment"),
    ("bankruptcy", "Bankruptcy"),
    ("payment_plan", "Payment Plan"),
    ("other", "Other"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    rsb_deposit_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Deposit of Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket whose deposit this invoice requests.",
    )
    # Inverse of helpdesk.ticket.rsb_deposit_move_id: the ORM reads it (once per move) to
    # recompute the tickets' deposit state instead of searching tickets for every journal
    # item written on any invoice.
    rsb_deposit_request_ticket_ids = fields.One2many(
        comodel_name="helpdesk.ticket",
        inverse_name="rsb_deposit_move_id",
        string="Deposit Requested By",
        readonly=True,
    )
    rsb_settlement_ticket_ids = fields.Many2many(
        comodel_name="helpdesk.ticket",
        relation="rsb_ticket_settlement_move_rel",
        column1="move_id",
        column2="ticket_id",
        string="Settled Tickets",
        readonly=True,
        copy=False,
    )

    # Dunning pause (dispute, promised payment, bankruptcy, payment plan): paused invoices
    # are skipped by dunning runs until the date, and shown as paused.
    rsb_dunning_pause_reason = fields.Selection(
        selection=PAUSE_REASONS,
        string="Dunning Paused",
        tracking=True,
        copy=False,
    )
    rsb_dunning_pause_until = fields.Date(string="Paused Until", tracking=True, copy=False)
    rsb_dunning_pause_note = fields.Char(string="Pause Note", tracking=True, copy=False)

    # Dunning (rsb.dunning.run): the level the invoice reached and when.
    rsb_dunning_level_id = fields.Many2one(
        comodel_name="rsb.dunning.level",
        string="Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    rsb_dunning_date = fields.Date(string="Dunning Date", readonly=True, copy=False)
    rsb_dunning_history_ids = fields.One2many(
        "rsb.dunning.history", "move_id", string="Dunning History", readonly=True
    )
    rsb_dunning_fee = fields.Boolean(
        string="Late Fee Invoice",
        readonly=True,
        copy=False,
        help="This invoice charges dunning late fees (no fee is charged on it).",
    )

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        deposits = self.filtered(lambda m: m.rsb_deposit_ticket_id and m.move_type == "out_invoice")
        deposits.rsb_deposit_ticket_id.sudo()._rsb_on_deposit_paid()
        today = fields.Date.context_today(self)
        on_time = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.rsb_settlement_ticket_ids
            and (m.invoice_date_due or today) >= today
        )
        if on_time:
            on_time.rsb_settlement_ticket_ids.sudo().rsb_paid_on_time = True
            on_time.commercial_partner_id._rsb_propose_trust()
        # A client on credit hold who paid their overdue balance gets the hold lifted.
        partners = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.commercial_partner_id.rsb_credit_hold
        ).commercial_partner_id
        if partners:
            partners._rsb_lift_paid_credit_holds()
        return res

    def _rsb_check_deposit_payable(self):
        """Refuse to start a payment of a deposit that is not (or no longer) due, or whose
        client has not accepted the current client agreement."""
        for move in self.filtered("rsb_deposit_ticket_id"):
            if move.state != "posted":
                raise UserError(_("This deposit request was cancelled: there is nothing to pay."))
            if move.payment_state in ("paid", "in_payment") or move.currency_id.is_zero(
                move.amount_residual
            ):
                raise UserError(_("This deposit is already paid."))
            if not move.commercial_partner_id.with_company(move.company_id).rsb_agreement_accepted:
                raise UserError(
                    _("Accept the client agreement on the ticket page before paying the deposit.")
                )

    def action_rsb_pause_dunning(self):
        return self.env["rsb.dunning.pause.wizard"]._rsb_action_open(self)
