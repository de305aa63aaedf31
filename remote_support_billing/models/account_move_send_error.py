"""The send error of a deposit request or settle-up document, shown on the document and on
its ticket (see `account_move_send.py`)."""

from markupsafe import Markup

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    rsb_send_error = fields.Text(
        string="Send Error",
        readonly=True,
        copy=False,
        help="Why the last attempt to email this document to the client failed. Cleared "
        "when it is sent.",
    )

    def _rsb_send_tickets(self):
        """The tickets this document belongs to (deposit request or settle-up)."""
        return self.sudo().rsb_deposit_ticket_id | self.sudo().rsb_settlement_ticket_ids

    def _rsb_report_send_failure(self, errors):
        """A document of ours was not sent: `errors` {move id: reason}. The reason stays
        on the document; each ticket gets a note and an activity for its user (else the
        team leader) to fix it and resend."""
        for move in self:
            tickets = move._rsb_send_tickets()
            if not tickets:
                continue
            reason = errors[move.id]
            move.sudo().rsb_send_error = reason
            note = Markup("%s<br/>%s<br/>%s") % (
                self.env._("%s could not be sent to the client.", move.display_name),
                reason,
                self.env._(
                    'Fix the cause (e.g. the client\'s email address), then click "Resend".'
                ),
            )
            tickets.sudo()._rsb_notify_team(self.env._("Not sent: %s", move.display_name), note)

    def _rsb_notify_sent(self):
        """Sent after all (its error was cleared): the tickets are told."""
        for move in self:
            move._rsb_send_tickets().sudo().message_post(
                body=self.env._("%s was sent to the client.", move.display_name),
                subtype_xmlid="mail.mt_note",
            )
