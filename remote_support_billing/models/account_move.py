from odoo import fields, models


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
        selection=[
            ("dispute", "Dispute"),
            ("promise", "Promised Payment"),
            ("bankruptcy", "Bankruptcy"),
            ("payment_plan", "Payment Plan"),
            ("other", "Other"),
        ],
        string="Dunning Paused",
        tracking=True,
        copy=False,
    )
    rsb_dunning_pause_until = fields.Date(string="Paused Until", tracking=True, copy=False)
    rsb_dunning_pause_note = fields.Char(string="Pause Note", tracking=True, copy=False)
