"""Write off a client's uncollectable invoices with an internal journal entry on bad debts."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class RsbDunningWriteoffWizard(models.TransientModel):
    """Write off a client's overdue invoices, when an accountant confirms: one internal
    journal entry per invoice in a miscellaneous journal (Dr bad debts / Cr the client's
    receivable), reconciled with the invoice's open receivable items. Nothing is sent to
    the client (no credit note). A deposit request is never written off: unpaid, it is not
    a debt (cancel it instead)."""

    _name = "rsb.dunning.writeoff.wizard"
    _description = "Write Off Overdue Invoices"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        check_company=True,
        # the server applies res.partner._rsb_owed_invoice_domain (this is the picker's hint)
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'),"
        " ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial')),"
        " ('rsb_deposit_ticket_id', '=', False)]",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
        default=lambda self: self._default_journal_id(),
        help="Miscellaneous journal of the write-off entries.",
    )
    account_id = fields.Many2one(
        "account.account",
        string="Bad Debts Account",
        required=True,
        check_company=True,
        domain="[('account_type', '=', 'expense')]",
        default=lambda self: self.env.company._rsb_get_bad_debt_account(),
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Char(required=True, default=lambda self: _("Uncollectable debt"))
    amount = fields.Monetary(compute="_compute_amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    def _default_journal_id(self):
        Journal = self.env["account.journal"]
        return Journal.search(
            [*Journal._check_company_domain(self.env.company), ("type", "=", "general")],
            limit=1,
        )

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual_signed"))

    @api.model
    def _rsb_action_open(self, partners):
        """The write-off of the client's overdue invoices (what counts as owed)."""
        partner = partners.commercial_partner_id[:1]
        moves = self.env["account.move"].search(
            partner._rsb_owed_invoice_domain(
                self.env.company, overdue_date=fields.Date.context_today(self)
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Write Off"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": partner.id, "default_move_ids": moves.ids},
        }

    def _rsb_open_receivable_lines(self, invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )

    def _prepare_writeoff_move_values(self, invoice):
        """Values of the internal entry writing off `invoice` (hook): per open receivable
        item of the invoice, a credit of what is left (in the invoice's currency) and the
        same amount debited on the bad debts account."""
        ref = _("Write-off of %(invoice)s: %(reason)s", invoice=invoice.name, reason=self.reason)
        line_vals = []
        for line in self._rsb_open_receivable_lines(invoice):
            common = {
                "partner_id": line.partner_id.id,
                "currency_id": line.currency_id.id,
            }
            line_vals += [
                fields.Command.create(
                    {
                        **common,
                        "name": ref,
                        "account_id": line.account_id.id,
                        "amount_currency": -line.amount_residual_currency,
                        "balance": -line.amount_residual,
                    }
                ),
                fields.Command.create(
                    {
                        **common,
                        "name": _("Bad debt: %s", invoice.name),
                        "account_id": self.account_id.id,
                        "amount_currency": line.amount_residual_currency,
                        "balance": line.amount_residual,
                    }
                ),
            ]
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "company_id": invoice.company_id.id,
            "date": self.date,
            "ref": ref,
            "line_ids": line_vals,
        }

    def _rsb_check_writeoff(self):
        """The invoices that can be written off, or a clear UserError."""
        if not self.env.user.has_group("account.group_account_user"):
            raise UserError(_("Only an accountant can write off invoices."))
        deposits = self.move_ids.filtered(
            lambda m: m.rsb_deposit_ticket_id and m.move_type == "out_invoice"
        )
        if deposits:
            raise UserError(
                _(
                    "%s is a deposit request: unpaid, it is not a debt and is never written "
                    "off. Cancel the request (or waive the deposit on its ticket) instead.",
                    ", ".join(deposits.mapped("display_name")),
                )
            )
        owed = self.env["res.partner"]._rsb_owed_invoice_domain(self.company_id)
        invoices = self.move_ids.filtered_domain(owed)
        if not invoices:
            raise UserError(_("There is nothing left to write off on these invoices."))
        return invoices

    def action_confirm(self):
        self.ensure_one()
        invoices = self._rsb_check_writeoff()
        entries = (
            self.env["account.move"]
            .with_context(mail_create_nolog=True)
            .create([self._prepare_writeoff_move_values(invoice) for invoice in invoices])
        )
        entries.action_post()
        for invoice, entry in zip(invoices, entries, strict=True):
            (self._rsb_open_receivable_lines(invoice) | entry.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            ).reconcile()
            invoice.message_post(
                body=_(
                    "Written off by entry %(entry)s on %(account)s: %(reason)s",
                    entry=entry.name,
                    account=self.account_id.display_name,
                    reason=self.reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        total = sum(
            entries.line_ids.filtered(lambda line: line.account_id == self.account_id).mapped(
                "balance"
            )
        )
        self.partner_id.commercial_partner_id.message_post(
            body=Markup("%s<br/>%s")
            % (
                _(
                    "Written off %(amount)s: %(reason)s",
                    amount=format_amount(self.env, total, self.currency_id),
                    reason=self.reason,
                ),
                ", ".join(invoices.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        # a write-off clears the overdue balance like a payment does
        self.partner_id.commercial_partner_id._rsb_lift_paid_credit_holds()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_journal_line")
        action.update(
            {"domain": [("id", "in", entries.ids)], "context": {"default_move_type": "entry"}}
        )
        return action
