"""Formal dunning letters recorded per client and run (the PDF is a QWeb report)."""

from odoo import fields, models


class RsbDunningLetter(models.Model):
    """A formal dunning letter (PDF) sent to a client. The PDF is an attachment on the
    client's commercial partner; portal users read only their own letters (record rule)."""

    _name = "rsb.dunning.letter"
    _description = "Dunning Letter"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one("rsb.dunning.level", ondelete="set null")
    run_line_id = fields.Many2one("rsb.dunning.run.line", ondelete="set null")
    date = fields.Date(required=True)
    deadline = fields.Date()
    amount = fields.Monetary(currency_field="currency_id")
    attachment_id = fields.Many2one("ir.attachment", required=True, ondelete="cascade")

    def _rsb_get_pdf(self):
        """The PDF content and file name, for the portal download route which checked that
        the caller may read the letter (record rule on the commercial partner)."""
        self.ensure_one()
        self.check_access("read")
        attachment = self.sudo().attachment_id
        return attachment.raw, attachment.name
