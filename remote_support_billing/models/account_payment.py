from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        """A refund of an unused deposit is prepared as a draft outbound payment linked to
        its settle-up credit note (`invoice_ids`); once the accountant confirms it, it pays
        that credit note (reconciled on the client's receivable account)."""
        res = super().action_post()
        for payment in self.filtered("move_id"):
            credit_notes = payment.invoice_ids.filtered(
                lambda move: move.move_type == "out_refund"
                and move.state == "posted"
                and move.rsb_settlement_ticket_ids
            )
            if not credit_notes:
                continue
            account = payment.destination_account_id
            (payment.move_id.line_ids + credit_notes.line_ids).filtered(
                lambda line, account=account: line.account_id == account and not line.reconciled
            ).reconcile()
        return res
