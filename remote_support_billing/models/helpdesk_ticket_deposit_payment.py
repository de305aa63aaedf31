"""A deposit paid by bank transfer or cash: the accountant books it against the open request.

The request is a draft invoice until money arrives. Paid online, Odoo posts it when the
transaction is done (account_payment's `payment.transaction._post_process`) and reconciles the
payment. Paid otherwise, the accountant registers the payment here: the request is posted,
dated the day the money arrived, and the payment registered against it with Odoo's own
register-payment wizard, in one transaction (never a receivable without its payment). Less
than asked: the request is posted for what arrived and the rest asked by a new draft request.
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
        if move and move._rsb_is_open_deposit_request():
            return move
        # else the payment requested now, which the client may pay by transfer as well
        pay_now = self.sudo().rsb_pay_now_move_id
        if pay_now and self.sudo().rsb_pay_now_state in ("pending", "failed"):
            return pay_now
        return move.browse()

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
        if request == self.sudo().rsb_pay_now_move_id and currency.compare_amounts(amount, total):
            raise UserError(
                _(
                    "A payment requested now is paid in full (%(due)s): register the part "
                    "that arrived as a payment of the client's account instead.",
                    due=format_amount(self.env, total, currency),
                )
            )
        company = request.company_id
        if journal.type not in ("bank", "cash") or journal.company_id != company:
            raise UserError(_("Choose a bank or cash journal of %s for the payment.", company.name))
        date = date or fields.Date.context_today(self)
        request = request.sudo()
        rest = currency.round(total - amount)
        if currency.compare_amounts(rest, 0.0) > 0:
            # Less than asked: only the money that arrived is booked (the request is posted
            # for it); the rest is a new request, a draft like any, with its own pay link.
            request = self.sudo()._rsb_split_deposit_request(request, amount, rest)
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

    def _rsb_split_deposit_request(self, request, amount, rest):
        """Part of the open request was paid: the request is cut down to `amount` (what
        arrived, to be posted) and a new draft request asks for `rest`, the ticket's open
        request from now on (the client's deposit link shows it). :return: the request to
        post"""
        self.ensure_one()
        remainder = self._rsb_create_deposit_document(
            self._prepare_rsb_deposit_invoice_values(amount=rest), rest
        )
        self._rsb_set_deposit_document_total(request, amount)
        self.rsb_deposit_move_id = remainder
        self.message_post(
            body=_(
                "%(paid)s of the deposit received; %(rest)s is still to pay: the client's "
                "deposit link now asks for it (%(link)s).",
                paid=format_amount(self.env, amount, request.currency_id),
                rest=format_amount(self.env, rest, request.currency_id),
                link=self.get_base_url() + self.get_portal_url(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return request
