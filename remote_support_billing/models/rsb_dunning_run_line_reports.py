"""Dunning emails carry their template's dynamic reports (e.g. the client's statement of
account), rendered for the dunning line."""

from odoo import models
from odoo.tools.safe_eval import safe_eval, time


class RsbDunningRunLine(models.Model):
    _inherit = "rsb.dunning.run.line"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_template_report_attachments(self, template):
        """The PDFs of `template`'s dynamic reports for this line, as attachments of the client.
        Private: the dunning run (accountant or its job) decided to email this client."""
        self.ensure_one()
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment
        for report in template.report_template_ids.sudo():
            content, _type = report._render_qweb_pdf(report, self.ids)
            name = (
                safe_eval(report.print_report_name, {"object": self, "time": time})
                if report.print_report_name
                else report.name
            )
            attachments |= Attachment.create(
                {
                    "name": f"{name}.pdf",
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": "res.partner",
                    "res_id": self.partner_id.id,
                }
            )
        return attachments
