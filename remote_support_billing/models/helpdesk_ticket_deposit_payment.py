"""A deposit paid by bank transfer or cash: the accountant books it against the open request.

The request is a draft invoice until money arrives. Paid online, Odoo posts it when the
transaction is done (account_payment's `payment.transaction._post_process`) and reconciles the
payment. Paid otherwise, the accountant registers the payment here: the request is posted,
dated the day the money arrived, and the payment registered against it with Odoo's own
register-payment wizard, in one transaction (never a receivable without its payment).
"""

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def action_rsb_register_deposit_payment(self):
        """Open the wizard where an accountant books a deposit paid by transfer or cash."""
        self.ensure_one()
        request = self._rsb_get_payable_deposit_request()
        return {
            "type": "ir.actions.act_window",
            "name": _("Register Deposit Payment"),
            "res_model": "rsb.deposit.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id, "default_amount": request.amount_total},
        }

    def _rsb_check_deposit_payment_access(self):
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only an accountant can register a deposit payment."))

    def _rsb_get_payable_deposit_request(self):
        """The open request an accountant may book a payment on; refused otherwise."""
        self.ensure_one()
        self._rsb_check_deposit_payment_access()
        request = self._rsb_get_open_deposit_request()
        if not request:
            raise UserError(
                _("Ticket %s has no deposit request waiting to be paid.", self.sudo().display_name)
            )
        return request

    def _rsb_get_open_deposit_request(self):
        """The ticket's deposit request not paid yet (a draft invoice), if any."""
        self.ensure_one()
        move = self.sudo().rsb_deposit_move_id
        return move if move and move._rsb_is_open_deposit_request() else move.browse()

    def _rsb_register_deposit_payment(self, journal, amount=None, date=None, memo=None):
        """Book the deposit the client paid by bank transfer or cash: the open request is
        posted, dated the day the money arrived, and the payment registered against it.
        Bad input is refused before anything is written. :return: the payments"""
        self.ensure_one()
        request = self._rsb_get_payable_deposit_request()
        currency = request.currency_id
        total = request.amount_total
        amount = total if amount is None else currency.round(amount)
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(_("A payment must be for a positive amount."))
        if currency.compare_amounts(amount, total) > 0:
            raise UserError(
                _(
                    "The deposit requested is %(due)s: a payment of %(amount)s is more than "
                    "the deposit. Register the excess as a payment of the client's account.",
                    due=format_amount(self.env, total, currency),
                    amount=format_amount(self.env, amount, currency),
                )
            )
        # Less than asked is booked as it came (the money is there); the rest stays owed on
        # the posted request, cancelled with the request if the deposit is waived.
        company = request.company_id
        if journal.type not in ("bank", "cash") or journal.company_id != company:
            raise UserError(_("Choose a bank or cash journal of %s for the payment.", company.name))
        date = date or fields.Date.context_today(self)
        request = request.sudo()
        request.invoice_date = date
        request.action_post()
        register = (
            self.env["account.payment.register"]
            .sudo()
            .with_context(active_model="account.move", active_ids=request.ids)
            .create(
                {
                    "journal_id": journal.id,
                    "amount": amount,
                    "payment_date": date,
                    **({"communication": memo} if memo else {}),
                }
            )
        )
        return register._create_payments()
