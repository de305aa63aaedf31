"""The short payment link of a pay-now request (read out, texted or shown as a QR code on the
client's screen): ``/rsb/pay/<code>`` opens the request's portal page, where the client pays,
without logging in. The code is the secret (random, one per request); an unknown, cancelled or
malformed code gets the portal's not-found page, a paid one the ticket's page."""

import re

from odoo import http
from odoo.http import request

CODE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")


class RsbPayNowController(http.Controller):
    @http.route("/rsb/pay/<string:code>", type="http", auth="public", website=False)
    def rsb_pay_now(self, code, **kw):
        if not CODE.match(code or ""):
            raise request.not_found()
        ticket = (
            request.env["helpdesk.ticket"].sudo().search([("rsb_pay_now_code", "=", code)], limit=1)
        )
        move = ticket.rsb_pay_now_move_id
        if not move or ticket.rsb_pay_now_state == "cancelled":
            raise request.not_found()
        if ticket.rsb_pay_now_state == "paid":
            return request.redirect(ticket.get_portal_url(), local=True)
        return request.redirect(move.get_portal_url(), local=True)
