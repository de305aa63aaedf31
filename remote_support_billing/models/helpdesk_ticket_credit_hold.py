"""Credit hold on tickets: no new ticket and no ticket scheduled for a client on credit hold
(paying is never blocked)."""

from odoo import _, api, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ credit hold
    def _rsb_check_credit_hold(self, moving=False, stage=None):
        """No new ticket, and no ticket moved to an open stage (`stage`, else its own), for a
        client on credit hold in the ticket's company."""
        held = self.filtered(lambda t: t._rsb_client().rsb_credit_hold)
        if moving:
            held = held.filtered(lambda t: not (stage or t.stage_id).closed)
        if held:
            raise UserError(self._rsb_credit_hold_message(held.commercial_partner_id[:1]))

    @api.model
    def _rsb_credit_hold_message(self, partner):
        return _(
            "%s is on credit hold: no new ticket can be created or scheduled until the "
            "overdue invoices are paid. The client can pay them in the portal; an accountant "
            "or helpdesk manager can lift the hold.",
            partner.sudo().display_name,
        )
