"""Portal: the client disputes an invoice (issue 25): a reason, a comment, attachments. The
invoice is checked by Odoo's portal access (record rules or the emailed link's token) and by
rsb.invoice.dispute._rsb_open (the client's own open invoice, files bounded); a refused
dispute says why and records nothing."""

from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .rsb_params import rsb_portal_invoice, rsb_refused, rsb_str


class RsbDisputePortal(CustomerPortal):
    def _rsb_dispute_move(self, invoice_id, access_token):
        return rsb_portal_invoice(self, invoice_id, access_token)

    def _rsb_dispute_refused(self, error):
        return rsb_refused(_("Dispute"), error)

    def _rsb_dispute_render(self, move, access_token, error=None, done=False, status=200):
        values = self._prepare_portal_layout_values()
        Dispute = request.env["rsb.invoice.dispute"]
        values.update(
            {
                "page_name": "rsb_dispute",
                "move": move,
                "access_token": access_token or "",
                "reasons": Dispute._fields["reason"]._description_selection(request.env),
                "error": error,
                "done": done,
            }
        )
        return request.render("remote_support_billing.portal_rsb_dispute", values, status=status)

    @http.route(
        ["/my/invoices/<int:invoice_id>/dispute"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def portal_rsb_dispute(self, invoice_id, access_token=None, **kw):
        try:
            move = self._rsb_dispute_move(invoice_id, access_token)
        except ValidationError as exc:
            return self._rsb_dispute_refused(exc)
        return self._rsb_dispute_render(move, access_token)

    @http.route(
        ["/my/invoices/<int:invoice_id>/dispute"],
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_rsb_dispute_post(
        self, invoice_id, access_token=None, reason=None, comment=None, **kw
    ):
        try:
            move = self._rsb_dispute_move(invoice_id, access_token)
        except ValidationError as exc:
            return self._rsb_dispute_refused(exc)
        try:
            reason = rsb_str(reason, _("The reason"), 20, required=True)
            comment = rsb_str(comment, _("The comment"), 4000)
            files = [
                (upload.filename or "attachment", upload.read(), upload.mimetype)
                for upload in request.httprequest.files.getlist("attachments")
                if upload and upload.filename
            ]
            user = request.env.user
            partner = move.partner_id if user._is_public() else user.partner_id
            request.env["rsb.invoice.dispute"].sudo()._rsb_open(
                partner, move, reason, comment, files
            )
        except (UserError, ValidationError) as exc:
            return self._rsb_dispute_render(move, access_token, error=exc.args[0], status=400)
        return self._rsb_dispute_render(move, access_token, done=True)
