"""The client agreement, versioned: frozen once accepted, a new version is asked again."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class RsbAgreement(models.Model):
    """A version of a company's client agreement (terms of service for remote support).

    The current version is the newest active one of the company. A client accepts it in
    the portal before paying a deposit; publishing a new version asks every client again.
    """

    _name = "rsb.agreement"
    _description = "Client Agreement Version"
    _inherit = ["mail.thread"]
    _order = "company_id, version desc"
    _rec_name = "display_name"

    name = fields.Char(required=True, default=lambda self: _("Client agreement"), tracking=True)
    version = fields.Integer(required=True, readonly=True, copy=False, default=0)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    body = fields.Html(string="Terms", required=True, sanitize_style=True)
    active = fields.Boolean(default=True, tracking=True)
    acceptance_ids = fields.One2many(
        comodel_name="rsb.agreement.acceptance",
        inverse_name="agreement_id",
        string="Acceptances",
    )
    acceptance_count = fields.Integer(compute="_compute_acceptance_count")

    _sql_constraints = [
        (
            "version_company_uniq",
            "UNIQUE(company_id, version)",
            "Each version number is used once per company.",
        ),
    ]

    @api.depends("name", "version")
    def _compute_display_name(self):
        for agreement in self:
            agreement.display_name = _(
                "%(name)s (v%(version)s)", name=agreement.name, version=agreement.version
            )

    def _compute_acceptance_count(self):
        counts = dict(
            self.env["rsb.agreement.acceptance"]._read_group(
                [("agreement_id", "in", self.ids)],
                ["agreement_id"],
                ["__count"],
            )
        )
        for agreement in self:
            agreement.acceptance_count = counts.get(agreement, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company_id = vals.get("company_id") or self.env.company.id
            last = self.with_context(active_test=False).search(
                [("company_id", "=", company_id)],
                order="version desc",
                limit=1,
            )
            vals["version"] = last.version + 1
        return super().create(vals_list)

    def write(self, vals):
        if "body" in vals and self.acceptance_ids:
            raise UserError(
                _(
                    "Clients have accepted this version of the agreement: its terms cannot change. "
                    "Create a new version instead (clients will be asked to accept it)."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_accepted(self):
        if self.acceptance_ids:
            raise UserError(_("An agreement that clients accepted cannot be deleted; archive it."))

    @api.model
    def _get_current(self, company):
        """The version clients must accept now in this company (empty if none)."""
        return self.search([("company_id", "=", company.id)], order="version desc", limit=1)

    def action_view_acceptances(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Acceptances"),
            "res_model": "rsb.agreement.acceptance",
            "view_mode": "list,form",
            "domain": [("agreement_id", "=", self.id)],
        }
