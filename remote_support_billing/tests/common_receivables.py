from odoo import fields

from .common import RSBCommon


class RSBReceivablesCommon(RSBCommon):
    """`RSBCommon` plus helpers to build invoices, credit notes and payment plans."""

    @classmethod
    def _create_invoice(
        cls, partner, amount, invoice_date, due_date=None, move_type="out_invoice", post=True
    ):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "journal_id": cls.sale_journal.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date or invoice_date,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    fields.Command.create(
                        {
                            "product_id": cls.product_hour.id,
                            "quantity": 1.0,
                            "price_unit": amount,
                            "tax_ids": [fields.Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _create_payment(cls, partner, amount, date, **vals):
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": date,
                "journal_id": cls.bank_journal.id,
                **vals,
            }
        )
        payment.action_post()
        return payment

    @classmethod
    def _register_payment(cls, invoice, amount=None):
        """Pay an invoice as the accountant would, through the payment register wizard (a
        deposit request, a draft until paid, through "Register Deposit Payment")."""
        if invoice.state == "draft" and invoice.rsb_deposit_ticket_id:
            return invoice.rsb_deposit_ticket_id._rsb_register_deposit_payment(
                cls.bank_journal, amount
            )
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": cls.bank_journal.id, **({"amount": amount} if amount else {})})
        )
        return wizard._create_payments()

    @classmethod
    def _reconcile(cls, payment, moves):
        lines = (payment.move_id.line_ids | moves.line_ids).filtered(
            lambda line: line.account_id == payment.destination_account_id and not line.reconciled
        )
        lines.reconcile()

    def _plan_vals(self, invoices, **vals):
        return {
            "partner_id": invoices.commercial_partner_id[:1].id or self.client_a.id,
            "invoice_ids": [fields.Command.set(invoices.ids)],
            "instalment_count": 6,
            "frequency": "monthly",
            "interest_rate": 12.0,
            "first_date": "2026-04-01",
            "down_payment": 0.0,
            "down_payment_journal_id": self.bank_journal.id,
            **vals,
        }

    def _create_plan(self, invoices, user=None, **vals):
        env = self.env(user=user or self.accountant)
        return env["rsb.payment.plan"].create(self._plan_vals(invoices, **vals))

    def _pay_instalment(self, plan, line=None, amount=None, date=None, user=None):
        """An instalment received by bank transfer, recorded from the plan."""
        line = line or plan.next_line_id
        env = self.env(user=user or self.accountant)
        payment = env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": plan.partner_id.id,
                "amount": amount if amount is not None else line.amount_residual,
                "date": date or fields.Date.context_today(plan),
                "journal_id": self.bank_journal.id,
                "rsb_payment_plan_id": plan.id,
                "rsb_plan_line_id": line.id,
            }
        )
        payment.action_post()
        return payment
