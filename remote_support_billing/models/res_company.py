"""Company billing settings: the Customer Deposits and bad debts accounts, taxed deposits, trust
rules, the one journal lookup."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    rsb_deposit_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Customer Deposits Account",
        check_company=True,
        domain="[('account_type', '=', 'liability_current')]",
        help="Liability account that holds client deposits (customer advances) "
        "until the settle-up applies them to an invoice. Deposits are never income.",
    )
    rsb_tax_deposits = fields.Boolean(
        string="Tax Deposits When Received",
        help="For VAT regimes where tax is due when an advance is received: deposit requests "
        "carry the service product's taxes (mapped by the client's fiscal position), the "
        "deposit amount being what the client pays, taxes included; the settle-up invoice "
        "deducts the deposit with the same taxes, so the tax is not charged twice. Off: "
        "deposits are an untaxed liability (e.g. US sales tax, due on the final invoice). "
        "A deposit keeps the taxes it was requested with.",
    )
    rsb_trust_overdue_days = fields.Integer(
        string="Revoke Trust After (days overdue)",
        default=15,
        help="A trusted repeat client with an invoice overdue by more than this many "
        "days is switched to prepayment automatically. 0 disables the rule.",
    )
    rsb_trust_propose_after = fields.Integer(
        string="Propose Trust After (tickets paid on time)",
        default=0,
        help="When a client has paid this many settled tickets on time, an activity asks "
        "a manager to consider trusting them. 0 disables the proposal. "
        "Trust is never granted automatically.",
    )
    rsb_unused_deposit_policy = fields.Selection(
        selection=[("refund", "Refund"), ("credit", "Keep as credit")],
        string="Unused Deposit",
        default="refund",
        required=True,
        help="What the settle-up does with the part of a deposit the time did not use.",
    )

    _sql_constraints = [
        (
            "rsb_trust_overdue_days_positive",
            "CHECK(rsb_trust_overdue_days >= 0)",
            "The number of overdue days that revokes trust cannot be negative.",
        ),
        (
            "rsb_trust_propose_after_positive",
            "CHECK(rsb_trust_propose_after >= 0)",
            "The number of tickets before proposing trust cannot be negative.",
        ),
    ]

    def _rsb_get_deposit_account(self):
        """Return the company's customer deposits account, creating it on first use.

        The account is a current liability: a deposit is an advance the company owes back
        (as time or as a refund) until the settle-up applies it.
        """
        self.ensure_one()
        if self.rsb_deposit_account_id:
            return self.rsb_deposit_account_id
        if not self.chart_template:
            raise UserError(
                _(
                    "Company %(company)s has no chart of accounts yet: install one in "
                    "Invoicing settings before taking deposits.",
                    company=self.name,
                )
            )
        Account = self.env["account.account"].sudo().with_company(self)
        code = Account._search_new_account_code("2191")
        account = Account.create(
            {
                "name": _("Customer Deposits"),
                "code": code,
                "account_type": "liability_current",
                # matched per ticket: a deposit in another currency leaves no residue
                # (Odoo books the exchange difference when a ticket's items match in full)
                "reconcile": True,
                "company_ids": [(6, 0, self.ids)],
            }
        )
        self.sudo().rsb_deposit_account_id = account
        return account

    def _rsb_get_journal(self, journal_type):
        """The company's first journal of the type, or a UserError that says what to set up.
        The one journal lookup of the addon (deposits, settle-ups, refunds, fees, plans)."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        journal = Journal.search(
            [*Journal._check_company_domain(self), ("type", "=", journal_type)], limit=1
        )
        if not journal:
            labels = dict(Journal._fields["type"]._description_selection(self.env))
            raise UserError(
                _(
                    "Company %(company)s has no %(type)s journal: create one in Invoicing "
                    "settings.",
                    company=self.name,
                    type=labels.get(journal_type, journal_type),
                )
            )
        return journal

    def _rsb_get_sale_journal(self):
        return self._rsb_get_journal("sale")

    def _rsb_get_bank_journal(self):
        """The bank journal of refunds (the accountant may change it on the draft payment)."""
        return self._rsb_get_journal("bank")

    # Payment plans and the receivables reports.
    rsb_plan_break_days = fields.Integer(
        string="Break Payment Plan After (days late)",
        default=5,
        help="A payment plan breaks when one of its instalments is still unpaid this many "
        "days after its date: dunning resumes on its invoices.",
    )
    rsb_unclaimed_credit_months = fields.Integer(
        string="Flag Credits Older Than (months)",
        default=12,
        help="Deposits and credits held for a client longer than this are flagged in the "
        "Deposits Held report (unclaimed property rules differ by state and country). "
        "0 flags nothing.",
    )

    @api.constrains("rsb_plan_break_days", "rsb_unclaimed_credit_months")
    def _check_rsb_receivable_settings(self):
        for company in self:
            if company.rsb_plan_break_days < 0 or company.rsb_unclaimed_credit_months < 0:
                raise ValidationError(
                    _(
                        "The days before a payment plan breaks and the months before a credit "
                        "is flagged cannot be negative."
                    )
                )

    # ------------------------------------------------------------------ dunning
    rsb_collections_threshold = fields.Monetary(
        string="Collections Threshold",
        currency_field="currency_id",
        default=500.0,
        help="At the collections level, a client whose overdue balance is at or above this "
        "amount is marked for collections; below it a write-off is proposed.",
    )
    rsb_bad_debt_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Bad Debts Account",
        check_company=True,
        domain="[('account_type', '=', 'expense')]",
        help="Expense account that carries written-off invoices: the untaxed part of the "
        "write-off credit notes (their taxes reverse the output tax), or the whole amount "
        "of a write-off journal entry.",
    )
    rsb_writeoff_method = fields.Selection(
        selection=[
            ("credit_note", "Credit note with its taxes"),
            ("entry", "Journal entry"),
        ],
        string="Write-off Method",
        default="credit_note",
        required=True,
        help="Credit note with its taxes: a write-off is a customer credit note of what is "
        "left of the invoice, its lines and taxes prorated, the untaxed part on the bad debts "
        "account: the output tax of the unpaid part is reversed (VAT / sales-tax bad-debt "
        "relief). It is posted and reconciled with the invoice, never sent to the client.\n"
        "Journal entry: an internal entry (Dr bad debts / Cr receivable) of the whole "
        "amount, taxes included: no tax relief, where it is not allowed or claimed "
        "separately.",
    )

    rsb_fee_billing = fields.Selection(
        selection=[
            ("invoice", "A fee invoice per client and run"),
            ("settle_up", "On the client's next settle-up invoice"),
        ],
        string="Late Fees Billed",
        default="invoice",
        required=True,
        help="A fee invoice per client and run: the late fees and interest a dunning run "
        "charges are invoiced at the end of the run, one invoice per client.\n"
        "On the client's next settle-up invoice: they wait for the client's next settle-up "
        "(one document less for a small debt; the remote-support client pays them with the "
        "next session); those not billed that way within the days below are invoiced on "
        "their own by the daily dunning job.",
    )
    rsb_fee_settle_up_days = fields.Integer(
        string="Days a Fee Waits for a Settle-up",
        default=30,
        help="Late fees billed on the next settle-up: after this many days without one, "
        "the daily dunning job invoices them on their own.",
    )

    @api.constrains("rsb_fee_settle_up_days")
    def _check_rsb_fee_settle_up_days(self):
        for company in self:
            if not 0 <= company.rsb_fee_settle_up_days <= 365:
                raise ValidationError(_("A late fee waits between 0 and 365 days for a settle-up."))

    def action_rsb_create_default_dunning_levels(self):
        """Create the default dunning ladder for companies that have none."""
        Level = self.env["rsb.dunning.level"]
        for company in self:
            Level._rsb_create_default_levels(company)
        return True

    def _rsb_get_bad_debt_account(self):
        """The company's bad debts expense account, created on first use."""
        self.ensure_one()
        if self.rsb_bad_debt_account_id:
            return self.rsb_bad_debt_account_id
        Account = self.env["account.account"].sudo().with_company(self)
        account = Account.create(
            {
                "name": _("Bad Debts"),
                "code": Account._search_new_account_code("6580"),
                "account_type": "expense",
                "company_ids": [(6, 0, self.ids)],
            }
        )
        self.sudo().rsb_bad_debt_account_id = account
        return account
