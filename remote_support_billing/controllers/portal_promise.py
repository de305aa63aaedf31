"""Portal: the client promises a date to pay one invoice or the overdue balance (issue 25).
Input is untrusted: the invoice must be the client's, the date within the company's maximum
(checked by rsb.payment.promise._rsb_promise, the one rule); a refused promise says why and
records nothing."""

from datetime import date as Date

from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .rsb_params import rsb_int, rsb_portal_invoice, rsb_refused, rsb_str


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

    def _rsb_overdue(self, candidates, client, company, today):
        """The candidates overdue by the one rule (a receivable item due before today: a
        late first instalment counts, not only the invoice's last due date)."""
        return candidates.filtered_domain(
            client._rsb_owed_invoice_domain(company, overdue_date=today)
        )

    def _rsb_promise_values(self, error=None, **kw):
        client = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        candidates = self._rsb_promise_candidates(client, company)
        today = Date.today()
        overdue = self._rsb_overdue(candidates, client, company, today)
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
                moves = self._rsb_overdue(candidates, client, company, Date.today())
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


class RsbInvoicePromisePortal(CustomerPortal):
    """The promise of one invoice from its page, reached by the reminder email's link: with
    the invoice's access token (a visitor holding the email) or as the logged-in client.
    Odoo's portal access check says whose invoice it is; `_rsb_promise` checks the rest."""

    def _rsb_promise_move(self, invoice_id, access_token):
        return rsb_portal_invoice(self, invoice_id, access_token)

    def _rsb_promise_invoice_render(self, move, access_token, error=None, done=False, **kw):
        values = self._prepare_portal_layout_values()
        company = move.company_id
        values.update(
            {
                "page_name": "rsb_promise",
                "move": move,
                "access_token": access_token or "",
                "max_days": company.rsb_promise_max_days,
                "today": Date.today().isoformat(),
                "promise": request.env["rsb.payment.promise"]
                .sudo()
                .search([("state", "=", "open"), ("move_ids", "in", move.ids)], limit=1),
                "error": error,
                "done": done,
                "kw": kw,
            }
        )
        return request.render(
            "remote_support_billing.portal_rsb_promise_invoice",
            values,
            status=400 if error else 200,
        )

    def _rsb_promise_refused(self, error):
        return rsb_refused(_("Promise to pay"), error)

    @http.route(
        ["/my/invoices/<int:invoice_id>/promise"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def portal_rsb_promise_invoice(self, invoice_id, access_token=None, **kw):
        try:
            move = self._rsb_promise_move(invoice_id, access_token)
        except ValidationError as exc:
            return self._rsb_promise_refused(exc)
        return self._rsb_promise_invoice_render(move, access_token)

    @http.route(
        ["/my/invoices/<int:invoice_id>/promise"],
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        csrf=True,
    )
    def portal_rsb_promise_invoice_post(
        self, invoice_id, access_token=None, date=None, note=None, **kw
    ):
        try:
            move = self._rsb_promise_move(invoice_id, access_token)
        except ValidationError as exc:
            return self._rsb_promise_refused(exc)
        error = None
        try:
            day = rsb_str(date, _("The date"), 10, required=True)
            note = rsb_str(note, _("The note"), 2000)
            try:
                day = Date.fromisoformat(day)
            except ValueError as exc:
                raise ValidationError(_("The date must be a date (YYYY-MM-DD).")) from exc
            request.env["rsb.payment.promise"].sudo()._rsb_promise(
                move.commercial_partner_id, move, day, note, source="portal"
            )
        except (UserError, ValidationError) as exc:
            error = exc.args[0]
        return self._rsb_promise_invoice_render(
            move, access_token, error=error, done=not error, date=date, note=note
        )


class RsbPlanRequestPortal(CustomerPortal):
    """Portal: the client asks for a payment plan of their open invoices (issue 25)."""

    def _rsb_plan_request_values(self, error=None, **kw):
        client = request.env.user.partner_id.commercial_partner_id
        company = request.env.company
        Plan = request.env["rsb.payment.plan"].sudo()
        invoices = Plan._rsb_plan_request_invoices(client, company)
        return {
            "page_name": "rsb_plan_request",
            "invoices": invoices,
            "amount_due": sum(invoices.mapped("amount_residual_signed")),
            "currency": company.currency_id,
            "company": company,
            "error": error,
            "kw": kw,
        }

    @http.route(["/my/plan/request"], type="http", auth="user", website=True, methods=["GET"])
    def portal_rsb_plan_request(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._rsb_plan_request_values())
        return request.render("remote_support_billing.portal_rsb_plan_request", values)

    @http.route(
        ["/my/plan/request"], type="http", auth="user", website=True, methods=["POST"], csrf=True
    )
    def portal_rsb_plan_request_post(self, count=None, first_date=None, **kw):
        client = request.env.user.partner_id.commercial_partner_id
        try:
            count = rsb_int(count, _("The number of instalments"))
            day = rsb_str(first_date, _("The first date"), 10, required=True)
            try:
                day = Date.fromisoformat(day)
            except ValueError as exc:
                raise ValidationError(_("The date must be a date (YYYY-MM-DD).")) from exc
            plan, agreed = (
                request.env["rsb.payment.plan"].sudo()._rsb_request_from_portal(client, count, day)
            )
        except (UserError, ValidationError) as exc:
            values = self._prepare_portal_layout_values()
            values.update(
                self._rsb_plan_request_values(error=exc.args[0], count=count, first_date=first_date)
            )
            return request.render(
                "remote_support_billing.portal_rsb_plan_request", values, status=400
            )
        if agreed:
            return request.redirect(plan.get_portal_url())
        values = self._prepare_portal_layout_values()
        values.update(self._rsb_plan_request_values())
        values["waiting"] = plan
        return request.render("remote_support_billing.portal_rsb_plan_request", values)
