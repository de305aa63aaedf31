"""Credit hold of a client, per company: placed by dunning, lifted when nothing is overdue or by
a manager. The hold is company-dependent: these methods act in the current company
(`with_company`)."""

from markupsafe import escape

from odoo import _, api, models


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_place_credit_hold(self, reason):
        """Put these clients on credit hold (no new work), with the reason in the chatter.

        The caller decided it (dunning: only clients who owe something overdue, credits
        netted, reach a level), so the write is done in sudo."""
        partners = self.commercial_partner_id.filtered(lambda p: not p.rsb_credit_hold).sudo()
        partners.write({"rsb_credit_hold": True})
        # one note per client, in one batch (dunning places many holds at once)
        body = escape(
            _("Credit hold: no new ticket until the overdue balance is paid. Reason: %s", reason)
        )
        partners._message_log_batch(dict.fromkeys(partners.ids, body))
        # no new work: their sessions still to come are cancelled (the session follows the
        # gate), in the hold's company
        if partners:
            self.env["helpdesk.ticket"].sudo().search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("rsb_session_event_id", "!=", False),
                    ("company_id", "=", self.env.company.id),
                ]
            )._rsb_sessions_follow_gate()
        return partners

    def _rsb_lift_credit_hold(self, reason):
        """Lift the credit hold with the reason, posted in the chatter. The caller checked
        that the user may (wizard: helpdesk manager or accountant; payment hook: automatic)."""
        partners = self.commercial_partner_id.filtered("rsb_credit_hold").sudo()
        partners.write({"rsb_credit_hold": False})
        for partner in partners:
            partner.message_post(
                body=_("Credit hold lifted. Reason: %s", reason), subtype_xmlid="mail.mt_note"
            )
        return partners

    @api.model
    def _rsb_lift_paid_credit_holds(self, companies=None):
        """In each company (`companies`, default all), lift the hold of clients (these, or
        all on hold there) who owe that company nothing overdue any more
        (`_rsb_get_receivable_position`: deposit requests excluded, credits netted)."""
        lifted = self.browse()
        for company in companies or self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            partners = (
                self.with_company(company)
                if self
                else self.sudo().with_company(company).search([("rsb_credit_hold", "=", True)])
            )
            partners = partners.commercial_partner_id.filtered("rsb_credit_hold")
            if not partners:
                continue
            positions = partners._rsb_get_receivable_position(company)
            paid = partners.filtered(
                lambda p, positions=positions, company=company: company.currency_id.compare_amounts(
                    positions.get(p.id, {}).get("overdue", 0.0), 0.0
                )
                <= 0
            )
            lifted |= paid._rsb_lift_credit_hold(_("the overdue balance is paid"))
        return lifted

    def action_rsb_lift_credit_hold(self):
        return self.env["rsb.credit.hold.lift.wizard"]._rsb_action_open(self)
