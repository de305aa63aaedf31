"""Credit hold of a client: placed by dunning, lifted when nothing is overdue or by a manager."""

from odoo import _, api, models


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_place_credit_hold(self, reason):
        """Put these clients on credit hold (no new work), with the reason in the chatter.

        The caller decided it (dunning: only clients who owe something overdue, credits
        netted, reach a level), so the write is done in sudo."""
        partners = self.commercial_partner_id.filtered(lambda p: not p.rsb_credit_hold).sudo()
        partners.write({"rsb_credit_hold": True})
        # one batched create of the notes: dunning places many holds at once
        body = _("Credit hold: no new ticket until the overdue balance is paid. Reason: %s", reason)
        partners._message_log_batch(dict.fromkeys(partners.ids, body))
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
    def _rsb_lift_paid_credit_holds(self):
        """Lift the hold of clients (these, or all on hold) who owe nothing overdue any more
        in any company (`_rsb_get_receivable_position`: deposit requests excluded, credits
        netted)."""
        partners = self or self.sudo().search([("rsb_credit_hold", "=", True)])
        partners = partners.commercial_partner_id.filtered("rsb_credit_hold")
        if not partners:
            return partners
        # the companies where they have open receivable items, then what they owe in each
        companies = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["company_id"],
            )
        )
        still_owing = set()
        for (company,) in companies:
            positions = partners._rsb_get_receivable_position(company)
            still_owing.update(
                partner_id
                for partner_id, position in positions.items()
                if company.currency_id.compare_amounts(position["overdue"], 0.0) > 0
            )
        paid = partners.filtered(lambda p: p.id not in still_owing)
        return paid._rsb_lift_credit_hold(_("the overdue balance is paid"))

    def action_rsb_lift_credit_hold(self):
        return self.env["rsb.credit.hold.lift.wizard"]._rsb_action_open(self)
