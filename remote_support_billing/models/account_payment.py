"""Payments seen from the addon: confirmed refunds matched with their credit note, plan payments
applied by schedule."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount


class AccountPayment(models.Model):
    _inherit = "account.payment"

    rsb_payment_plan_id = fields.Many2one(
        comodel_name="rsb.payment.plan",
        string="Payment Plan",
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="When posted, the payment is applied as the plan's schedule says: the "
        "instalment's interest first, then the plan's invoices, oldest first.",
    )
    rsb_plan_line_id = fields.Many2one(
        comodel_name="rsb.payment.plan.line",
        string="Instalment",
        copy=False,
        index="btree_not_null",
        domain="[('plan_id', '=', rsb_payment_plan_id)]",
    )

    @api.constrains("rsb_payment_plan_id", "rsb_plan_line_id", "partner_id")
    def _check_rsb_payment_plan(self):
        for payment in self.filtered("rsb_payment_plan_id"):
            plan = payment.rsb_payment_plan_id
            if payment.rsb_plan_line_id and payment.rsb_plan_line_id.plan_id != plan:
                raise ValidationError(
                    _(
                        "Instalment %(seq)s is not part of plan %(plan)s.",
                        seq=payment.rsb_plan_line_id.sequence,
                        plan=plan.name,
                    )
                )
            if payment.partner_id.commercial_partner_id != plan.partner_id:
                raise ValidationError(
                    _(
                        "Payment plan %(plan)s is %(client)s's: the payment must come from them.",
                        plan=plan.name,
                        client=plan.partner_id.display_name,
                    )
                )

    def action_post(self):
        """A refund of an unused deposit is prepared as a draft outbound payment linked to
        its settle-up credit note (`invoice_ids`); once the accountant confirms it, it pays
        that credit note (reconciled on the client's receivable account). A payment of a
        payment plan is applied as the plan's schedule says."""
        self._rsb_check_refunds_still_owed()
        res = super().action_post()
        for payment in self.filtered("move_id"):
            # in sudo: the accountant confirming it may have no access to helpdesk tickets
            credit_notes = payment.invoice_ids.sudo().filtered(
                lambda move: move.move_type == "out_refund"
                and move.state == "posted"
                and (move.rsb_settlement_ticket_ids or move.line_ids.rsb_deposit_ticket_id)
            )
            if not credit_notes:
                continue
            account = payment.destination_account_id
            (payment.move_id.line_ids + credit_notes.line_ids).filtered(
                lambda line, account=account: line.account_id == account and not line.reconciled
            ).reconcile()
        plan_payments = self.filtered(
            lambda p: p.rsb_payment_plan_id
            and p.payment_type == "inbound"
            and p.move_id.state == "posted"
        )
        for payment in plan_payments:
            payment.rsb_payment_plan_id._rsb_apply_payment(payment)
        plan_payments.rsb_payment_plan_id._rsb_check_done()
        return res

    def _rsb_check_refunds_still_owed(self):
        """A draft refund of a ticket's deposit pays its credit note: it is confirmed only
        while that credit note is posted, not reversed, and still owes the client what the
        refund sends (a reversed credit note holds the deposit again: a later Cancel Session
        would refund it a second time). Other payments keep Odoo's contract."""
        for payment in self.filtered(lambda p: p.payment_type == "outbound"):
            credit_notes = payment.invoice_ids.sudo().filtered(
                lambda move: move.move_type == "out_refund"
                and (move.rsb_settlement_ticket_ids or move.line_ids.rsb_deposit_ticket_id)
            )
            if not credit_notes:
                continue
            still_open = credit_notes.filtered(
                lambda move: move.state == "posted"
                and not move.reversal_move_ids.filtered(lambda r: r.state == "posted")
                and not move.currency_id.is_zero(move.amount_residual)
            )
            currency = payment.currency_id
            if still_open and still_open.currency_id == currency:
                owed = sum(still_open.mapped("amount_residual"))
                owed_enough = currency.compare_amounts(payment.amount, owed) <= 0
            else:
                owed_enough = bool(still_open)
            if not owed_enough:
                raise UserError(
                    _(
                        "%(payment)s refunds %(amount)s on %(moves)s, which no longer owes the "
                        "client that much (reversed, cancelled, already paid or used on another "
                        "invoice): confirming it would send the money a second time. Cancel "
                        "this draft refund.",
                        amount=format_amount(self.env, payment.amount, payment.currency_id),
                        payment=payment.display_name,
                        moves=", ".join(credit_notes.mapped("display_name")),
                    )
                )
