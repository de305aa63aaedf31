from odoo import fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    rsb_billable = fields.Boolean(
        string="Billable",
        default=True,
        help="Non-billable time is shown on the ticket but not charged.",
    )
    rsb_settlement_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Settled On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The settle-up invoice (or credit note) that charged this time.",
    )
