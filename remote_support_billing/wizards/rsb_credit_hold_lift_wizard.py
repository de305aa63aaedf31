"""Wizard: a helpdesk manager or an accountant lifts a client's credit hold, with a reason."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RsbCreditHoldLiftWizard(models.TransientModel):
    """A helpdesk manager or an accountant lifts a client's credit hold, with a reason."""

    _name = "rsb.credit.hold.lift.wizard"
    _description = "Lift Credit Hold"

    partner_ids = fields.Many2many("res.partner", string="Clients", required=True)
    reason = fields.Char(required=True)

    @api.model
    def _rsb_action_open(self, partners):
        return {
            "type": "ir.actions.act_window",
            "name": _("Lift Credit Hold"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": partners.commercial_partner_id.ids},
        }

    def action_lift(self):
        self.ensure_one()
        partners = self.partner_ids.commercial_partner_id
        # Same rule as the form: only helpdesk managers and accountants (AccessError).
        partners._rsb_check_billing_policy_access()
        if not self.reason.strip():
            raise UserError(_("Give the reason for lifting the credit hold."))
        partners._rsb_lift_credit_hold(self.reason.strip())
        return {"type": "ir.actions.act_window_close"}
