"""helpdesk_mgmt's portal ticket routes, made safe: typed and bounded ticket form, owned close."""

import werkzeug

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.portal.controllers.portal import CustomerPortal

from .portal_dunning import _rsb_credit_hold_values
from .rsb_params import (
    TICKET_DESCRIPTION_MAX,
    TICKET_SUBJECT_MAX,
    TOKEN_MAX,
    rsb_int,
    rsb_str,
)


def rsb_portal_message(title, message, status=400, back_url=None):
    """A portal page that tells the client why their request was refused."""
    return request.render(
        "remote_support_billing.portal_rsb_message",
        {"rsb_title": title, "rsb_message": message, "rsb_back_url": back_url or "/my"},
        status=status,
    )


class RsbHelpdeskTicketController(HelpdeskTicketController):
    @http.route()
    def create_new_ticket(self, **kw):
        values = _rsb_credit_hold_values()
        if values:
            return request.render("remote_support_billing.portal_rsb_credit_hold", values)
        return super().create_new_ticket(**kw)

    @http.route()
    def submit_ticket(self, **kw):
        values = _rsb_credit_hold_values()
        if values:
            # helpdesk_mgmt creates the ticket in sudo: the server check in create() would
            # refuse it anyway; here the client gets the page that says why and how to pay.
            values["rsb_message"] = _("Your ticket was not created.")
            return request.render("remote_support_billing.portal_rsb_credit_hold", values)
        try:
            kw = self._rsb_check_ticket_form(kw)
        except ValidationError as error:
            return rsb_portal_message(
                _("Your ticket was not created."), error.args[0], back_url="/new/ticket"
            )
        return super().submit_ticket(**kw)

    def _rsb_check_ticket_form(self, kw):
        """The ticket form's values, typed and bounded (helpdesk_mgmt casts the category and
        the team with int() and takes any size of subject); a ValidationError says what is
        wrong."""
        values = dict(kw)
        category_id = rsb_int(kw.get("category"), _("The category"), required=False)
        if category_id:
            category = request.env["helpdesk.ticket.category"].search(
                [("id", "=", category_id), ("active", "=", True), ("show_in_portal", "=", True)]
            )
            if not category:
                raise ValidationError(_("This category does not exist."))
        values["category"] = category_id or ""
        values["team"] = rsb_int(kw.get("team"), _("The team"), required=False) or ""
        values["subject"] = rsb_str(
            kw.get("subject"), _("The subject"), TICKET_SUBJECT_MAX, required=True
        )
        values["description"] = rsb_str(
            kw.get("description"), _("The description"), TICKET_DESCRIPTION_MAX
        )
        return values

    @http.route(
        "/ticket/close",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
        csrf=True,
    )
    def support_ticket_close(
        self, ticket_id=None, stage_id=None, access_token=None, rsb_reason=None, **kw
    ):
        """Close the client's ticket in a stage that may be reached from the portal.

        Unlike helpdesk_mgmt's route (a GET that closes any ticket in sudo), only a POST of the
        ticket page's form (CSRF token) closes, and only a ticket the user may read (record
        rules) or whose access token they hold. Anything else is refused and changes nothing.
        helpdesk_mgmt's contract for the client's own ticket is kept: a 302 redirect to the
        ticket's page, also when the stage may not be reached from the portal (nothing
        changes then). The page's buttons ask for confirmation, say what closing does and
        send the client's reason (`rsb_reason`, optional for helpdesk_mgmt's own form).
        """
        title = _("The ticket was not closed.")
        if request.httprequest.method != "POST":
            return rsb_portal_message(
                title, _("Close a ticket with the button on the ticket's page."), status=405
            )
        try:
            ticket_id = rsb_int(ticket_id, _("The ticket"))
            stage_id = rsb_int(stage_id, _("The stage"))
            access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
            reason = rsb_str(rsb_reason, _("The reason"), 2000)
        except ValidationError as error:
            return rsb_portal_message(title, error.args[0])
        try:
            ticket_sudo = CustomerPortal()._document_check_access(
                "helpdesk.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            return rsb_portal_message(
                title, _("This ticket does not exist or is not yours."), status=403
            )
        url = ticket_sudo.get_portal_url() if access_token else f"/my/ticket/{ticket_sudo.id}"
        stage = ticket_sudo.team_id._get_applicable_stages().filtered(
            lambda s: s.id == stage_id and s.close_from_portal
        )
        if stage and not ticket_sudo.closed_date:
            ticket_sudo.stage_id = stage  # checked above: the client may close it
            # its session follows the gate (cancelled); the deposit per policy, the team told
            ticket_sudo._rsb_on_portal_close(reason, request.env.user)
        return werkzeug.utils.redirect(url)  # 302, as helpdesk_mgmt answers
