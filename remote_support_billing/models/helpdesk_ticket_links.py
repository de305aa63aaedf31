"""Links from a ticket to its billing documents: smart buttons to the deposit and the
settle-up invoices (for the accounting users), and the client's pay link, which a technician
without accounting access may copy and hand to the client."""

from odoo import _, api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_pay_url = fields.Char(
        string="Pay Link",
        compute="_compute_rsb_pay_url",
        compute_sudo=True,
        help="The portal page where the client pays what this ticket still asks: the deposit "
        "(the ticket's page, with the agreement), else the open settle-up invoice.",
    )
    rsb_settlement_count = fields.Integer(
        string="Settle-up Documents",
        compute="_compute_rsb_pay_url",
        compute_sudo=True,
    )

    @api.depends("rsb_deposit_unpaid", "rsb_settled", "rsb_pay_now_state")
    def _compute_rsb_pay_url(self):
        for ticket in self:
            sudo_ticket = ticket.sudo()
            moves = sudo_ticket.rsb_settlement_move_ids
            ticket.rsb_settlement_count = len(moves)
            url = False
            if not ticket.id or not ticket.partner_id:
                pass
            elif sudo_ticket._rsb_pay_now_open():
                url = sudo_ticket.rsb_pay_now_url
            elif ticket.rsb_currency_id.compare_amounts(ticket.rsb_deposit_unpaid, 0.0) > 0:
                url = self._rsb_portal_link(sudo_ticket)
            else:
                invoice = moves.filtered(
                    lambda m: m.move_type == "out_invoice"
                    and m.state == "posted"
                    and m.payment_state in ("not_paid", "partial")
                )[:1]
                if invoice:
                    url = self._rsb_portal_link(invoice)
            ticket.rsb_pay_url = url

    @api.model
    def _rsb_portal_link(self, record):
        """The record's portal page with its access token when it has one (the emails gave
        it one; a compute writes none): the client opens it without logging in."""
        url = record.get_base_url() + record.access_url
        if record.access_token:
            url += f"?access_token={record.access_token}"
        return url

    def action_rsb_view_settlement_moves(self):
        self.ensure_one()
        moves = self.rsb_settlement_move_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "name": _("Settle-up of %s", self.display_name),
                "domain": [("id", "in", moves.ids)],
                "context": {"create": False},
            }
        )
        if len(moves) == 1:
            action.update({"res_id": moves.id, "views": [(False, "form")]})
        return action
