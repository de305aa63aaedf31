from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

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
    rsb_unused_deposit_policy = fields.Selection(
        selection=[("refund", "Refund"), ("credit", "Keep as credit")],
        string="Unused Deposit",
        tracking=True,
        help="What the settle-up does with the part of this client's deposit that the time "
        "did not use. Empty: the company's setting.",
    )
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
            "rsb_unused_deposit_policy",
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

    def _rsb_check_invoice_address(self):
        """Raise a UserError if the client lacks the address an invoice needs.

        Hook: a localisation can require more (VAT number, state, ...).
        """
        labels = {"street": _("street"), "city": _("city"), "country_id": _("country")}
        for partner in self:
            missing = [label for fname, label in labels.items() if not partner[fname]]
            if missing:
                raise UserError(
                    _(
                        "Client %(client)s has no %(missing)s: complete the client's address "
                        "before invoicing.",
                        client=partner.display_name,
                        missing=", ".join(missing),
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
