"""Late fees and late interest charged by dunning: one row per invoice and level, in the
invoice's currency, with the days of interest it charged."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RsbDunningFee(models.Model):
    """A late fee charged for an overdue invoice at a level: never twice for the same
    invoice and level (SQL unique constraint). An interest fee records the days it charged
    (``interest_from`` to ``interest_until``), so a later level charges only the days
    since: each day of lateness bears interest once."""

    _name = "rsb.dunning.fee"
    _description = "Dunning Late Fee"
    _order = "id desc"

    move_id = fields.Many2one(
        "account.move", string="Overdue Invoice", required=True, ondelete="restrict", index=True
    )
    level_id = fields.Many2one("rsb.dunning.level", required=True, ondelete="restrict")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        help="The overdue invoice's currency: the fee is charged in it.",
    )
    amount = fields.Monetary(currency_field="currency_id", required=True)
    base_amount = fields.Monetary(
        string="Overdue Amount", currency_field="currency_id", help="What the fee was computed on."
    )
    days_late = fields.Integer()
    interest_from = fields.Date(help="Interest fee: first day of lateness it charged.")
    interest_until = fields.Date(
        string="Interest Charged Until",
        help="Interest fee: the day up to which the invoice's interest is charged; a later "
        "level charges interest from this day on.",
    )
    fee_line_id = fields.Many2one("account.move.line", string="Fee Invoice Line", readonly=True)
    fee_move_id = fields.Many2one(
        "account.move", string="Fee Invoice", readonly=True, index="btree_not_null"
    )
    run_id = fields.Many2one("rsb.dunning.run", ondelete="set null")

    _sql_constraints = [
        (
            "move_level_uniq",
            "UNIQUE(move_id, level_id)",
            "A late fee is charged once per invoice and dunning level.",
        ),
    ]

    @api.depends("move_id")
    def _compute_currency_id(self):
        for fee in self:
            fee.currency_id = fee.move_id.currency_id or fee.company_id.currency_id

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if any(fee.fee_move_id.state == "posted" for fee in self):
            raise UserError(
                _("A late fee that is invoiced cannot be deleted: credit the fee invoice.")
            )
