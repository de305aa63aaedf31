"""Settings of the client portal (see res_company_portal.py)."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    rsb_allow_partial_deposit = fields.Boolean(
        related="company_id.rsb_allow_partial_deposit", readonly=False
    )
