"""Write off a client's uncollectable invoices: a credit note carrying the invoices' taxes (tax
relief) on the bad debts account, or, where the company prefers it, an internal journal
entry."""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class RsbDunningWriteoffWizard(models.TransientModel):
    """Write off a client's overdue invoices, when an accountant confirms, as the company's
    write-off method says (`res.company.rsb_writeoff_method`):

    - credit note (default): one customer credit note per invoice, in the invoice's journal
      and currency, of what is left of it: the invoice's lines prorated to its residual,
      with their taxes, on the bad debts account. Posting it reverses the output tax of
      the unpaid part (VAT / sales-tax bad-debt relief) and puts the untaxed part on bad
      debts;
    - journal entry: one internal entry per invoice in a miscellaneous journal (Dr bad debts
      / Cr the client's receivable) of the whole residual, taxes included (no tax relief).

    Either is reconciled with the invoice's open receivable items, and nothing is sent to
    the client. A deposit request is never written off: unpaid, it is not a debt (cancel it
    instead)."""

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
    method = fields.Selection(
        selection=lambda self: self.env["res.company"]
        ._fields["rsb_writeoff_method"]
        ._description_selection(self.env),
        string="Write-off Method",
        required=True,
        default=lambda self: self.env.company.rsb_writeoff_method,
        help="Credit note: the invoice's taxes are credited too (tax relief), the untaxed "
        "part goes to bad debts. Journal entry: the whole amount, taxes included, on bad "
        "debts.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        default=lambda self: self._default_journal_id(),
        help="Miscellaneous journal of the write-off entries (journal entry method; a "
        "credit note goes in its invoice's journal).",
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

    def _prepare_writeoff_refund_values(self, invoice):
        """Values of the credit note writing off `invoice` (hook): in the invoice's journal,
        currency and fiscal position, with each of its lines prorated to what is left to pay
        (the residual over the total), same taxes, on the bad debts account. A rounding
        difference left by the proration is added by `_rsb_writeoff_refunds` as an untaxed
        line.

        Not a reversal of the invoice (no ``reversed_entry_id``): the work was done and
        billed, the debt is lost. A reversal of a settle-up invoice reopens its tickets and
        releases their time to be billed again; a write-off leaves them settled. The credit
        note names the invoice in its reference and is reconciled with it."""
        residual = sum(self._rsb_open_receivable_lines(invoice).mapped("amount_residual_currency"))
        ratio = residual / invoice.amount_total if invoice.amount_total else 1.0
        ref = _("Write-off of %(invoice)s: %(reason)s", invoice=invoice.name, reason=self.reason)
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        return {
            "move_type": "out_refund",
            "journal_id": invoice.journal_id.id,
            "company_id": invoice.company_id.id,
            "partner_id": invoice.partner_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "invoice_date": self.date,
            "date": self.date,
            "ref": ref,
            "invoice_origin": invoice.name,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": _("Bad debt: %(line)s", line=line.name or invoice.name),
                        "quantity": line.quantity,
                        "product_uom_id": line.product_uom_id.id,
                        "price_unit": line.price_unit * ratio,
                        "discount": line.discount,
                        "tax_ids": [fields.Command.set(line.tax_ids.ids)],
                        "account_id": self.account_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    }
                )
                for line in lines
            ],
        }

    def _rsb_writeoff_refunds(self, invoices):
        """The posted write-off credit notes of `invoices`, in their order: each credits
        exactly what is left of its invoice (a rounding cent of the proration on an untaxed
        bad debts line)."""
        Move = self.env["account.move"].with_context(mail_create_nolog=True)
        refunds = Move.create([self._prepare_writeoff_refund_values(inv) for inv in invoices])
        for invoice, refund in zip(invoices, refunds, strict=True):
            residual = sum(
                self._rsb_open_receivable_lines(invoice).mapped("amount_residual_currency")
            )
            difference = invoice.currency_id.round(residual - refund.amount_total)
            if not invoice.currency_id.is_zero(difference):
                refund.write(
                    {
                        "invoice_line_ids": [
                            fields.Command.create(
                                {
                                    "name": _("Rounding of the write-off of %s", invoice.name),
                                    "quantity": 1.0,
                                    "price_unit": difference,
                                    "tax_ids": [fields.Command.clear()],
                                    "account_id": self.account_id.id,
                                }
                            )
                        ]
                    }
                )
        refunds.action_post()
        return refunds

    def _rsb_writeoff_entries(self, invoices):
        """The posted internal write-off entries of `invoices`, in their order."""
        entries = (
            self.env["account.move"]
            .with_context(mail_create_nolog=True)
            .create([self._prepare_writeoff_move_values(invoice) for invoice in invoices])
        )
        entries.action_post()
        return entries

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
        if self.method == "entry" and not self.journal_id:
            raise UserError(_("Choose the miscellaneous journal of the write-off entries."))
        return invoices

    def action_confirm(self):
        self.ensure_one()
        invoices = self._rsb_check_writeoff()
        if self.method == "credit_note":
            entries = self._rsb_writeoff_refunds(invoices)
        else:
            entries = self._rsb_writeoff_entries(invoices)
        for invoice, entry in zip(invoices, entries, strict=True):
            (self._rsb_open_receivable_lines(invoice) | entry.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            ).reconcile()
            invoice.message_post(
                body=_(
                    "Written off by %(entry)s on %(account)s: %(reason)s",
                    entry=entry.name,
                    account=self.account_id.display_name,
                    reason=self.reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        # what the client no longer owes (taxes included), in the company's currency
        total = -sum(
            entries.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            ).mapped("balance")
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
        if self.method == "credit_note":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "account.action_move_out_refund_type"
            )
            context = {"default_move_type": "out_refund", "create": False}
        else:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "account.action_move_journal_line"
            )
            context = {"default_move_type": "entry"}
        action.update({"domain": [("id", "in", entries.ids)], "context": context})
        return action
