"""Email a client's statement of account for a chosen period in one click (issue 26), through
Odoo's mail path (a message to the client with the PDF), or print it."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class RsbStatementSendWizard(models.TransientModel):
    _name = "rsb.statement.send.wizard"
    _description = "Send a Statement of Account"

    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=89),
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The statement's start date must be before its end date."))

    def _rsb_data(self):
        return {"date_from": str(self.date_from), "date_to": str(self.date_to)}

    def action_print(self):
        self.ensure_one()
        return self.env.ref("remote_support_billing.rsb_partner_statement_report").report_action(
            self.partner_id.commercial_partner_id, data=self._rsb_data()
        )

    def action_send(self):
        """The statement PDF emailed to the client's invoice contact, in its chatter."""
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants send statements of account."))
        client = self.partner_id.commercial_partner_id
        recipient = client.browse(client.address_get(["invoice"])["invoice"])
        if not recipient.email:
            raise UserError(_("%s has no email address.", recipient.display_name))
        content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "remote_support_billing.rsb_partner_statement_report",
            client.ids,
            data=self._rsb_data(),
        )
        name = _(
            "Statement %(client)s %(from)s - %(to)s.pdf",
            client=client.name,
            **{"from": self.date_from, "to": self.date_to},
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": "res.partner",
                "res_id": client.id,
                "mimetype": "application/pdf",
            }
        )
        client.sudo().with_context(mail_post_autofollow=False).message_post(
            body=_(
                "Please find your statement of account from %(from)s to %(to)s attached.",
                **{"from": self.date_from, "to": self.date_to},
            ),
            subject=_("Statement of account, %(company)s", company=self.env.company.name),
            partner_ids=recipient.ids,
            attachment_ids=attachment.ids,
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )
        return {"type": "ir.actions.act_window_close"}
