"""Who accepted which version of the client agreement (once per client and version)."""

from odoo import fields, models


class RsbAgreementAcceptance(models.Model):
    """Who accepted which version of the client agreement, when, and from which IP."""

    _name = "rsb.agreement.acceptance"
    _description = "Client Agreement Acceptance"
    _order = "accepted_on desc, id desc"

    agreement_id = fields.Many2one(
        comodel_name="rsb.agreement",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
    )
    version = fields.Integer(related="agreement_id.version", store=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        help="The client (commercial partner) bound by the agreement.",
    )
    accepted_by_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Accepted By",
        required=True,
        readonly=True,
        ondelete="restrict",
        help="The person who accepted (a contact of the client).",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Portal User",
        readonly=True,
        ondelete="set null",
        help="Empty when the client accepted through the emailed link without logging in.",
    )
    accepted_on = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    ip_address = fields.Char(string="IP Address", readonly=True)
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)

    _sql_constraints = [
        (
            "agreement_partner_uniq",
            "UNIQUE(agreement_id, partner_id)",
            "A client accepts each version of the agreement once.",
        ),
    ]
