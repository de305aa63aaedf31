"""The client's statement of account from the portal's account summary."""

import re

from odoo import http
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal


class RsbStatementPortal(CustomerPortal):
    @http.route(["/my/account-summary/statement"], type="http", auth="user", website=True)
    def portal_rsb_statement(self, **kwargs):
        # Only the user's own client company: nothing in the request chooses the partner.
        client = request.env.user.partner_id.commercial_partner_id
        # As Odoo's portal renders an invoice's PDF once the record is checked: the report
        # action is for accountants, the client may print their own statement.
        pdf = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("remote_support_billing.rsb_partner_statement_report", client.ids)[0]
        )
        name = re.sub(r"\W+", "_", client.name or "")
        filename = f"Statement-{name}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
