"""What the client sees of a ticket's money in the portal lists and pages: a deposit to pay,
what a settle-up left to pay (with the invoice's pay link), or nothing to do."""

from odoo import _, models
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_portal_billing(self):
        """The ticket's money for the client, one line: ``{"state": "deposit_due" |
        "invoice_due" | "paid" | False, "label", "amount", "url"}`` (read in sudo: the
        caller checked the client may see the ticket)."""
        self.ensure_one()
        ticket = self.sudo()
        currency = ticket.rsb_currency_id
        if ticket._rsb_pay_now_open():
            request = ticket.rsb_pay_now_move_id
            return {
                "state": "pay_now_due",
                "label": _(
                    "Time so far to pay: %s",
                    format_amount(self.env, request.amount_total, currency),
                ),
                "amount": request.amount_total,
                "url": request.get_portal_url(),
            }
        if ticket.rsb_deposit_state == "requested" and ticket.rsb_deposit_move_id:
            deposit = ticket.rsb_deposit_move_id
            due = deposit.amount_residual
            return {
                "state": "deposit_due",
                "label": _("Deposit to pay: %s", format_amount(self.env, due, currency)),
                "amount": due,
                "url": ticket.get_portal_url(anchor="rsb_deposit"),
            }
        invoices = ticket.rsb_settlement_move_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        open_invoices = invoices.filtered(lambda m: not m.currency_id.is_zero(m.amount_residual))
        if open_invoices:
            due = sum(open_invoices.mapped("amount_residual"))
            first = open_invoices.sorted("id")[0]
            return {
                "state": "invoice_due",
                "label": _(
                    "Settled: %(amount)s to pay (%(invoices)s)",
                    amount=format_amount(self.env, due, currency),
                    invoices=", ".join(open_invoices.mapped("name")),
                ),
                "amount": due,
                "url": first.get_portal_url(),
            }
        if ticket.rsb_settled:
            return {
                "state": "paid",
                "label": _("Settled, nothing to pay"),
                "amount": 0.0,
                "url": invoices[:1].get_portal_url() if invoices else False,
            }
        if ticket.rsb_deposit_state == "paid":
            return {"state": "paid", "label": _("Deposit paid"), "amount": 0.0, "url": False}
        return {"state": False, "label": "", "amount": 0.0, "url": False}

    def _rsb_portal_tz_name(self, user):
        """The time zone the portal shows session times in: the client's, else the user's,
        else UTC (said next to the time)."""
        self.ensure_one()
        return self.partner_id.tz or user.tz or "UTC"
