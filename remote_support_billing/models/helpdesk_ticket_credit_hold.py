"""Credit hold on tickets: a client on credit hold calling in can be logged as a ticket by the
staff (in the team's first stage), but no ticket of theirs is scheduled or moved to work until
the hold is lifted, or a helpdesk manager overrides it for that ticket with a reason (paying
is never blocked)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_credit_hold_override = fields.Boolean(
        string="Credit Hold Overridden",
        readonly=True,
        copy=False,
        help="A helpdesk manager let this ticket be worked on and scheduled although its "
        "client is on credit hold (the reason is in the chatter).",
    )
    rsb_credit_hold_blocked = fields.Boolean(
        string="Blocked by Credit Hold",
        compute="_compute_rsb_credit_hold_blocked",
        help="The client is on credit hold and no manager overrode it for this ticket.",
    )
    rsb_credit_hold_note = fields.Char(
        string="Credit Hold",
        compute="_compute_rsb_credit_hold_blocked",
        help="Why this ticket cannot be scheduled.",
    )

    @api.depends("commercial_partner_id.rsb_credit_hold", "rsb_credit_hold_override", "company_id")
    def _compute_rsb_credit_hold_blocked(self):
        for ticket in self:
            client = ticket._rsb_client() if ticket.commercial_partner_id else None
            blocked = bool(
                client and client.rsb_credit_hold and not ticket.rsb_credit_hold_override
            )
            ticket.rsb_credit_hold_blocked = blocked
            ticket.rsb_credit_hold_note = (
                ticket._rsb_credit_hold_message(client) if blocked else False
            )

    # ------------------------------------------------------------------ actions
    def action_rsb_override_credit_hold(self):
        """The helpdesk manager's override, with a reason (wizard)."""
        self._rsb_check_manager_access(
            _("Only a helpdesk manager can override a client's credit hold for a ticket.")
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Credit Hold"),
            "res_model": "rsb.deposit.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids, "default_mode": "override_hold"},
        }

    # ------------------------------------------------------------------ credit hold
    def _rsb_check_credit_hold(self, moving=False, stage=None):
        """For a client on credit hold in the ticket's company (and no manager override on
        the ticket): on creation, a ticket is logged only by the staff and only in its team's
        first stage (`_rsb_is_intake_stage`); a ticket is not moved to an open stage
        (`stage`, else its own)."""
        held = self.filtered(
            lambda t: t._rsb_client().rsb_credit_hold and not t.rsb_credit_hold_override
        )
        if moving:
            held = held.filtered(lambda t: not (stage or t.stage_id).closed)
        elif not self.env.user.share:
            # logging a call is allowed (scheduling it is not)
            held = held.filtered(lambda t: not t._rsb_is_intake_stage(t.stage_id))
        if held:
            raise UserError(self._rsb_credit_hold_message(held.commercial_partner_id[:1]))

    def _rsb_is_intake_stage(self, stage):
        """The stage a new ticket of the team starts in (or a closed one): no work yet."""
        self.ensure_one()
        return stage.closed or stage == self.team_id._get_applicable_stages()[:1]

    def _rsb_override_credit_hold(self, reason):
        """A helpdesk manager lets these tickets be worked on and scheduled despite the
        client's credit hold; the reason is posted on each ticket."""
        self._rsb_check_manager_access(
            _("Only a helpdesk manager can override a client's credit hold for a ticket.")
        )
        if not (reason or "").strip():
            raise UserError(_("Give the reason for overriding the credit hold."))
        tickets = self.filtered(lambda t: not t.rsb_credit_hold_override)
        tickets.sudo().rsb_credit_hold_override = True
        for ticket in tickets:
            ticket.message_post(
                body=_(
                    "Credit hold of %(client)s overridden for this ticket by %(user)s. "
                    "Reason: %(reason)s",
                    client=ticket.commercial_partner_id.display_name,
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return tickets

    @api.model
    def _rsb_credit_hold_message(self, partner):
        return _(
            "%s is on credit hold: no ticket of theirs can be scheduled or worked on until "
            "the overdue invoices are paid (the staff can still log a call). The client can "
            "pay them in the portal; an "
            "accountant or helpdesk manager can lift the hold, or a helpdesk manager can "
            "override it for this ticket with a reason.",
            partner.sudo().display_name,
        )
