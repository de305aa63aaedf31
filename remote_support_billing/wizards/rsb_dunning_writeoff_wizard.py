from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class RsbDunningWriteoffWizard(models.TransientModel):
    """Write off a client's overdue invoices: one credit note per invoice on the bad debts
    expense account, reconciled with the invoice. Only when an accountant confirms."""

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
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'),"
        " ('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
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

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual_signed"))

    @api.model
    def _rsb_action_open(self, partners):
        partner = partners.commercial_partner_id[:1]
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Write Off"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": partner.id, "default_move_ids": moves.ids},
        }

    def _prepare_refund_values(self, invoice):
        """Values of the write-off credit note of `invoice` (hook)."""
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "invoice_date": self.date,
            "reversed_entry_id": invoice.id,
            "ref": _(
                "Write-off of %(invoice)s: %(reason)s", invoice=invoice.name, reason=self.reason
            ),
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "name": _("Bad debt: %s", invoice.name),
                        "quantity": 1.0,
                        "price_unit": invoice.amount_residual,
                        "account_id": self.account_id.id,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_user"):
            raise UserError(_("Only an accountant can write off invoices."))
        invoices = self.move_ids.filtered(
            lambda m: m.state == "posted"
            and m.payment_state in ("not_paid", "partial")
            and m.move_type == "out_invoice"
        )
        if not invoices:
            raise UserError(_("There is nothing left to write off on these invoices."))
        refunds = self.env["account.move"].create(
            [self._prepare_refund_values(invoice) for invoice in invoices]
        )
        refunds.action_post()
        for invoice, refund in zip(invoices, refunds, strict=True):
            (invoice.line_ids | refund.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            ).reconcile()
            invoice.message_post(
                body=_(
                    "Written off by credit note %(refund)s on %(account)s: %(reason)s",
                    refund=refund.name,
                    account=self.account_id.display_name,
                    reason=self.reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        self.partner_id.commercial_partner_id.message_post(
            body=Markup("%s<br/>%s")
            % (
                _(
                    "Written off %(amount)s: %(reason)s",
                    amount=format_amount(
                        self.env, -sum(refunds.mapped("amount_total_signed")), self.currency_id
                    ),
                    reason=self.reason,
                ),
                ", ".join(invoices.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        # a write-off clears the overdue balance like a payment does
        self.partner_id.commercial_partner_id._rsb_lift_paid_credit_holds()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action["domain"] = [("id", "in", refunds.ids)]
        return action
