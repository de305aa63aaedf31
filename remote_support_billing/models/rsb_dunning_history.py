"""One row per invoice and dunning level reached: what each level did and when."""

from odoo import fields, models


class RsbDunningHistory(models.Model):
    """When an invoice reached a dunning level, and in which run.

    One row per (invoice, level): it makes a level's actions happen once per invoice, and a
    restarted run complete the rest without repeating what was done."""

    _name = "rsb.dunning.history"
    _description = "Dunning History"
    _order = "date desc, id desc"

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    level_id = fields.Many2one("rsb.dunning.level", required=True, ondelete="restrict")
    run_id = fields.Many2one("rsb.dunning.run", ondelete="set null", index="btree_not_null")
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True)
    amount_residual = fields.Monetary(
        string="Amount Due", currency_field="currency_id", help="In company currency."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "move_level_uniq",
            "UNIQUE(move_id, level_id)",
            "An invoice reaches each dunning level once.",
        ),
    ]
