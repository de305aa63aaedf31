"""Timesheet lines: billable or not, and locked once a settle-up invoiced them."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# What a settle-up charged: these cannot change once the time is on a settle-up invoice.
RSB_LOCKED_FIELDS = (
    "unit_amount",
    "amount",
    "date",
    "ticket_id",
    "rsb_billable",
    "project_id",
    "task_id",
    "employee_id",
    "so_line",  # sale_timesheet: a sale order never takes time a settle-up charged
)


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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_rsb_settled(self):
        settled = self._rsb_filter_settled()
        if settled:
            raise UserError(
                _(
                    "You cannot delete time that a settle-up already invoiced (%(moves)s). "
                    "Ask an accountant to cancel the invoice first.",
                    moves=", ".join(settled.rsb_settlement_move_id.mapped("name")),
                )
            )

    def _check_can_write(self, values):
        # Like invoiced timesheets in sale_timesheet: what was charged stays as charged.
        locked = [fname for fname in RSB_LOCKED_FIELDS if fname in values]
        if locked:
            settled = self._rsb_filter_settled()
            changed = settled.filtered(
                lambda line: any(line._rsb_value_changes(fname, values[fname]) for fname in locked)
            )
            if changed:
                raise UserError(
                    _(
                        "You cannot change the time, date, ticket, project or billable flag of "
                        "time that a settle-up already invoiced (%(moves)s). Ask an accountant "
                        "to cancel the invoice first, or log the correction as a new line.",
                        moves=", ".join(changed.rsb_settlement_move_id.mapped("name")),
                    )
                )
        return super()._check_can_write(values)

    def _rsb_filter_settled(self):
        """Lines on a settle-up document that is neither cancelled nor reversed in full (a
        credit note for part of it is a price adjustment: the time stays invoiced)."""
        settled = set(
            self.rsb_settlement_move_id.sudo()
            .filtered(lambda move: move.state != "cancel" and not move._rsb_is_full_reversal())
            .ids
        )
        return self.filtered(lambda line: line.rsb_settlement_move_id.id in settled)

    def _rsb_filter_unsettled(self):
        """Lines no settle-up charged yet (or whose settle-up invoice was reversed in full)."""
        return self - self._rsb_filter_settled()

    def _rsb_filter_sold(self):
        """Lines a sale order bills (sale_timesheet installed: linked to a sales order item,
        or already invoiced from one): a settle-up never charges them too."""
        if "timesheet_invoice_id" not in self._fields:
            return self.browse()
        return self.filtered(lambda line: line.so_line or line.timesheet_invoice_id)

    def _rsb_prepare_settled_values(self, move):
        """Values written on the lines a settle-up invoice `move` charges. With sale_timesheet
        installed, their sales order item is marked as set by hand (to none): sale_timesheet
        then never links them to a sale order (it skips such lines when a project or task
        gets a sales order item), and `_check_can_write` refuses to set one on them."""
        values = {"rsb_settlement_move_id": move.id}
        if "is_so_line_edited" in self._fields:
            values["is_so_line_edited"] = True
        return values

    def _rsb_value_changes(self, fname, value):
        field = self._fields[fname]
        return self[fname] != field.convert_to_record(field.convert_to_cache(value, self), self)
