from odoo import SUPERUSER_ID, fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    rsb_plan_line_id = fields.Many2one(
        comodel_name="rsb.payment.plan.line",
        string="Payment Plan Instalment",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

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

    def _log_message_on_linked_documents(self, message):
        res = super()._log_message_on_linked_documents(message)
        plan = self.rsb_plan_line_id.plan_id
        if plan:
            author = self.env.user.partner_id if self.env.uid == SUPERUSER_ID else self.partner_id
            plan.message_post(body=message, author_id=author.id)
        return res
