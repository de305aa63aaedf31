"""Portal ticket page: the deposit card, accepting the client agreement, paying the deposit."""

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from .rsb_params import TOKEN_MAX, rsb_int, rsb_json_user_errors, rsb_str, rsb_transaction_params


class RsbTicketPortal(CustomerPortalHelpdesk):
    @http.route()
    def home(self, **kw):
        """/my: a banner per ticket whose deposit waits to be paid, with its amount and link."""
        response = super().home(**kw)
        if getattr(response, "qcontext", None) is not None:
            response.qcontext["rsb_waiting_deposits"] = self._rsb_waiting_deposits()
        return response

    def _rsb_waiting_deposits(self, limit=5):
        """The portal user's tickets whose deposit is requested and not paid, read as the
        user (helpdesk_mgmt's portal record rule: their own tickets only); each with what
        `_rsb_portal_billing` says (one rule for the list, the ticket page and the home)."""
        Ticket = request.env["helpdesk.ticket"]
        if not request.env.user._is_portal() or not Ticket.has_access("read"):
            return []
        tickets = Ticket.search(
            [("rsb_deposit_state", "=", "requested")],
            order="create_date desc, id desc",
            limit=limit,
        )
        waiting = []
        for ticket in tickets:
            billing = ticket._rsb_portal_billing()
            if billing["state"] == "deposit_due":
                waiting.append({"ticket": ticket, **billing})
        return waiting

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values.update(self._rsb_deposit_page_values(ticket))
        return values

    def _rsb_deposit_page_values(self, ticket_sudo):
        """What the ticket page shows about the deposit (the ticket is already checked)."""
        company = ticket_sudo.company_id or request.env.company
        client = ticket_sudo.commercial_partner_id.sudo().with_company(company)
        agreement = request.env["rsb.agreement"].sudo()._get_current(company)
        deposit = ticket_sudo.rsb_deposit_move_id.sudo()
        acceptance = client.rsb_agreement_acceptance_ids.filtered(
            lambda a: a.agreement_id == agreement
        )[:1]
        return {
            "rsb_agreement": agreement,
            "rsb_agreement_accepted": client.rsb_agreement_accepted,
            "rsb_acceptance": acceptance,
            "rsb_deposit": deposit,
            "rsb_pay_url": deposit.get_portal_url(anchor="portal_pay", query_string="&payment=True")
            if deposit and deposit._has_to_be_paid()
            else False,
            "rsb_error": request.params.get("rsb_error"),
        }

    @http.route(
        ["/my/ticket/<int:ticket_id>/rsb/accept"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def rsb_accept_agreement(
        self, ticket_id, access_token=None, agreement_id=None, accept=None, **kw
    ):
        """The client accepts the current client agreement from the ticket page."""
        try:
            rsb_int(ticket_id, "ticket_id")
            access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
            agreement_id = rsb_int(agreement_id, "agreement_id", required=False)
        except ValidationError:
            return request.redirect("/my")
        try:
            ticket_sudo = self._document_check_access("helpdesk.ticket", ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        url = ticket_sudo.get_portal_url() if access_token else f"/my/ticket/{ticket_id}"
        sep = "&" if "?" in url else "?"
        company = ticket_sudo.company_id or request.env.company
        agreement = request.env["rsb.agreement"].sudo()._get_current(company)
        if not accept or not agreement:
            return request.redirect(f"{url}{sep}rsb_error=accept")
        if agreement.id != agreement_id:
            # The agreement changed while the page was open: show the new version.
            return request.redirect(f"{url}{sep}rsb_error=version")
        user = request.env.user
        contact = ticket_sudo.partner_id if user._is_public() else user.partner_id
        if contact.commercial_partner_id != ticket_sudo.commercial_partner_id:
            contact = ticket_sudo.partner_id
        contact.sudo()._rsb_accept_agreement(agreement, user, request.httprequest.remote_addr)
        return request.redirect(url)


class RsbPaymentPortal(PaymentPortal):
    @http.route()
    @rsb_json_user_errors
    def invoice_transaction(self, invoice_id, access_token=None, **kwargs):
        """Refuse to start paying a deposit that is cancelled, already paid, or whose client
        has not accepted the current agreement (the payment form then shows the message).

        Every parameter is checked first: bad input gets a message, not a server error. The
        amount of a deposit is pinned to its residual by `payment.transaction.create`."""
        invoice_id = rsb_int(invoice_id, _("The invoice"))  # a path id beyond SQL's integer
        access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
        kwargs = rsb_transaction_params(kwargs)
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            return super().invoice_transaction(invoice_id, access_token, **kwargs)
        invoice_sudo._rsb_check_deposit_payable()  # a UserError the payment form displays
        return super().invoice_transaction(invoice_id, access_token, **kwargs)

    @http.route()
    @rsb_json_user_errors
    def overdue_invoices_transaction(self, payment_reference=None, **kwargs):
        """Pay all overdue invoices (deposit requests among them are pinned to their residual
        by `payment.transaction.create`): parameters typed first, as on the invoice route."""
        payment_reference = rsb_str(payment_reference, "payment_reference", TOKEN_MAX) or None
        kwargs = rsb_transaction_params(kwargs)
        if not request.env.user._is_public() and not request.env["account.move"].search_count(
            self._get_overdue_invoices_domain(), limit=1
        ):
            # Odoo's route would fail on the empty list of currencies (a server error)
            raise ValidationError(_("You have no overdue invoices to pay."))
        return super().overdue_invoices_transaction(payment_reference, **kwargs)
