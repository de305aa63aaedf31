"""Whether money is on its way out for a document (a queued or sending card charge or
provider refund, rsb.money.out): such a document is neither charged again nor used as the
client's kept credit."""

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_money_out_under_way(self):
        """The queued or sending money out of these documents (in sudo)."""
        return (
            self.env["rsb.money.out"]
            .sudo()
            .search([("move_id", "in", self.ids), ("state", "in", ("queued", "sending"))])
        )
