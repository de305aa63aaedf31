"""The statement of account PDF's values: one statement per client for a period (the figures
come from `res.partner._rsb_statement_data`)."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class ReportRsbPartnerStatement(models.AbstractModel):
    _name = "report.remote_support_billing.report_rsb_statement"
    _description = "Client Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        partners = self.env["res.partner"].browse(docids)
        # Who may print it: an accountant for any client, a portal client only their own
        # (the portal route chooses the client from the user, then renders as superuser).
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants can print a client's statement of account."))
        partners.check_access("read")
        company = self.env.company
        date_to = fields.Date.to_date(data.get("date_to")) or fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or date_to - timedelta(days=89)
        if date_from > date_to:
            raise UserError(_("The statement's start date must be before its end date."))
        clients = partners.commercial_partner_id
        return {
            "doc_ids": clients.ids,
            "doc_model": "res.partner",
            "docs": clients,
            "company": company,
            "statements": {
                client.id: client.sudo()._rsb_statement_data(company, date_from, date_to)
                for client in clients
            },
        }


class ReportRsbPartnerStatementDunning(models.AbstractModel):
    """The same statement, printed from a dunning line: add the report *Statement of Account
    (dunning)* to a dunning email template's dynamic reports to attach it to every email."""

    _name = "report.remote_support_billing.report_rsb_statement_dunning"
    _description = "Client Statement of Account (dunning attachment)"

    @api.model
    def _get_report_values(self, docids, data=None):
        lines = self.env["rsb.dunning.run.line"].browse(docids)
        return self.env["report.remote_support_billing.report_rsb_statement"]._get_report_values(
            lines.partner_id.ids, data
        )
