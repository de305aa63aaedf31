"""A ticket whose deposit request or settle-up document could not be sent says so, and the
technician sends it again (Odoo's asynchronous Send, as the first time)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..feedback import notification


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_send_error = fields.Text(
        string="Documents Not Sent",
        compute="_compute_rsb_send_error",
        compute_sudo=True,
        help="The ticket's documents the client did not receive, and why.",
    )

    @api.depends("rsb_deposit_move_id.rsb_send_error", "rsb_settlement_move_ids.rsb_send_error")
    def _compute_rsb_send_error(self):
        for ticket in self:
            failed = ticket._rsb_unsent_documents()
            ticket.rsb_send_error = "\n".join(failed.mapped("rsb_send_error")) or False

    def _rsb_unsent_documents(self):
        self.ensure_one()
        return (self.sudo().rsb_deposit_move_id | self.sudo().rsb_settlement_move_ids).filtered(
            "rsb_send_error"
        )

    def _rsb_get_sending_values(self):
        """Queue the document for Odoo's Send even when the client has no email address:
        the Send then makes and attaches its PDF, and `account.move.send._hook_if_success`
        reports on the ticket that it could not be emailed (instead of nothing at all)."""
        values = super()._rsb_get_sending_values()
        if not values:
            values = {
                "sending_data": {
                    "author_user_id": self.env.user.id,
                    "author_partner_id": self.env.user.partner_id.id,
                }
            }
        return values

    def action_rsb_resend_documents(self):
        """Send again the ticket's documents that could not be sent, through Odoo's Send."""
        self.check_access("write")
        moves = self.env["account.move"].sudo()
        for ticket in self:
            moves |= ticket._rsb_unsent_documents()
        if not moves:
            raise UserError(self.env._("Every document of this ticket has been sent."))
        no_email = moves.filtered(lambda m: not m.partner_id.email)
        if no_email:
            raise UserError(
                self.env._(
                    "Add an email address to %(clients)s first, then resend.",
                    clients=", ".join(no_email.partner_id.mapped("display_name")),
                )
            )
        # The error stays until Odoo's Send sends it (`account.move.send._hook_if_success`).
        moves.write(
            {
                "sending_data": {
                    "author_user_id": self.env.user.id,
                    "author_partner_id": self.env.user.partner_id.id,
                },
            }
        )
        for ticket in self:
            ticket.message_post(
                body=self.env._(
                    "Sending again: %s.",
                    ", ".join(
                        moves.filtered(lambda m, t=ticket: t in m._rsb_send_tickets()).mapped(
                            "display_name"
                        )
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )
        self._rsb_trigger_sending()
        return notification(
            self.env._("Sending again"),
            self.env._("The documents are being sent in the background."),
        )
