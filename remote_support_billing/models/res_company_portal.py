"""Company settings of the client portal: whether a deposit may be paid in part online."""

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    rsb_allow_partial_deposit = fields.Boolean(
        string="Allow Partial Deposit Payments",
        default=False,
        help="Off (the default): an online payment of a deposit is for exactly what is left to "
        "pay on it. On: a client may also pay part of it (never more, never a negative amount).",
    )
