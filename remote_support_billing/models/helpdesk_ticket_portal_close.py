"""A client closing (or cancelling) their ticket from the portal: what will happen is shown
before they confirm (with their reason), and then it happens: the session still to come is
cancelled (the session follows the gate), an unused deposit is returned per the policy
(refund, or credit kept; money out judged as the client: held for an accountant), an unpaid
request is cancelled, and the team is told."""

from odoo import _, fields, models
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_portal_close_consequences(self):
        """What closing this ticket from the portal does, in the client's words (shown on
        the confirmation). :return: [sentence]"""
        self.ensure_one()
        ticket = self.sudo()
        lines = []
        event = ticket.rsb_session_event_id
        if event and event.stop > fields.Datetime.now():
            lines.append(_("Your remote session of %s is cancelled.", event.display_time))
        if ticket.rsb_settled:
            return lines
        currency = ticket.rsb_currency_id
        if ticket._rsb_portal_close_has_time():
            lines.append(_("The time already spent on it is invoiced."))
        elif currency and currency.compare_amounts(ticket.rsb_deposit_available, 0.0) > 0:
            amount = format_amount(self.env, ticket.rsb_deposit_available, currency)
            if ticket._rsb_get_unused_deposit_policy() == "refund":
                lines.append(_("Your deposit of %s is refunded.", amount))
            else:
                lines.append(
                    _("Your deposit of %s is kept as credit for your next session.", amount)
                )
        if ticket.rsb_deposit_state == "requested":
            lines.append(_("The deposit request is cancelled: nothing is left to pay."))
        return lines

    def _rsb_portal_close_has_time(self):
        self.ensure_one()
        return bool(self.sudo()._rsb_get_lines_to_settle()[self].filtered("rsb_billable"))

    def _rsb_on_portal_close(self, reason, who):
        """After the client closed the ticket from the portal (the stage written; its
        session already cancelled by the gate): the deposit per policy when no time was
        spent (time spent is the team's settle-up, automatic if the team says so), and the
        team told with the client's reason. Called in sudo by the route.

        :param who: the portal user who closed it (res.users)"""
        self.ensure_one()
        reason = (reason or "").strip() or _("no reason given")
        notes = []
        if not self.rsb_settled and not self._rsb_portal_close_has_time():
            notes = self._rsb_release_deposit(_("closed by the client: %s", reason))
        summary = _("Closed by the client")
        note = _(
            "%(client)s closed the ticket from the portal. Reason: %(reason)s",
            client=who.partner_id.name,
            reason=reason,
        )
        if notes:
            self._rsb_post_list(note, notes)
        self._rsb_notify_team(summary, note)
