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

    # ------------------------------------------------------------------ dunning
    rsb_collections = fields.Boolean(
        string="Collections",
        tracking=True,
        copy=False,
        help="Marked by dunning for a collection agency: overdue balance at or above the "
        "company's collections threshold.",
    )
    rsb_collections_date = fields.Date(string="Collections Since", copy=False)
    rsb_dunning_letter_ids = fields.One2many(
        "rsb.dunning.letter", "partner_id", string="Dunning Letters", readonly=True
    )

    def _rsb_overdue_balances(self, date=None):
        """{commercial partner id: overdue amount (company currency)} in one _read_group:
        posted customer invoices not paid whose due date is before `date`."""
        date = date or fields.Date.context_today(self)
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", date),
                ],
                ["commercial_partner_id"],
                ["amount_residual_signed:sum"],
            )
        )
        return {partner.id: amount for partner, amount in groups}

    def _rsb_place_credit_hold(self, reason):
        partners = self.commercial_partner_id.filtered(lambda p: not p.rsb_credit_hold).sudo()
        partners.write({"rsb_credit_hold": True})
        for partner in partners:
            partner.message_post(
                body=_(
                    "Credit hold: no new ticket until the overdue balance is paid. Reason: %s",
                    reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return partners

    def _rsb_lift_credit_hold(self, reason):
        """Lift the credit hold with the reason, posted in the chatter. The caller checked
        that the user may (wizard: helpdesk manager or accountant; payment hook: automatic)."""
        partners = self.commercial_partner_id.filtered("rsb_credit_hold").sudo()
        partners.write({"rsb_credit_hold": False})
        for partner in partners:
            partner.message_post(
                body=_("Credit hold lifted. Reason: %s", reason), subtype_xmlid="mail.mt_note"
            )
        return partners

    @api.model
    def _rsb_lift_paid_credit_holds(self):
        """Lift the hold of clients (these, or all on hold) whose overdue balance is paid."""
        partners = self or self.sudo().search([("rsb_credit_hold", "=", True)])
        partners = partners.commercial_partner_id.filtered("rsb_credit_hold")
        if not partners:
            return partners
        balances = partners._rsb_overdue_balances()
        paid = partners.filtered(
            lambda p: p.currency_id.compare_amounts(balances.get(p.id, 0.0), 0.0) <= 0
        )
        return paid._rsb_lift_credit_hold(_("the overdue balance is paid"))

    def action_rsb_lift_credit_hold(self):
        return self.env["rsb.credit.hold.lift.wizard"]._rsb_action_open(self)

    def action_rsb_pause_dunning(self):
        return self.env["rsb.dunning.pause.wizard"]._rsb_action_open(self)

    def action_rsb_writeoff(self):
        return self.env["rsb.dunning.writeoff.wizard"]._rsb_action_open(self)
