"""Portal pages of receivables: the client's account summary and payment plans."""

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount

from .rsb_params import (
    TOKEN_MAX,
    rsb_int,
    rsb_json_user_errors,
    rsb_str,
    rsb_transaction_params,
)


class RSBPortalAccount(PortalAccount):
    """The client's account summary and payment plans in the portal.

    What a client sees goes through the record rules of their user (invoices they follow,
    their company's plans and credits); a plan opened with its access token (link of the
    schedule email) is checked by `_document_check_access` before anything is read in sudo.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rsb_payment_plan_count" in counters:
            Plan = request.env["rsb.payment.plan"]
            values["rsb_payment_plan_count"] = (
                Plan.search_count([("state", "!=", "draft")]) if Plan.has_access("read") else 0
            )
        return values

    # ------------------------------------------------------------------ account summary
    @http.route(["/my/account-summary"], type="http", auth="user", website=True)
    def portal_rsb_account_summary(self, **kwargs):
        values = self._prepare_portal_layout_values()
        values.update(self._rsb_account_summary_values())
        return request.render("remote_support_billing.portal_rsb_account_summary", values)

    def _rsb_account_summary_values(self):
        env = request.env
        client = env.user.partner_id.commercial_partner_id
        Move = env["account.move"]
        open_moves = (
            Move.search(
                [
                    ("commercial_partner_id", "=", client.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("amount_residual", "!=", 0),
                ],
                order="invoice_date_due, id",
            )
            if Move.has_access("read")
            else Move
        )
        Held = env["rsb.deposit.held.report"]
        held = Held.search([("partner_id", "=", client.id)]) if Held.has_access("read") else Held
        Plan = env["rsb.payment.plan"]
        plans = (
            Plan.search([("partner_id", "=", client.id), ("state", "!=", "draft")])
            if Plan.has_access("read")
            else Plan
        )
        # What the client owes: the one definition (credits netted, deposit requests are not
        # debts: they are listed, named as the deposit of their ticket, but not counted).
        position = client._rsb_get_receivable_position(env.company).get(
            client.id, client._rsb_empty_position()
        )
        return {
            "payments": self._rsb_client_payments(client)[:20],
            "page_name": "rsb_account_summary",
            "client": client,
            "currency": env.company.currency_id,
            "open_moves": open_moves,
            "balance": position["balance"],
            "amount_overdue": position["overdue"],
            "held": held,
            "amount_held": sum(held.mapped("amount")),
            "plans": plans,
        }

    def _rsb_client_payments(self, client):
        """The client's payments received (newest first), for their history and receipts."""
        return (
            request.env["account.payment"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", client.id),
                    ("partner_type", "=", "customer"),
                    ("payment_type", "=", "inbound"),
                    ("state", "in", ("in_process", "paid")),
                    ("company_id", "in", request.env.user.company_ids.ids),
                ],
                order="date desc, id desc",
            )
        )

    @http.route(["/my/payments/<int:payment_id>/receipt"], type="http", auth="user")
    def portal_rsb_payment_receipt(self, payment_id, **kwargs):
        """The receipt (PDF, Odoo's payment receipt) of one of the client's payments."""
        client = request.env.user.partner_id.commercial_partner_id
        payment = self._rsb_client_payments(client).filtered(lambda p: p.id == payment_id)
        if not payment:
            return request.not_found()
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("account.action_report_payment_receipt", payment.ids)
        )
        filename = f"{(payment.name or 'receipt').replace('/', '-')}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", str(len(pdf))),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )

    # ------------------------------------------------------------------ payment plans
    @http.route(["/my/payment_plans/<int:plan_id>"], type="http", auth="public", website=True)
    def portal_rsb_payment_plan(self, plan_id, access_token=None, **kwargs):
        try:
            rsb_int(plan_id, "plan_id")  # a path id beyond SQL's integer
            access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
        except ValidationError:
            return request.redirect("/my")
        try:
            plan_sudo = self._document_check_access("rsb.payment.plan", plan_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._rsb_payment_plan_page_values(plan_sudo, access_token, **kwargs)
        return request.render("remote_support_billing.portal_rsb_payment_plan_page", values)

    def _rsb_payment_plan_page_values(self, plan_sudo, access_token, **kwargs):
        line = plan_sudo._rsb_get_line_to_pay()
        values = {
            "page_name": "rsb_payment_plan",
            "plan": plan_sudo,
            "line_to_pay": line,
        }
        if line:
            values |= self._get_common_page_view_values(
                invoices_data={
                    "partner": plan_sudo.partner_id,
                    "company": plan_sudo.company_id,
                    "total_amount": line.amount_residual,
                    "currency": plan_sudo.currency_id,
                    "amount_residual": line.amount_residual,
                    "payment_reference": line._rsb_payment_reference(),
                    "landing_route": plan_sudo.get_portal_url(),
                    "transaction_route": f"/my/payment_plans/{plan_sudo.id}/transaction",
                },
                access_token=plan_sudo.access_token,
                **kwargs,
            )
            values["amount"] = line.amount_residual
        return self._get_page_view_values(
            plan_sudo, access_token, values, "my_rsb_payment_plans_history", False, **kwargs
        )

    @http.route("/my/payment_plans/<int:plan_id>/transaction", type="json", auth="public")
    @rsb_json_user_errors
    def portal_rsb_payment_plan_transaction(
        self, plan_id, access_token=None, payment_reference=None, **kwargs
    ):
        """Create the transaction paying the plan's next instalment; the amount and the
        reference are the instalment's, whatever the browser sent (and
        `payment.transaction.create` checks it). Bad parameters get a clear message."""
        plan_id = rsb_int(plan_id, _("The payment plan"))
        access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
        kwargs = rsb_transaction_params(kwargs, amount_required=False)  # the instalment's
        try:
            plan_sudo = self._document_check_access("rsb.payment.plan", plan_id, access_token)
        except MissingError:
            raise
        except AccessError as error:
            raise ValidationError(_("The access token is invalid.")) from error
        line = plan_sudo._rsb_get_line_to_pay()
        if not line:
            raise ValidationError(_("Nothing is left to pay on payment plan %s.", plan_sudo.name))
        self._validate_transaction_kwargs(kwargs)
        kwargs.pop("amount", None)
        logged_in = not request.env.user._is_public()
        partner_sudo = request.env.user.partner_id if logged_in else plan_sudo.partner_id
        tx_sudo = self._create_transaction(
            amount=line.amount_residual,
            currency_id=plan_sudo.currency_id.id,
            partner_id=partner_sudo.id,
            reference_prefix=line._rsb_payment_reference(),
            custom_create_values={
                "invoice_ids": [Command.set(plan_sudo._rsb_open_moves_for(line).ids)],
                "rsb_plan_line_id": line.id,
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()
