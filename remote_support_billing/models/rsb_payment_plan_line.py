"""Payment plan instalments: one row of a plan's schedule, and what of it is paid."""

from odoo import _, api, fields, models

LINE_STATES = [("open", "To Pay"), ("partial", "Partly Paid"), ("paid", "Paid")]


class RsbPaymentPlanLine(models.Model):
    """One instalment of a payment plan: its date and how it splits into principal and
    interest. What the client has paid is spread over the instalments in order."""

    _name = "rsb.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, sequence"

    plan_id = fields.Many2one(
        comodel_name="rsb.payment.plan", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(string="No.", required=True)
    date = fields.Date(required=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Client")
    principal = fields.Monetary()
    interest = fields.Monetary()
    amount = fields.Monetary(string="Payment", help="Principal plus interest.")
    balance = fields.Monetary(
        string="Remaining Balance", help="Principal still owed after this instalment."
    )
    interest_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Interest Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    payment_ids = fields.One2many(
        comodel_name="account.payment", inverse_name="rsb_plan_line_id", string="Payments"
    )
    amount_paid = fields.Monetary(compute="_compute_amount_paid", compute_sudo=True)
    amount_residual = fields.Monetary(
        string="Left to Pay", compute="_compute_amount_paid", compute_sudo=True
    )
    state = fields.Selection(
        selection=LINE_STATES, compute="_compute_amount_paid", compute_sudo=True
    )

    @api.depends("amount", "sequence", "plan_id.amount_collected")
    def _compute_amount_paid(self):
        """What was collected on the plan pays its instalments in order (not stored, like
        the plan's collected amount it comes from)."""
        for plan, lines in self.grouped("plan_id").items():
            available = plan.amount_collected
            for line in plan.line_ids.sorted("sequence"):
                paid = min(max(available, 0.0), line.amount)
                available -= paid
                if line not in lines:
                    continue
                currency = line.currency_id
                line.amount_paid = paid
                line.amount_residual = currency.round(line.amount - paid)
                if currency.is_zero(line.amount_residual):
                    line.state = "paid"
                elif currency.is_zero(paid):
                    line.state = "open"
                else:
                    line.state = "partial"
        for line in self.filtered(lambda line: not line.plan_id):
            line.amount_paid = 0.0
            line.amount_residual = line.amount
            line.state = "open"

    def _rsb_payment_reference(self):
        self.ensure_one()
        return f"{self.plan_id.name}-{self.sequence}"

    def _prepare_rsb_interest_invoice_values(self, journal, product):
        """The instalment's interest as a draft customer invoice, dated and due on the
        instalment; the daily cron posts it on its date (or the payment of the instalment,
        if earlier). Dunning skips it while the plan is on track. Hook."""
        self.ensure_one()
        plan = self.plan_id
        return {
            "move_type": "out_invoice",
            "company_id": plan.company_id.id,
            "journal_id": journal.id,
            "partner_id": plan.partner_id.id,
            "currency_id": plan.currency_id.id,
            "invoice_date": self.date,
            "invoice_date_due": self.date,
            "invoice_payment_term_id": False,
            "invoice_origin": plan.name,
            "invoice_user_id": plan.user_id.id,
            **plan._rsb_pause_values(),
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "product_id": product.id,
                        "name": _(
                            "Interest on instalment %(seq)s of %(count)s of payment plan %(plan)s",
                            seq=self.sequence,
                            count=len(plan.line_ids),
                            plan=plan.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.interest,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }
