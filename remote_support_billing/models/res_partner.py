from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# Groups allowed to change a client's billing policy (trust, credit hold).
BILLING_POLICY_GROUPS = ("helpdesk_mgmt.group_helpdesk_manager", "account.group_account_user")


class ResPartner(models.Model):
    _inherit = "res.partner"

    rsb_trusted = fields.Boolean(
        string="Trusted Repeat Client",
        tracking=True,
        help="Trusted clients are served first and invoiced after the work. Every other "
        "client pays a deposit before a session is scheduled.",
    )
    rsb_trust_reason = fields.Char(
        string="Billing Policy Reason",
        tracking=True,
        help="Why the client's billing policy was last changed.",
    )
    rsb_credit_hold = fields.Boolean(
        string="Credit Hold",
        tracking=True,
        help="No new work for this client until the overdue balance is paid.",
    )
    rsb_dunning_pause_reason = fields.Selection(
        selection=[
            ("dispute", "Dispute"),
            ("promise", "Promised Payment"),
            ("bankruptcy", "Bankruptcy"),
            ("payment_plan", "Payment Plan"),
            ("other", "Other"),
        ],
        string="Dunning Paused",
        tracking=True,
        help="While paused (until the date), dunning skips all of the client's invoices.",
    )
    rsb_dunning_pause_until = fields.Date(string="Dunning Paused Until", tracking=True)
    rsb_dunning_pause_note = fields.Char(string="Dunning Pause Note", tracking=True)
    rsb_prepay_required = fields.Boolean(
        string="Prepayment Required",
        compute="_compute_rsb_prepay_required",
        store=True,
        help="Set when the client is not trusted or is on credit hold.",
    )

    @api.model
    def _commercial_fields(self):
        # The billing policy belongs to the client company and is shared by its contacts.
        return super()._commercial_fields() + [
            "rsb_trusted",
            "rsb_trust_reason",
            "rsb_credit_hold",
            "rsb_dunning_pause_reason",
            "rsb_dunning_pause_until",
            "rsb_dunning_pause_note",
        ]

    @api.depends("rsb_trusted", "rsb_credit_hold")
    def _compute_rsb_prepay_required(self):
        for partner in self:
            partner.rsb_prepay_required = not partner.rsb_trusted or partner.rsb_credit_hold

    def write(self, vals):
        if {"rsb_trusted", "rsb_credit_hold"} & vals.keys():
            self._rsb_check_billing_policy_access()
        return super().write(vals)

    def _rsb_check_billing_policy_access(self):
        if self.env.su or any(self.env.user.has_group(g) for g in BILLING_POLICY_GROUPS):
            return
        raise AccessError(
            _(
                "Only helpdesk managers and accountants can change a client's billing "
                "policy (trusted repeat client, credit hold)."
            )
        )

    def _rsb_set_trusted(self, trusted, reason):
        """Change the trust flag of the clients' commercial partners, with the reason.

        Used by people (through the form, with the access check of `write`) and by the
        automatic rules (called in sudo by the business code that decided it).
        """
        partners = self.commercial_partner_id.filtered(lambda p: p.rsb_trusted != trusted)
        if not partners:
            return partners
        partners.write({"rsb_trusted": trusted, "rsb_trust_reason": reason})
        body = (
            _("Trusted repeat client: invoiced after the work. Reason: %s", reason)
            if trusted
            else _("Switched to prepayment (deposit before scheduling). Reason: %s", reason)
        )
        for partner in partners:
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return partners

    # Payment plans (see rsb.payment.plan)
    rsb_payment_plan_count = fields.Integer(
        string="Payment Plans",
        compute="_compute_rsb_payment_plan_count",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    def _compute_rsb_payment_plan_count(self):
        counts = dict(
            self.env["rsb.payment.plan"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.rsb_payment_plan_count = counts.get(partner.commercial_partner_id, 0)

    def action_rsb_view_payment_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_payment_plan_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_rsb_new_payment_plan(self):
        """A new plan for the client's overdue invoices."""
        self.ensure_one()
        client = self.commercial_partner_id
        overdue = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", client.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
            ]
        )
        return self.env["rsb.payment.plan"]._rsb_action_new(client, overdue)
