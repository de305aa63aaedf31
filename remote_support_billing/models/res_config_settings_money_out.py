"""Setting of the money-out rule (see res_company_money_out.py)."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    rsb_tech_money_out_limit = fields.Monetary(
        related="company_id.rsb_tech_money_out_limit",
        readonly=False,
        currency_field="currency_id",
    )

    rsb_system_money_out = fields.Boolean(
        related="company_id.rsb_system_money_out",
        readonly=False,
    )

    rsb_promise_max_days = fields.Integer(related="company_id.rsb_promise_max_days", readonly=False)
    rsb_promise_broken_limit = fields.Integer(
        related="company_id.rsb_promise_broken_limit", readonly=False
    )
