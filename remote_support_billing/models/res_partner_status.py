"""A client's money status at a glance (credit hold, must prepay, overdue with amounts): the
banner of the client and ticket forms, read from the one definition of what a client owes."""

from odoo import _, api, fields, models
from odoo.tools import format_amount, format_date

STATUS_LEVELS = [("info", "Info"), ("warning", "Warning"), ("danger", "Danger")]


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    rsb_status_message = fields.Text(
        string="Billing Status",
        compute="_compute_rsb_status",
        help="Credit hold, prepayment and overdue balance of the client, in the current company.",
    )
    rsb_status_level = fields.Selection(
        selection=STATUS_LEVELS,
        string="Billing Status Level",
        compute="_compute_rsb_status",
    )

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id.rsb_credit_hold", "commercial_partner_id.rsb_prepay_required"
    )
    def _compute_rsb_status(self):
        company = self.env.company
        clients = self.commercial_partner_id.filtered("id")
        positions = clients._rsb_get_receivable_position(company) if clients else {}
        for partner in self:
            client = partner.commercial_partner_id
            position = positions.get(client.id) or self._rsb_empty_position()
            partner.rsb_status_message, partner.rsb_status_level = client._rsb_status(
                position, company
            )

    def _rsb_status(self, position, company):
        """(message, level) of this commercial partner: what a person must know before
        taking work for them. `position` comes from `_rsb_get_receivable_position`."""
        currency = company.currency_id
        lines, level = [], False
        overdue = position["overdue"]
        if self.rsb_credit_hold:
            level = "danger"
            lines.append(
                _(
                    "On credit hold: no new ticket or session until the overdue balance "
                    "(%(amount)s) is paid.",
                    amount=format_amount(self.env, overdue, currency),
                )
            )
        elif currency.compare_amounts(overdue, 0.0) > 0:
            level = "warning"
            lines.append(
                _(
                    "Overdue: %(amount)s (oldest due %(date)s).",
                    amount=format_amount(self.env, overdue, currency),
                    date=format_date(self.env, position["oldest_due_date"]),
                )
            )
        if self.rsb_prepay_required and self.id:
            level = level or "info"
            lines.append(_("Must prepay: a deposit is asked before each session."))
        if lines and currency.compare_amounts(position["open"], overdue) > 0:
            lines.append(
                _(
                    "Open balance: %(amount)s.",
                    amount=format_amount(self.env, position["open"], currency),
                )
            )
        return "\n".join(lines) or False, level
