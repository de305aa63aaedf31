"""Stages that require a paid deposit before a ticket may enter them (the gate)."""

from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    rsb_requires_deposit = fields.Boolean(
        string="Requires Deposit",
        help="A ticket of a client who must prepay can enter this stage only once its "
        "deposit is paid (or a helpdesk manager waived it with a reason).",
    )
