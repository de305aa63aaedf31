"""Online payments of deposits and plan instalments: pinned to what is due, booked on the plan.
Every online payment of an invoice: a positive, bounded amount, never more than is left to pay."""

import math

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import UserError

# The largest amount a transaction may carry (cents stay exact in a float; beyond, rounding
# the amount to its currency overflows).
MAX_AMOUNT = 10**12


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    rsb_plan_line_id = fields.Many2one(
        comodel_name="rsb.payment.plan.line",
        string="Payment Plan Instalment",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._rsb_check_amount_bounded(vals_list)
        transactions = super().create(vals_list)
        # Whatever the route (portal invoice page, payment link, RPC), an online payment of a
        # deposit starts only if the deposit is still due and the agreement is accepted.
        payments = transactions.filtered(lambda tx: tx.operation not in ("refund", "validation"))
        payments.invoice_ids._rsb_check_deposit_payable()
        payments._rsb_check_amount_due()
        payments._rsb_check_invoice_amount()
        return transactions

    @api.model
    def _rsb_check_amount_bounded(self, vals_list):
        """An amount is a finite number of at most MAX_AMOUNT (either sign: a refund is
        negative); else a UserError before anything is written (rounding 1e308 to the
        currency would fail with a server error)."""
        for vals in vals_list:
            try:
                amount = float(vals.get("amount") or 0.0)
            except (TypeError, ValueError) as error:
                raise UserError(_("The amount of a payment must be a number.")) from error
            if not math.isfinite(amount) or abs(amount) > MAX_AMOUNT:
                raise UserError(
                    _("The amount of a payment is too large: %(amount)s.", amount=amount)
                )

    def _rsb_check_invoice_amount(self):
        """An online payment of invoices (any invoice: ours or not) is for a positive amount,
        and, on posted customer invoices in its currency, for no more than is left to pay on
        them (an early payment discount or an instalment pays less: Odoo allows it). A draft
        or other document keeps Odoo's behaviour (any positive amount). An instalment is
        pinned to its own amount by `_rsb_check_amount_due`."""
        for tx in self.filtered(lambda t: t.invoice_ids and not t.rsb_plan_line_id):
            currency = tx.currency_id
            if currency.compare_amounts(tx.amount, 0.0) <= 0:
                raise UserError(_("A payment must be for a positive amount."))
            invoices = tx.invoice_ids
            if not all(
                m.state == "posted"
                and m.move_type in ("out_invoice", "out_receipt")
                and m.currency_id == currency
                for m in invoices
            ):
                continue
            due = sum(invoices.mapped("amount_residual"))
            if currency.compare_amounts(tx.amount, due) > 0:
                raise UserError(
                    _(
                        "The amount left to pay is %(due)s: a payment of %(amount)s is not "
                        "accepted.",
                        due=tx._rsb_format(due),
                        amount=tx._rsb_format(tx.amount),
                    )
                )

    def _rsb_check_amount_due(self):
        """A payment of a deposit or of a plan instalment is for exactly what is left to pay
        on it, in its currency, whatever the browser or the caller sent: never negative, never
        more, and less only for a deposit when the company allows partial deposit payments.
        Raise a UserError otherwise (the transaction is then not created)."""
        for tx in self:
            deposits = tx.invoice_ids.filtered(
                lambda m: m.rsb_deposit_ticket_id and m.move_type == "out_invoice"
            )
            line = tx.rsb_plan_line_id
            if not deposits and not line:
                continue
            currency = tx.currency_id
            if currency.compare_amounts(tx.amount, 0.0) <= 0:
                raise UserError(_("A payment must be for a positive amount."))
            if line:
                due_currency = line.plan_id.currency_id
                due = line.amount_residual
                partial = False
            else:
                due_currency = tx.invoice_ids.currency_id
                due = sum(tx.invoice_ids.mapped("amount_residual"))
                partial = all(deposits.company_id.mapped("rsb_allow_partial_deposit"))
            if due_currency != currency:
                raise UserError(
                    _(
                        "This payment must be made in %(currency)s.",
                        currency=due_currency[:1].name or "",
                    )
                )
            comparison = currency.compare_amounts(tx.amount, due)
            if comparison > 0 or (comparison < 0 and not partial):
                raise UserError(
                    _(
                        "The amount to pay is %(due)s: a payment of %(amount)s is not accepted.",
                        due=tx._rsb_format(due),
                        amount=tx._rsb_format(tx.amount),
                    )
                    if comparison > 0 or line
                    else _(
                        "A deposit is paid in full: the amount to pay is %(due)s, "
                        "a payment of %(amount)s is not accepted.",
                        due=tx._rsb_format(due),
                        amount=tx._rsb_format(tx.amount),
                    )
                )

    def _rsb_format(self, amount):
        return tools.format_amount(self.env, amount, self.currency_id)

    def _create_payment(self, **extra_create_values):
        """An instalment paid online: the payment is the plan client's and carries its plan
        and instalment, so that posting it applies it as the schedule says (see
        `account.payment.action_post`)."""
        if self.rsb_plan_line_id:
            plan = self.rsb_plan_line_id.plan_id
            extra_create_values.setdefault("rsb_payment_plan_id", plan.id)
            extra_create_values.setdefault("rsb_plan_line_id", self.rsb_plan_line_id.id)
            # paid through the plan's link by whoever holds it: it is the client's payment
            extra_create_values.setdefault("partner_id", plan.partner_id.id)
        return super()._create_payment(**extra_create_values)

    def _update_state(self, allowed_states, target_state, state_message):
        """A pay-now payment that changes state (pending, authorized, done, failed) is shown
        live on its ticket's form (`helpdesk.ticket._rsb_notify_pay_now`)."""
        updated = super()._update_state(allowed_states, target_state, state_message)
        updated._rsb_get_pay_now_tickets()._rsb_notify_pay_now()
        return updated

    def _rsb_get_pay_now_tickets(self):
        """The tickets whose pay-now request these transactions pay."""
        moves = self.sudo().invoice_ids.filtered("rsb_deposit_ticket_id")
        return moves.rsb_deposit_ticket_id.filtered(lambda t: t.rsb_pay_now_move_id in moves)

    def _post_process(self):
        """A pay-now request paid twice (two tabs, two cards): the second payment finds nothing
        left to pay and stays the client's credit; its ticket says so."""
        res = super()._post_process()
        for tx in self.filtered(lambda t: t.state == "done" and t.payment_id):
            tickets = tx._rsb_get_pay_now_tickets()
            if not tickets:
                continue
            line = tx.payment_id.move_id.line_ids.filtered(
                lambda ln: ln.account_id.account_type == "asset_receivable"
            )
            if line and not tx.currency_id.is_zero(sum(line.mapped("amount_residual_currency"))):
                tickets._rsb_on_pay_now_extra_payment(tx)
        return res

    def _log_message_on_linked_documents(self, message):
        res = super()._log_message_on_linked_documents(message)
        plan = self.rsb_plan_line_id.plan_id
        if plan:
            author = self.env.user.partner_id if self.env.uid == SUPERUSER_ID else self.partner_id
            plan.message_post(body=message, author_id=author.id)
        return res
