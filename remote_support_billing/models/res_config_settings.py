"""Invoicing settings of the addon (deposits, trust rules, unused deposit policy)."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rsb_deposit_account_id = fields.Many2one(
        related="company_id.rsb_deposit_account_id", readonly=False
    )
    rsb_tax_deposits = fields.Boolean(related="company_id.rsb_tax_deposits", readonly=False)
    rsb_trust_overdue_days = fields.Integer(
        related="company_id.rsb_trust_overdue_days", readonly=False
    )
    rsb_trust_propose_after = fields.Integer(
        related="company_id.rsb_trust_propose_after", readonly=False
    )
    rsb_unused_deposit_policy = fields.Selection(
        related="company_id.rsb_unused_deposit_policy", readonly=False
    )
    rsb_plan_break_days = fields.Integer(related="company_id.rsb_plan_break_days", readonly=False)
    rsb_unclaimed_credit_months = fields.Integer(
        related="company_id.rsb_unclaimed_credit_months", readonly=False
    )
    rsb_collections_threshold = fields.Monetary(
        related="company_id.rsb_collections_threshold",
        readonly=False,
        currency_field="currency_id",
    )
    rsb_bad_debt_account_id = fields.Many2one(
        related="company_id.rsb_bad_debt_account_id", readonly=False
    )
    rsb_writeoff_method = fields.Selection(related="company_id.rsb_writeoff_method", readonly=False)
    rsb_fee_billing = fields.Selection(related="company_id.rsb_fee_billing", readonly=False)
    rsb_fee_settle_up_days = fields.Integer(
        related="company_id.rsb_fee_settle_up_days", readonly=False
    )

    def action_rsb_create_default_dunning_levels(self):
        return self.company_id.action_rsb_create_default_dunning_levels()
