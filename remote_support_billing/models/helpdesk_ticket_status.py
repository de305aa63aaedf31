"""A ticket's status at a glance: the client's billing banner, the warning when such a client is
chosen, and which billing buttons can succeed."""

from odoo import _, api, fields, models

from .helpdesk_ticket_deposit import DEPOSIT_STATES
from .res_partner_status import STATUS_LEVELS

# the deposit status as the form shows it: a paid deposit says whether the session is booked
DEPOSIT_DISPLAY_STATES = [
    (key, label) if key != "paid" else ("paid", "Paid - Ready to Schedule")
    for key, label in DEPOSIT_STATES
] + [("scheduled", "Paid - Session Scheduled")]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_client_status = fields.Text(
        string="Client Billing Status",
        compute="_compute_rsb_client_status",
    )
    rsb_client_status_level = fields.Selection(
        selection=STATUS_LEVELS,
        compute="_compute_rsb_client_status",
    )
    rsb_deposit_status = fields.Selection(
        selection=DEPOSIT_DISPLAY_STATES,
        string="Deposit and Session",
        compute="_compute_rsb_deposit_status",
        help="The deposit's status; a paid deposit says whether the session is booked.",
    )
    rsb_can_settle = fields.Boolean(
        string="Can Be Settled",
        compute="_compute_rsb_can_settle",
        compute_sudo=True,
        help="Time not settled yet is logged and no deposit request is waiting for payment.",
    )

    rsb_billed_hours = fields.Float(
        string="Billed Time",
        compute="_compute_rsb_billed",
        compute_sudo=True,
        help="Time charged by the posted settle-up invoices of this ticket (credit notes that "
        "reverse them deducted).",
    )
    rsb_billed_amount = fields.Monetary(
        string="Billed Amount",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_billed",
        compute_sudo=True,
        help="What the settle-up invoices charged for the time, before taxes and before the "
        "deposit was deducted.",
    )

    @api.depends_context("company")
    @api.depends("partner_id", "commercial_partner_id")
    def _compute_rsb_client_status(self):
        # one query for all the clients (their status reads what they owe in one batch)
        self.partner_id.commercial_partner_id.mapped("rsb_status_message")
        for ticket in self:
            client = ticket.partner_id.commercial_partner_id
            ticket.rsb_client_status = client.rsb_status_message
            ticket.rsb_client_status_level = client.rsb_status_level

    @api.depends("rsb_deposit_state", "rsb_session_event_id")
    def _compute_rsb_deposit_status(self):
        for ticket in self:
            state = ticket.rsb_deposit_state
            if state == "paid" and ticket.rsb_session_event_id:
                state = "scheduled"
            ticket.rsb_deposit_status = state

    @api.depends(
        "timesheet_ids.rsb_settlement_move_id",
        "rsb_deposit_unpaid",
        "rsb_settled",
    )
    def _compute_rsb_can_settle(self):
        # One search, whoever logged the time: `timesheet_ids` read by a technician holds only
        # the timesheets their record rules show, and that cached list would be used here.
        origin = self._origin
        lines_by_ticket = origin.sudo()._rsb_get_lines_to_settle() if origin else {}
        for ticket in self:
            unsettled = lines_by_ticket.get(ticket._origin)
            unpaid = ticket.rsb_currency_id.compare_amounts(ticket.rsb_deposit_unpaid, 0.0) > 0
            ticket.rsb_can_settle = bool(unsettled) and not unpaid

    @api.depends(
        "rsb_settlement_move_ids.state",
        "rsb_settlement_move_ids.invoice_line_ids.quantity",
        "rsb_settlement_move_ids.invoice_line_ids.price_subtotal",
    )
    def _compute_rsb_billed(self):
        hour = self.env.ref("uom.product_uom_hour")
        for ticket in self:
            hours = amount = 0.0
            moves = ticket.rsb_settlement_move_ids.filtered(
                lambda m: m.state == "posted" and m.move_type in ("out_invoice", "out_refund")
            )
            for line in moves.invoice_line_ids:
                if line.display_type != "product" or line.rsb_deposit_role:
                    continue  # deposits applied or returned are not billed time
                sign = -1 if line.move_id.move_type == "out_refund" else 1
                amount += sign * line.price_subtotal
                if line.product_uom_id.category_id == hour.category_id:
                    hours += sign * line.product_uom_id._compute_quantity(line.quantity, hour)
            ticket.rsb_billed_hours = hours
            ticket.rsb_billed_amount = ticket.rsb_currency_id.round(amount)

    @api.onchange("partner_id")
    def _onchange_rsb_partner_status(self):
        """Warn as soon as a client on credit hold or with overdue invoices is chosen."""
        client = self.partner_id.commercial_partner_id
        if client and client.rsb_status_level in ("danger", "warning"):
            return {
                "warning": {
                    "title": _("%s: billing status", client.display_name),
                    "message": client.rsb_status_message,
                }
            }
        return None
