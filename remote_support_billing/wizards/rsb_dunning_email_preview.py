"""The follow-up desk (issue 26): preview one client's dunning email from its run line, edit
it, preview the formal letter (PDF) the level would send, and send it now (the line executed
alone: its level's other actions too), before or without executing the whole run."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RsbDunningEmailPreview(models.TransientModel):
    _name = "rsb.dunning.email.preview"
    _description = "Preview a Dunning Email"

    line_id = fields.Many2one("rsb.dunning.run.line", required=True, readonly=True)
    partner_id = fields.Many2one(related="line_id.partner_id")
    recipient_id = fields.Many2one("res.partner", string="To", readonly=True)
    subject = fields.Char()
    body = fields.Html(sanitize_style=True)
    has_email = fields.Boolean(readonly=True)
    has_letter = fields.Boolean(related="line_id.level_id.send_letter")
    note = fields.Char(readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        line = self.env["rsb.dunning.run.line"].browse(
            values.get("line_id") or self.env.context.get("active_id")
        )
        if not line:
            return values
        line.check_access("write")
        values["line_id"] = line.id
        email = line.filtered("level_id.send_email")._rsb_prepare_emails().get(line.id, {})
        if "body" in email:
            values.update(
                {
                    "recipient_id": email["recipient"].id,
                    "subject": email["subject"],
                    "body": email["body"],
                    "has_email": True,
                }
            )
        else:
            values["note"] = email.get("label") or _("This level sends no email.")
        return values

    def action_preview_letter(self):
        """The formal letter of this client as the level would send it (Odoo's report
        viewer: nothing is recorded or attached until the line is executed)."""
        self.ensure_one()
        line = self.line_id
        line.check_access("write")
        if not line.level_id.send_letter:
            raise UserError(_("This level sends no formal letter."))
        return self.env.ref("remote_support_billing.rsb_dunning_letter_report").report_action(line)

    def action_send_now(self):
        """Execute this client's line now with the email as edited here."""
        self.ensure_one()
        line = self.line_id
        run = line.run_id
        if line.state != "to_do" or run.state not in ("preview", "running"):
            raise UserError(_("This client's dunning is already done (or paused)."))
        self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id, run=run)
        override = {"subject": self.subject, "body": self.body} if self.has_email else {}
        run.with_context(rsb_email_override={line.id: override})._rsb_execute_lines(line)
        return {"type": "ir.actions.act_window_close"}
