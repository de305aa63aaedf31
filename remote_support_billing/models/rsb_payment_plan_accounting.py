"""Payment plans in the books: the down payment, the interest invoices, how a payment is
applied, dunning paused on the plan's invoices, and what was collected (money actually
paid, read from the reconciliations)."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount


class RsbPaymentPlan(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.payment.plan"  # pylint: disable=consider-merging-classes-inherited

    amount_paid_before = fields.Monetary(
        string="Paid Before the Plan",
        readonly=True,
        copy=False,
        help="Paid on the invoices by payments before the plan was confirmed, down payment "
        "excepted: not collected by the plan.",
    )
    # Read from the books when displayed (not stored: storing them would make every change of
    # any invoice's balance look for plans to recompute), as the system: a client reading
    # their plan cannot read draft interest invoices.
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_amount_collected",
        compute_sudo=True,
        help="Paid by the client since the plan started, the down payment excepted: "
        "principal paid on the invoices plus interest paid. Only payments count: a write-off "
        "or a credit note lowers what is open, not what is collected.",
    )
    amount_remaining = fields.Monetary(
        string="Remaining", compute="_compute_amount_collected", compute_sudo=True
    )
    amount_paid_total = fields.Monetary(
        string="Paid So Far",
        compute="_compute_amount_collected",
        compute_sudo=True,
        help="The down payment plus what was collected on the instalments.",
    )
    amount_open = fields.Monetary(
        string="Open Balance",
        compute="_compute_amount_open",
        compute_sudo=True,
        help="What the client still owes on the plan's invoices and posted interest.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends(
        "state",
        "amount_scheduled",
        "amount_paid_before",
        "down_payment_id",
        "invoice_ids.amount_residual",
        "line_ids.interest_move_id.state",
        "line_ids.interest_move_id.amount_residual",
    )
    def _compute_amount_collected(self):
        paid = self._rsb_amounts_paid()
        for plan in self:
            invoices, interest, down = paid[plan.id]
            if plan.state == "draft":
                collected = 0.0
            else:
                principal = max(invoices - plan.amount_paid_before, 0.0)
                collected = plan.currency_id.round(principal + interest)
            plan.amount_collected = collected
            plan.amount_remaining = max(plan.amount_scheduled - collected, 0.0)
            plan.amount_paid_total = plan.currency_id.round(collected + down)

    @api.depends("invoice_ids.amount_residual", "line_ids.interest_move_id.amount_residual")
    def _compute_amount_open(self):
        for plan in self:
            moves = plan.invoice_ids | plan.line_ids.interest_move_id.filtered(
                lambda m: m.state == "posted"
            )
            plan.amount_open = sum(moves.mapped("amount_residual"))

    # ------------------------------------------------------------------ business
    def _rsb_amounts_paid(self):
        """What payments paid on each plan's documents, from the reconciliations of their
        receivable lines, in the plan's currency (one query for all the plans).

        Only money counts: a counterpart that is a customer payment or a bank statement
        line. A write-off entry, a credit note or another invoice settles a debt without
        money coming in, so it is not collected.

        :return: {plan id: (paid on the invoices by other payments than the down payment,
                  interest paid, paid by the down payment)}
        """
        result = defaultdict(lambda: (0.0, 0.0, 0.0))
        kinds = defaultdict(list)  # move id -> [(plan, "invoices" or "interest")]
        # a plan being edited (onchange) holds new records: their _origin is in the books
        for plan in self.filtered(lambda p: p.state != "draft"):
            for move in plan.invoice_ids._origin:
                kinds[move.id].append((plan, "invoices"))
            interest = plan.line_ids.interest_move_id._origin
            for move in interest.filtered(lambda m: m.state == "posted"):
                kinds[move.id].append((plan, "interest"))
        if not kinds:
            return result
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "account_id", "parent_state"])
        self.env["account.move"].flush_model(["origin_payment_id", "statement_line_id"])
        rows = self.env.execute_query(
            SQL(
                """
            SELECT line.move_id, part.debit_amount_currency, other.move_id,
                   other_move.origin_payment_id IS NOT NULL
                   OR other_move.statement_line_id IS NOT NULL
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_partial_reconcile part ON part.debit_move_id = line.id
              JOIN account_move_line other ON other.id = part.credit_move_id
              JOIN account_move other_move ON other_move.id = other.move_id
             WHERE line.move_id = ANY(%(moves)s)
               AND account.account_type = 'asset_receivable' AND line.parent_state = 'posted'
         UNION ALL
            SELECT line.move_id, -part.credit_amount_currency, other.move_id,
                   other_move.origin_payment_id IS NOT NULL
                   OR other_move.statement_line_id IS NOT NULL
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN account_partial_reconcile part ON part.credit_move_id = line.id
              JOIN account_move_line other ON other.id = part.debit_move_id
              JOIN account_move other_move ON other_move.id = other.move_id
             WHERE line.move_id = ANY(%(moves)s)
               AND account.account_type = 'asset_receivable' AND line.parent_state = 'posted'
                """,
                moves=list(kinds),
            )
        )
        totals = defaultdict(lambda: defaultdict(float))
        for move_id, amount, counter_move_id, is_payment in rows:
            for plan, kind in kinds[move_id]:
                if counter_move_id == plan.down_payment_id._origin.move_id.id:
                    totals[plan.id]["down"] += amount
                elif is_payment:
                    totals[plan.id][kind] += amount
        for plan_id, paid in totals.items():
            result[plan_id] = (paid["invoices"], paid["interest"], paid["down"])
        return result

    def _rsb_register_down_payment(self):
        """The amount paid now, as a posted customer payment applied to the invoices."""
        self.ensure_one()
        if self.currency_id.is_zero(self.down_payment):
            return
        payment = self.env["account.payment"].create(self._prepare_rsb_down_payment_values())
        payment.action_post()
        self.down_payment_id = payment

    def _prepare_rsb_down_payment_values(self):
        self.ensure_one()
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.down_payment_journal_id.id,
            "amount": self.down_payment,
            "currency_id": self.currency_id.id,
            "date": fields.Date.context_today(self),
            "memo": _("%s: paid now", self.name),
            "rsb_payment_plan_id": self.id,
        }

    def _rsb_create_interest_invoices(self, lines=None):
        """The interest invoices of the instalments that fell due (`lines`, default: this
        plan's instalments due today or before), created and posted when due, never ahead
        as drafts (a draft dated on a future instalment showed as "To Validate" on the
        Invoicing dashboard and could take the first number of a future year). An invoice
        issued early (the instalment paid ahead) is dated the day it is issued, due on the
        instalment. :return: the posted interest invoices"""
        today = fields.Date.context_today(self)
        if lines is None:
            lines = self.line_ids.filtered(lambda line: line.date <= today)
        lines = lines.filtered(
            lambda line: not line.currency_id.is_zero(line.interest)
            and not line.interest_move_id.filtered(lambda m: m.state != "cancel")
        )
        if not lines:
            return self.env["account.move"]
        product = self.env.ref("remote_support_billing.product_rsb_plan_interest")
        journals = {}
        for company in lines.company_id:
            journals[company] = company._rsb_get_sale_journal()
        vals_list = []
        for line in lines:
            vals = line._prepare_rsb_interest_invoice_values(journals[line.company_id], product)
            vals["invoice_date"] = min(line.date, today)
            vals_list.append(vals)
        moves = self.env["account.move"].create(vals_list)
        for line, move in zip(lines, moves, strict=True):
            line.interest_move_id = move
        moves.action_post()
        return moves

    def _rsb_pause_values(self):
        self.ensure_one()
        return {
            "rsb_dunning_pause_reason": "payment_plan",
            "rsb_dunning_pause_until": self.end_date,
            "rsb_dunning_pause_note": self.name,
        }

    def _rsb_pause_dunning(self):
        for plan in self:
            open_invoices = plan.invoice_ids.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            open_invoices.write(plan._rsb_pause_values())

    def _rsb_resume_dunning(self):
        """Clear the plan's pause on its invoices; their dunning level is left as it was,
        so dunning resumes where it stopped."""
        for plan in self:
            moves = (plan.invoice_ids | plan.line_ids.interest_move_id).filtered(
                lambda m, name=plan.name: m.rsb_dunning_pause_reason == "payment_plan"
                and m.rsb_dunning_pause_note == name
            )
            moves.write(
                {
                    "rsb_dunning_pause_reason": False,
                    "rsb_dunning_pause_until": False,
                    "rsb_dunning_pause_note": False,
                }
            )

    def _rsb_cancel_future_interest(self):
        drafts = self.line_ids.interest_move_id.filtered(lambda m: m.state == "draft")
        drafts.button_cancel()

    def _rsb_get_line_to_pay(self):
        """The instalment the client pays next (paying ahead of time is allowed)."""
        self.ensure_one()
        if self.state != "active":
            return self.env["rsb.payment.plan.line"]
        return self.next_line_id

    def _rsb_open_moves_for(self, line):
        """What a payment of ``line`` pays: its interest invoice, then the open invoices."""
        self.ensure_one()
        open_invoices = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
        )
        interest = line.interest_move_id.filtered(lambda m: m.state != "cancel")
        return interest | open_invoices

    def _rsb_apply_payment(self, payment):
        """Reconcile a plan payment as the schedule says: the instalment's interest invoice
        first, then the plan's invoices oldest due date first. What is left stays on the
        client's account as an outstanding credit."""
        self.ensure_one()
        account = payment.destination_account_id

        def open_lines(moves):
            return moves.line_ids.filtered(
                lambda line: line.account_id == account
                and line.parent_state == "posted"
                and not line.reconciled
            )

        interest = payment.rsb_plan_line_id.interest_move_id
        if not interest:  # paid ahead of its date: its interest is invoiced now
            interest = self._rsb_create_interest_invoices(payment.rsb_plan_line_id)
        elif interest.state == "draft":
            interest.action_post()  # a draft of an older version of the plan
        for debts in (interest, self.invoice_ids):
            counterpart = open_lines(payment.move_id)
            debt_lines = open_lines(debts)
            if counterpart and debt_lines:
                (counterpart + debt_lines).reconcile()
        line = payment.rsb_plan_line_id
        paid = format_amount(self.env, payment.amount, payment.currency_id)
        if line:
            body = _(
                "Payment %(payment)s of %(amount)s received for instalment %(seq)s of "
                "%(count)s of plan %(plan)s.",
                payment=payment.name,
                amount=paid,
                seq=line.sequence,
                count=len(self.line_ids),
                plan=self.name,
            )
        else:
            body = _(
                "Payment %(payment)s of %(amount)s received on plan %(plan)s.",
                payment=payment.name,
                amount=paid,
                plan=self.name,
            )
        self._rsb_log_event(body)
