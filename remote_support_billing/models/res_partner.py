"""Client billing policy: trust, unused deposits, agreements, payment plans and dunning fields."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .account_move import PAUSE_REASONS

# Groups allowed to change a client's billing policy (trust, credit hold, dunning).
BILLING_POLICY_GROUPS = ("helpdesk_mgmt.group_helpdesk_manager", "account.group_account_user")
# The fields of a client's billing policy: set only by those groups (or by the addon's own
# automatic rules, in sudo), at create, write, import and copy (never copied).
BILLING_POLICY_FIELDS = (
    "rsb_trusted",
    "rsb_trust_reason",
    "rsb_credit_hold",
    "rsb_dunning_pause_reason",
    "rsb_dunning_pause_until",
    "rsb_dunning_pause_note",
    "rsb_collections",
    "rsb_collections_date",
    "rsb_unused_deposit_policy",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    rsb_trusted = fields.Boolean(
        company_dependent=True,
        string="Trusted Repeat Client",
        tracking=True,
        copy=False,
        help="Trusted clients are served first and invoiced after the work. Every other "
        "client pays a deposit before a session is scheduled.",
    )
    rsb_trust_reason = fields.Char(
        company_dependent=True,
        string="Billing Policy Reason",
        tracking=True,
        copy=False,
        help="Why the client's billing policy was last changed.",
    )
    rsb_credit_hold = fields.Boolean(
        company_dependent=True,
        string="Credit Hold",
        tracking=True,
        copy=False,
        help="No new work for this client until the overdue balance is paid.",
    )
    rsb_dunning_pause_reason = fields.Selection(
        company_dependent=True,
        selection=PAUSE_REASONS,
        string="Dunning Paused",
        tracking=True,
        copy=False,
        help="While paused (until the date), dunning skips all of the client's invoices.",
    )
    rsb_dunning_pause_until = fields.Date(
        string="Dunning Paused Until", company_dependent=True, tracking=True, copy=False
    )
    rsb_dunning_pause_note = fields.Char(
        string="Dunning Pause Note", company_dependent=True, tracking=True, copy=False
    )
    rsb_unused_deposit_policy = fields.Selection(
        selection=[("refund", "Refund"), ("credit", "Keep as credit")],
        string="Unused Deposit",
        tracking=True,
        copy=False,
        help="What the settle-up does with the part of this client's deposit that the time "
        "did not use. Empty: the company's setting.",
    )
    rsb_prepay_required = fields.Boolean(
        string="Prepayment Required",
        compute="_compute_rsb_prepay_required",
        search="_search_rsb_prepay_required",
        help="Set when the client is not trusted or is on credit hold (in the current company).",
    )
    rsb_can_edit_billing_policy = fields.Boolean(
        compute="_compute_rsb_can_edit_billing_policy",
        help="The current user may change clients' billing policy (the form's fields are "
        "read-only otherwise).",
    )

    rsb_agreement_acceptance_ids = fields.One2many(
        comodel_name="rsb.agreement.acceptance",
        inverse_name="partner_id",
        string="Agreement Acceptances",
        readonly=True,
    )
    rsb_agreement_accepted = fields.Boolean(
        string="Accepted Current Agreement",
        compute="_compute_rsb_agreement_accepted",
        help="The client accepted the company's current client agreement.",
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

    @api.depends_context("company")
    @api.depends("rsb_trusted", "rsb_credit_hold")
    def _compute_rsb_prepay_required(self):
        for partner in self:
            partner.rsb_prepay_required = not partner.rsb_trusted or partner.rsb_credit_hold

    def _search_rsb_prepay_required(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on Prepayment Required."))
        prepay = ["|", ("rsb_trusted", "=", False), ("rsb_credit_hold", "=", True)]
        if (operator == "=") == value:
            return prepay
        return [("rsb_trusted", "=", True), ("rsb_credit_hold", "=", False)]

    @api.depends_context("uid")
    def _compute_rsb_can_edit_billing_policy(self):
        self.rsb_can_edit_billing_policy = self._rsb_may_change_billing_policy()

    @api.depends_context("company")
    @api.depends("commercial_partner_id.rsb_agreement_acceptance_ids")
    def _compute_rsb_agreement_accepted(self):
        current = self.env["rsb.agreement"]._get_current(self.env.company)
        accepted = set()
        if current:
            accepted = set(
                self.env["rsb.agreement.acceptance"]
                .sudo()
                .search(
                    [
                        ("agreement_id", "=", current.id),
                        ("partner_id", "in", self.commercial_partner_id.ids),
                    ]
                )
                .partner_id.ids
            )
        for partner in self:
            partner.rsb_agreement_accepted = (
                not current or partner.commercial_partner_id.id in accepted
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._rsb_check_billing_policy_access(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._rsb_check_billing_policy_access(vals)
        res = super().write(vals)
        if "parent_id" in vals and not self._rsb_may_change_billing_policy():
            self._rsb_reset_detached_policy()
        return res

    def _rsb_reset_detached_policy(self):
        """A contact detached from its client company by someone who may not set billing
        policy becomes a new client without the company's policy (it had it only as a
        contact): otherwise detaching a contact of a trusted client would make a trusted
        client."""
        # the policy is per company: reset it in every company
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            detached = self.with_company(company).filtered(
                lambda p: p.commercial_partner_id == p
                and any(p[fname] for fname in BILLING_POLICY_FIELDS)
            )
            if detached:
                detached.sudo().write(dict.fromkeys(BILLING_POLICY_FIELDS, False))

    # ------------------------------------------------------------------ billing policy access
    @api.model
    def _rsb_may_change_billing_policy(self):
        return self.env.su or any(self.env.user.has_group(g) for g in BILLING_POLICY_GROUPS)

    def _rsb_check_billing_policy_access(self, vals=None):
        """Who may change a client's billing policy (`BILLING_POLICY_FIELDS`): helpdesk
        managers and accountants, or the addon's automatic rules (sudo). Raise AccessError
        otherwise. The one check of the form, RPC, create, import, copy and the wizards.

        :param vals: the values of a create (on an empty recordset) or a write (on these
            records); then only a change is refused: a value the record already has, or
            that it receives from its client company (contacts share the company's policy),
            is not a change. Without `vals`: the user must be allowed.
        """
        if vals and "rsb_prepay_required" in vals and not self.env.su:
            raise UserError(
                _(
                    "Prepayment Required follows from the client's trust and credit hold: "
                    "change those instead."
                )
            )
        if self._rsb_may_change_billing_policy():
            return
        if vals is not None and not self._rsb_billing_policy_changes(vals):
            return
        raise AccessError(
            _(
                "Only helpdesk managers and accountants can change a client's billing "
                "policy (trusted repeat client, credit hold, dunning pause, collections, "
                "unused deposits)."
            )
        )

    def _rsb_billing_policy_changes(self, vals):
        """The billing policy fields that `vals` would change on these records (a write) or
        on a new record (a create, on an empty recordset)."""
        fnames = [fname for fname in BILLING_POLICY_FIELDS if fname in vals]
        if not fnames:
            return []
        if not self:  # create: a new contact gets its company's policy, nothing else
            parent = self.browse(vals.get("parent_id")).commercial_partner_id
            records = [(self.new({}), parent)]
        else:
            records = [
                (record, record.commercial_partner_id if record.parent_id else self.browse())
                for record in self
            ]
        changed = []
        for fname in fnames:
            field = self._fields[fname]
            for record, client in records:
                value = field.convert_to_record(field.convert_to_cache(vals[fname], record), record)
                if value != record[fname] and (not client or value != client[fname]):
                    changed.append(fname)
                    break
        return changed

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

    def _rsb_revoke_trust(self, reason):
        """Switch these trusted clients to prepayment (a deposit before scheduling) with the
        reason in their chatter: the one path of the automatic rules (the daily trust rule,
        a dunning level), which decided it; written in sudo."""
        return (
            self.commercial_partner_id.filtered("rsb_trusted")
            .sudo()
            ._rsb_set_trusted(False, reason)
        )

    def _rsb_accept_agreement(self, agreement, user, ip_address=None):
        """Record that this contact (through `user`, or through the emailed link when `user`
        is the public user) accepted `agreement` for their client (commercial partner).

        Called by the portal controller after it checked the user's access to the ticket.
        Accepting the same version twice records nothing new, also when two requests accept
        at the same time: the row is inserted with ON CONFLICT DO NOTHING on the unique
        (agreement, client) constraint. A parallel acceptance committed after this
        transaction began makes PostgreSQL raise a serialization failure, and Odoo retries
        the request, which then finds that acceptance.
        """
        self.ensure_one()
        client = self.commercial_partner_id
        Acceptance = self.env["rsb.agreement.acceptance"].sudo()
        Acceptance.flush_model()
        now = fields.Datetime.now()
        uid = self.env.uid
        self.env.cr.execute(
            """
            INSERT INTO rsb_agreement_acceptance (
                agreement_id, version, company_id, partner_id, accepted_by_partner_id,
                user_id, ip_address, accepted_on, create_uid, create_date, write_uid, write_date
            )
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (agreement_id, partner_id) DO NOTHING
            RETURNING id
            """,
            [
                agreement.id,
                agreement.version,
                agreement.company_id.id,
                client.id,
                self.id,
                None if user._is_public() else user.id,
                (ip_address or "")[:64] or None,
                now,
                uid,
                now,
                uid,
                now,
            ],
        )
        row = self.env.cr.fetchone()
        if not row:  # accepted before (or by a parallel request that committed first)
            return Acceptance.search(
                [("agreement_id", "=", agreement.id), ("partner_id", "=", client.id)], limit=1
            )
        acceptance = Acceptance.browse(row[0])
        # the row was written in SQL: what the ORM cached about acceptances is stale
        self.env["res.partner"].invalidate_model(
            ["rsb_agreement_acceptance_ids", "rsb_agreement_accepted"]
        )
        agreement.invalidate_recordset(["acceptance_ids", "acceptance_count"])
        client.sudo().message_post(
            body=_(
                "%(user)s accepted %(agreement)s from IP %(ip)s.",
                user=self.name,
                agreement=agreement.display_name,
                ip=ip_address or _("unknown"),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return acceptance

    # ------------------------------------------------------------------ trust rules
    @api.model
    def _cron_rsb_trust_rules(self):
        """Daily: trusted clients paying late must prepay again; good payers may be proposed."""
        for company in self.env["res.company"].search([("rsb_trust_overdue_days", ">", 0)]):
            self.with_company(company)._rsb_revoke_trust_overdue(company)

    @api.model
    def _rsb_revoke_trust_overdue(self, company):
        """Switch to prepay every trusted client who owes something overdue by more than the
        company's threshold: what is left, credits netted, of the receivable items
        (instalments: a late first instalment counts) due before today less the threshold
        (`_rsb_get_receivable_position`, the one rule). The reason names the oldest invoice
        still owed."""
        days = company.rsb_trust_overdue_days
        if not days:
            return self.browse()
        today = fields.Date.context_today(self)
        limit = fields.Date.subtract(today, days=days)
        # trust is company-dependent: read in the company
        trusted = self.sudo().with_company(company).search([("rsb_trusted", "=", True)])
        if not trusted:
            return self.browse()
        positions = trusted._rsb_get_receivable_position(company, limit)
        late = {
            partner_id: position
            for partner_id, position in positions.items()
            if company.currency_id.compare_amounts(position["overdue"], 0.0) > 0
        }
        if not late:
            return self.browse()
        moves = (
            self.env["account.move"]
            .sudo()
            .browse([position["oldest_move_id"] for position in late.values()])
        )
        moves.mapped("name")  # prefetched for the reasons
        revoked = self.browse()
        for partner in self.browse(list(late)):
            position = late[partner.id]
            reason = _(
                "invoice %(invoice)s is overdue by %(days)s days (more than %(limit)s)",
                invoice=moves.browse(position["oldest_move_id"]).name,
                days=(today - position["oldest_due_date"]).days,
                limit=days,
            )
            revoked |= partner.with_company(company)._rsb_revoke_trust(reason)
        return revoked

    def _rsb_propose_trust(self):
        """Ask a manager to consider trusting clients who paid enough tickets on time.

        Never promotes anyone: it schedules one activity per client for the helpdesk manager
        (the company's first manager) unless one is already open. Trust is per company: the
        tickets and the trust of the current company (`with_company`) count."""
        manager_group = self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        company = self.env.company
        for partner in self.commercial_partner_id.filtered(lambda p: not p.rsb_trusted):
            needed = company.rsb_trust_propose_after
            if not needed:
                continue
            on_time = (
                self.env["helpdesk.ticket"]
                .sudo()
                .search_count(
                    [
                        ("commercial_partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("rsb_paid_on_time", "=", True),
                    ]
                )
            )
            if on_time < needed:
                continue
            summary = _("Consider trusting this client")
            if summary in partner.activity_ids.mapped("summary"):
                continue
            manager = manager_group.users.filtered_domain(
                [("company_ids", "in", company.ids), ("share", "=", False)]
            )[:1]
            partner.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=_(
                    "%(client)s paid %(count)s tickets on time. Trusted clients are "
                    "invoiced after the work, without a deposit.",
                    client=partner.display_name,
                    count=on_time,
                ),
                user_id=(manager or self.env.user).id,
            )

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
        """A new plan for the client's overdue invoices (deposit requests are not owed)."""
        self.ensure_one()
        client = self.commercial_partner_id
        overdue = self.env["account.move"].search(
            client._rsb_owed_invoice_domain(
                self.env.company, overdue_date=fields.Date.context_today(self)
            )
        )
        return self.env["rsb.payment.plan"]._rsb_action_new(client, overdue)

    # ------------------------------------------------------------------ dunning
    rsb_collections = fields.Boolean(
        company_dependent=True,
        string="Collections",
        tracking=True,
        copy=False,
        help="Marked by dunning for a collection agency: overdue balance at or above the "
        "company's collections threshold.",
    )
    rsb_collections_date = fields.Date(
        string="Collections Since", company_dependent=True, copy=False
    )
    rsb_dunning_letter_ids = fields.One2many(
        "rsb.dunning.letter", "partner_id", string="Dunning Letters", readonly=True
    )

    def action_rsb_pause_dunning(self):
        return self.env["rsb.dunning.pause.wizard"]._rsb_action_open(self)

    def action_rsb_writeoff(self):
        return self.env["rsb.dunning.writeoff.wizard"]._rsb_action_open(self)
