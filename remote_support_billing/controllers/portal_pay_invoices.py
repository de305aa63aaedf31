"""Portal: pay several invoices in one online payment, overdue or not yet due, or the whole
open balance (issue 25.5). The client ticks invoices on their account page (or *Pay all*);
the page shows Odoo's payment form for exactly those invoices, and the transaction is
created for them with the amount the server computes.

What a client may pay is read as the client (portal record rules) through the one rule of
what is owed (`res.partner._rsb_owed_invoice_domain`); invoices under a payment plan are paid
by its instalments, not here. Every id of the selection must be one of those: a foreign,
paid or unknown id refuses the whole selection with a message, and no payment starts.
"""

from odoo import _, fields, http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import format_amount

from .portal_account import RSBPortalAccount
from .rsb_params import (
    TOKEN_MAX,
    rsb_int,
    rsb_json_user_errors,
    rsb_str,
    rsb_transaction_params,
)

# At most this many invoices in one payment (a URL holds their ids).
MAX_INVOICES = 100
LANDING_ROUTE = "/my/account-summary"


class RsbPayInvoicesPortal(RSBPortalAccount):
    # ------------------------------------------------------------------ the rule
    def _rsb_payable_invoices_domain(self):
        """The logged-in client's invoices that can be paid online together: owed (posted,
        open), in the website's company, not under a payment plan, not a deposit."""
        client = request.env.user.partner_id.commercial_partner_id
        return [
            *client._rsb_owed_invoice_domain(request.env.company),
            ("rsb_dunning_pause_reason", "!=", "payment_plan"),
            ("rsb_deposit_ticket_id", "=", False),  # a deposit is paid on its ticket's page
        ]

    def _rsb_payable_invoices(self, invoice_ids=None):
        """The invoices to pay together: `invoice_ids` (each one payable by this client), or
        every payable invoice when None. Raises a ValidationError that says why otherwise."""
        env = request.env
        Move = env["account.move"]
        if env.user._is_public():
            raise ValidationError(_("Please log in to pay your invoices."))
        if not Move.has_access("read"):
            raise ValidationError(_("You cannot pay invoices from this account."))
        domain = self._rsb_payable_invoices_domain()
        if invoice_ids is not None:
            if not invoice_ids:
                raise ValidationError(_("Choose the invoices to pay."))
            if len(invoice_ids) > MAX_INVOICES:
                raise ValidationError(
                    _("Pay at most %s invoices at once.", MAX_INVOICES),
                )
            domain.append(("id", "in", invoice_ids))
        invoices = Move.search(domain, order="invoice_date_due, id")
        if invoice_ids is not None and len(invoices) != len(set(invoice_ids)):
            raise ValidationError(
                _(
                    "Some of these invoices cannot be paid here: they are paid already, under "
                    "a payment plan, or not yours. Reload your account page and choose again."
                )
            )
        if not invoices:
            raise ValidationError(_("You have no open invoices to pay."))
        if len(invoices.currency_id) > 1:
            raise ValidationError(
                _("These invoices are in different currencies: pay them one currency at a time.")
            )
        return invoices

    def _rsb_account_summary_values(self):
        """The account page ticks only what this rule lets the client pay together."""
        values = super()._rsb_account_summary_values()
        values["rsb_payable"] = values["open_moves"].filtered_domain(
            self._rsb_payable_invoices_domain()
        )
        return values

    @staticmethod
    def _rsb_parse_ids(values, label):
        """Ids from the browser ("12", ["12", "13"] or "12-13"): positive integers, or a
        ValidationError naming the bad one."""
        if isinstance(values, str):
            values = [value for value in values.split("-") if value]
        return [rsb_int(value, label) for value in values]

    # ------------------------------------------------------------------ the page
    @http.route(["/my/invoices/pay"], type="http", auth="user", methods=["GET"], website=True)
    def portal_rsb_pay_invoices(self, all=None, **kwargs):  # pylint: disable=redefined-builtin
        """The payment page of the ticked invoices (`invoice_ids`, repeated), or of every open
        invoice (`all=1`); a bad selection goes back to the account page with the reason."""
        try:
            ids = (
                None
                if all
                else self._rsb_parse_ids(
                    request.httprequest.args.getlist("invoice_ids"), _("The invoice")
                )
            )
            invoices = self._rsb_payable_invoices(ids)
        except ValidationError as error:
            values = self._prepare_portal_layout_values()
            values.update(self._rsb_account_summary_values())
            values["rsb_pay_error"] = error.args[0]
            return request.render("remote_support_billing.portal_rsb_account_summary", values)
        values = self._rsb_pay_invoices_page_values(invoices, **kwargs)
        return request.render("remote_support_billing.portal_rsb_pay_invoices_page", values)

    def _rsb_pay_invoices_page_values(self, invoices, **kwargs):
        company = invoices.company_id
        currency = invoices.currency_id
        amount = sum(invoices.mapped("amount_residual"))
        reference = (
            company.get_next_batch_payment_communication() if len(invoices) > 1 else invoices.name
        )
        client = invoices.commercial_partner_id
        position = client._rsb_get_receivable_position(company).get(
            client.id, client._rsb_empty_position()
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "rsb_pay_invoices",
                # credit notes and payments not applied yet: not deducted here (applying
                # them is the accountant's), the page says so
                "rsb_credit": position["credit"],
                "rsb_company_currency": company.currency_id,
                "invoices": invoices,
                "payment": {
                    "date": fields.Date.context_today(request.env.user),
                    "reference": reference,
                    "amount": amount,
                    "currency": currency,
                },
                "amount": amount,
            }
        )
        values |= self._get_common_page_view_values(
            invoices_data={
                "partner": invoices.commercial_partner_id,
                "company": company,
                "total_amount": amount,
                "currency": currency,
                "amount_residual": amount,
                "payment_reference": reference,
                "landing_route": LANDING_ROUTE,
                "transaction_route": "/my/invoices/pay/transaction/"
                + "-".join(str(invoice_id) for invoice_id in invoices.ids),
            },
            **kwargs,
        )
        return values

    # ------------------------------------------------------------------ the transaction
    @http.route(["/my/invoices/pay/transaction/<string:invoice_ids>"], type="json", auth="public")
    @rsb_json_user_errors
    def portal_rsb_pay_invoices_transaction(self, invoice_ids, payment_reference=None, **kwargs):
        """Create the transaction of these invoices (ids joined by "-"), for what is left to
        pay on them now; an amount sent that differs (an invoice was paid meanwhile) is
        refused, so the client pays what the page showed them."""
        ids = self._rsb_parse_ids(
            rsb_str(invoice_ids, _("The invoices"), 12 * MAX_INVOICES), _("The invoice")
        )
        payment_reference = rsb_str(payment_reference, "payment_reference", TOKEN_MAX) or None
        kwargs = rsb_transaction_params(kwargs)
        if kwargs.pop("is_validation", False):
            raise ValidationError(_("Invoices are paid, not used to save a payment method."))
        invoices = self._rsb_payable_invoices(ids)
        currency = invoices.currency_id
        due = currency.round(sum(invoices.mapped("amount_residual")))
        if currency.compare_amounts(kwargs["amount"], due) != 0:
            raise ValidationError(
                _(
                    "What is left to pay on these invoices is now %(due)s: reload the page "
                    "to pay it.",
                    due=format_amount(request.env, due, currency),
                )
            )
        self._validate_transaction_kwargs(kwargs)
        kwargs.update(
            {
                "amount": due,
                "currency_id": currency.id,
                "partner_id": request.env.user.partner_id.id,
            }
        )
        tx_sudo = self._create_transaction(
            custom_create_values={
                "invoice_ids": [Command.set(invoices.ids)],
                "reference": payment_reference,
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()
