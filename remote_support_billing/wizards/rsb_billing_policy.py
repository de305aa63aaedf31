"""The helpdesk manager's billing policy (issue 24): the company's settings that decide how
tickets are billed (unused deposits, trust), on *Helpdesk > Configuration > Billing Policy*.
Odoo's Settings page needs the system administrator; these few settings belong to the manager
the README names, so this form writes exactly them on the current company, and nothing else.
The accounting settings (accounts, taxes, dunning) stay in Settings."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

POLICY_FIELDS = ("rsb_unused_deposit_policy", "rsb_trust_overdue_days", "rsb_trust_propose_after")


class RsbBillingPolicy(models.TransientModel):
    _name = "rsb.billing.policy"
    _description = "Billing Policy"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    rsb_unused_deposit_policy = fields.Selection(
        selection=lambda self: self.env["res.company"]
        ._fields["rsb_unused_deposit_policy"]
        ._description_selection(self.env),
        string="Unused Deposit",
        required=True,
        help="What the settle-up does with the part of a deposit the time did not use.",
    )
    rsb_trust_overdue_days = fields.Integer(
        string="Revoke Trust After (days overdue)",
        help="A trusted repeat client with an invoice overdue by more than this many days "
        "is switched to prepayment automatically. 0 disables the rule.",
    )
    rsb_trust_propose_after = fields.Integer(
        string="Propose Trust After (tickets paid on time)",
        help="When a client has paid this many settled tickets on time, an activity asks a "
        "manager to consider trusting them. 0 disables the proposal; trust is never granted "
        "automatically.",
    )

    @api.model
    def _rsb_check_manager(self):
        user = self.env.user
        if not (
            user.has_group("helpdesk_mgmt.group_helpdesk_manager")
            or user.has_group("base.group_system")
        ):
            raise AccessError(_("Only a helpdesk manager sets the billing policy."))

    @api.model
    def default_get(self, fields_list):
        self._rsb_check_manager()
        values = super().default_get(fields_list)
        company = self.env.company
        values.update({name: company[name] for name in POLICY_FIELDS if name in fields_list})
        return values

    @api.constrains("rsb_trust_overdue_days", "rsb_trust_propose_after")
    def _check_rsb_days(self):
        for policy in self:
            if policy.rsb_trust_overdue_days < 0 or policy.rsb_trust_propose_after < 0:
                raise ValidationError(
                    _("The days overdue and the number of tickets cannot be negative.")
                )

    def action_save(self):
        """Write the policy on the company (the manager may not write companies: sudo, for
        these fields only, after the group check)."""
        self.ensure_one()
        self._rsb_check_manager()
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(_("You do not work for %s.", self.company_id.name))
        self.company_id.sudo().write({name: self[name] for name in POLICY_FIELDS})
        return {"type": "ir.actions.act_window_close"}
