"""Which hourly rate bills a ticket's time: the rate in force when the client was asked for
the deposit (the estimate they accepted and paid) or, for a client invoiced after the work,
when the first time was logged. A later change of the service's price or of the client's
pricelist applies to new tickets, not to work already agreed or started."""

from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_bound_rate = fields.Monetary(
        string="Agreed Hourly Rate",
        currency_field="rsb_currency_id",
        readonly=True,
        copy=False,
        help="The hourly rate this ticket's time is billed at: the rate in force when the "
        "deposit was requested, or when the first time was logged. Empty: today's rate.",
    )

    def _rsb_get_hourly_rate(self):
        """The ticket's rate once bound (see `_rsb_bind_rate`), else today's."""
        self.ensure_one()
        if (
            self.rsb_bound_rate
            and self.rsb_currency_id.compare_amounts(self.rsb_bound_rate, 0.0) > 0
        ):
            return self.rsb_bound_rate
        return super()._rsb_get_hourly_rate()

    def _rsb_bind_rate(self):
        """Bind today's rate to the tickets that have none yet (in sudo: the billing
        actions and the timesheets that start the work call it)."""
        for ticket in self.sudo().filtered(lambda t: not t.rsb_bound_rate):
            rate = ticket._rsb_get_hourly_rate()
            if rate:
                ticket.rsb_bound_rate = rate

    def _rsb_request_deposit(self):
        # the estimate the client is asked to pay is priced at today's rate: it binds
        self._rsb_bind_rate()
        return super()._rsb_request_deposit()

    @api.depends(
        "team_id.rsb_service_product_id",
        "commercial_partner_id",
        "rsb_currency_id",
        "rsb_bound_rate",
    )
    def _compute_rsb_hourly_rate(self):
        return super()._compute_rsb_hourly_rate()


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # the first time logged on a ticket starts the work: its rate binds
        lines.filtered(lambda line: line.ticket_id and line.rsb_billable).ticket_id._rsb_bind_rate()
        return lines
