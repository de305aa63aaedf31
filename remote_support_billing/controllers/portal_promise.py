"""Portal: the client promises a date to pay one invoice or the overdue balance (issue 25).
Input is untrusted: the invoice must be the client's, the date within the company's maximum
(checked by rsb.payment.promise._rsb_promise, the one rule); a refused promise says why and
records nothing."""

from datetime import date as Date

from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .rsb_params import rsb_int, rsb_str


class RsbPromisePortal(CustomerPortal):
    def _rsb_promise_candidates(self, client, company):
        """The client's open invoices that may be promised (not deposit requests, not
        promised already), oldest due first."""
        Move = request.env["account.move"].sudo()
        moves = Move.search(
            [
                ("commercial_partner_id", "=", client.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", "!=", 0),
                ("rsb_deposit_ticket_id", "=", False),
            ],
            order="invoice_date_due, id",
        )
        promised = (
            request.env["rsb.payment.promise"]
            .sudo()
            .search([("state", "=", "open"), ("move_ids", "in", moves.ids)])
        )
        return moves - promised.move_ids

    def _rsb_promise_values(self, error=None, **kw):
        client = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        candidates = self._rsb_promise_candidates(client, company)
        today = Date.today()
        overdue = candidates.filtered(lambda m: m.invoice_date_due and m.invoice_date_due < today)
        return {
            "page_name": "rsb_promise",
            "client": client,
            "candidates": candidates,
            "overdue": overdue,
            "currency": company.currency_id,
            "max_days": company.rsb_promise_max_days,
            "today": today.isoformat(),
            "error": error,
            "kw": kw,
            "promises": request.env["rsb.payment.promise"]
            .sudo()
            .search([("partner_id", "=", client.id), ("company_id", "=", company.id)], limit=10),
        }

    @http.route(["/my/promise"], type="http", auth="user", website=True, methods=["GET"])
    def portal_rsb_promise(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._rsb_promise_values())
        return request.render("remote_support_billing.portal_rsb_promise", values)

    @http.route(
        ["/my/promise"], type="http", auth="user", website=True, methods=["POST"], csrf=True
    )
    def portal_rsb_promise_post(self, what=None, date=None, note=None, **kw):
        """Record the promise: `what` is "overdue" or an invoice id, `date` an ISO date."""
        client = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        error = None
        try:
            what = rsb_str(what, _("What you promise to pay"), 20, required=True)
            day = rsb_str(date, _("The date"), 10, required=True)
            note = rsb_str(note, _("The note"), 2000)
            try:
                day = Date.fromisoformat(day)
            except ValueError as exc:
                raise ValidationError(_("The date must be a date (YYYY-MM-DD).")) from exc
            candidates = self._rsb_promise_candidates(client, company)
            if what == "overdue":
                today = Date.today()
                moves = candidates.filtered(
                    lambda m: m.invoice_date_due and m.invoice_date_due < today
                )
            else:
                move_id = rsb_int(what, _("The invoice"))
                moves = request.env["account.move"].sudo().browse(move_id).exists()
            request.env["rsb.payment.promise"].sudo()._rsb_promise(
                client, moves, day, note, source="portal"
            )
        except (UserError, ValidationError) as exc:
            error = exc.args[0]
        values = self._prepare_portal_layout_values()
        values.update(self._rsb_promise_values(error=error, what=what, date=date, note=note))
        values["done"] = not error
        return request.render(
            "remote_support_billing.portal_rsb_promise", values, status=400 if error else 200
        )
