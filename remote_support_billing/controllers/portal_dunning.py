"""Portal pages of dunning: the credit hold banner and the client's dunning letters."""

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .rsb_params import MAX_ID


def _rsb_credit_hold_values():
    """The credit hold banner of the portal: the client's overdue invoices and their pay
    links, read as the portal user (the invoices' record rule applies)."""
    partner = request.env.user.partner_id.commercial_partner_id
    if not request.env.user._is_portal() or not partner.rsb_credit_hold:
        return {}
    summary = partner._rsb_owed_summary()  # what a client owes: one definition
    return {
        "rsb_credit_hold": True,
        "rsb_hold_invoices": summary["invoices"],
        "rsb_hold_amount": summary["amount_open"],
        "rsb_hold_currency": summary["currency"],
    }


class RsbDunningPortal(CustomerPortal):
    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values.update(_rsb_credit_hold_values())
        return values

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rsb_letter_count" in counters:
            Letter = request.env["rsb.dunning.letter"]
            values["rsb_letter_count"] = Letter.search_count([]) if Letter.has_access("read") else 0
        return values

    @http.route(["/my/dunning/letters"], type="http", auth="user", website=True)
    def portal_my_rsb_letters(self, **kw):
        letters = request.env["rsb.dunning.letter"].search([])  # record rule: own letters
        values = self._prepare_portal_layout_values()
        values.update({"letters": letters, "page_name": "rsb_letters"})
        return request.render("remote_support_billing.portal_my_rsb_letters", values)

    @http.route(["/my/dunning/letter/<int:letter_id>"], type="http", auth="user")
    def portal_rsb_letter_download(self, letter_id, **kw):
        if not 0 < letter_id <= MAX_ID:  # a path id beyond SQL's integer
            return request.not_found()
        letter = request.env["rsb.dunning.letter"].browse(letter_id)
        try:
            content, filename = letter._rsb_get_pdf()  # checks the record rule first
        except (AccessError, MissingError):
            return request.not_found()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
