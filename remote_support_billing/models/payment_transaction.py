from odoo import api, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    @api.model_create_multi
    def create(self, vals_list):
        transactions = super().create(vals_list)
        # Whatever the route (portal invoice page, payment link, RPC), an online payment of a
        # deposit starts only if the deposit is still due and the agreement is accepted.
        transactions.filtered(
            lambda tx: tx.operation != "refund"
        ).invoice_ids._rsb_check_deposit_payable()
        return transactions
