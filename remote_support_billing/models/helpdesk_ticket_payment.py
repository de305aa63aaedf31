"""Money in and out for a ticket through Odoo's payments: the saved card charged for what is
due, the client's kept credit used first, the unused deposit refunded through the provider or
by a payment the accountant confirms."""

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_payment_token_id = fields.Many2one(
        comodel_name="payment.token",
        string="Saved Payment Method",
        readonly=True,
        copy=False,
        help="The payment method the client chose to save, with their consent, when paying "
        "the deposit: the settle-up charges it for the difference.",
    )

    rsb_money_out_ids = fields.One2many(
        comodel_name="rsb.money.out",
        inverse_name="ticket_id",
        string="Money Out",
        readonly=True,
        copy=False,
        help="Card charges and provider refunds of the ticket, sent after their settle-up "
        "was saved: queued, sending, sent or failed (with the provider's reason).",
    )

    # ------------------------------------------------------------------ money out / in
    def _rsb_apply_unused_deposit(self, credit_note, amount):
        """Refund the unused deposit or keep it as the client's credit, per policy.

        :return: a sentence for the chatter
        """
        self.ensure_one()
        return self._rsb_apply_unused_deposits({self: (credit_note, amount)})[self]

    def _rsb_apply_unused_deposits(self, returns):
        """Refund each unused deposit or keep it as the client's credit, per policy: kept,
        refunded through the provider that took it, or a draft refund payment for an
        accountant to confirm (held with an activity when the user may not send that much).
        The draft payments of the batch are made with one create.

        :param returns: {ticket: (credit note returning the unused deposit, its amount)}
        :return: {ticket: a sentence for the chatter}
        """
        sentences, drafts = {}, []
        for ticket in self:
            credit_note, amount = returns[ticket]
            amount_text = format_amount(self.env, amount, credit_note.currency_id)
            if ticket._rsb_get_unused_deposit_policy() != "refund":
                sentences[ticket] = _(
                    "%(amount)s kept as the client's credit (%(move)s): it is offered on "
                    "their next invoice.",
                    amount=amount_text,
                    move=credit_note.name,
                )
                continue
            held = not ticket._rsb_may_send_money_out(amount, credit_note.currency_id)
            refund = (
                self.env["rsb.money.out"]
                if held
                else ticket._rsb_refund_through_provider(credit_note, amount)
            )
            if refund:
                sentences[ticket] = _(
                    "%(amount)s to refund through %(provider)s (%(reference)s): sent once "
                    "this settle-up is saved; the result is posted here.",
                    amount=amount_text,
                    provider=refund.source_transaction_id.provider_id.name,
                    reference=refund.name,
                )
                continue
            drafts.append((ticket, amount_text, held))
        payments = self.env["account.payment"].create(
            [
                ticket._prepare_rsb_refund_payment_values(*returns[ticket])
                for ticket, _text, _held in drafts
            ]
        )
        for (ticket, amount_text, held), payment in zip(drafts, payments, strict=True):
            if held:
                sentences[ticket] = ticket._rsb_hold_money_out(
                    _("Refund the unused deposit"),
                    _(
                        "%(amount)s to refund to the client: sending money out needs an "
                        "accountant (beyond what %(user)s may send). Draft payment %(payment)s "
                        "waits for an accountant to confirm it.",
                        amount=amount_text,
                        user=self.env.user.name,
                        payment=payment.display_name,
                    ),
                )
            else:
                sentences[ticket] = _(
                    "%(amount)s to refund: a draft payment to %(partner)s waits for "
                    "accounting to confirm it.",
                    amount=amount_text,
                    partner=payment.partner_id.display_name,
                )
        return sentences

    def _rsb_get_deposit_transaction(self):
        """The online payment transaction that paid the deposit, if any."""
        self.ensure_one()
        return self.rsb_deposit_move_id.transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation != "refund"
            and not tx.source_transaction_id
        ).sorted("id")[-1:]

    def _rsb_refund_through_provider(self, credit_note, amount):
        """Queue the refund of `amount` on the transaction that paid the deposit, when its
        provider and payment method support it; it is sent after the commit
        (rsb.money.out), and its payment pays the credit note.

        :return: the queued rsb.money.out, or an empty recordset when not possible
        """
        self.ensure_one()
        MoneyOut = self.env["rsb.money.out"].sudo()
        tx = self._rsb_get_deposit_transaction()
        if not tx or tx.currency_id != credit_note.currency_id:
            return MoneyOut
        provider = tx.provider_id
        method = tx.payment_method_id.primary_payment_method_id or tx.payment_method_id
        supports = {provider.support_refund, method.support_refund}
        refunded = -sum(
            tx.child_transaction_ids.filtered(
                lambda t: t.operation == "refund" and t.state != "cancel" and t.state != "error"
            ).mapped("amount")
        ) + sum(
            MoneyOut.search(
                [
                    ("source_transaction_id", "=", tx.id),
                    ("state", "in", ("queued", "sending")),
                ]
            ).mapped("amount")
        )
        if (
            provider.state == "disabled"
            or not supports <= {"partial", "full_only"}
            or ("full_only" in supports and tx.currency_id.compare_amounts(amount, tx.amount))
            or tx.currency_id.compare_amounts(amount + refunded, tx.amount) > 0
        ):
            return MoneyOut
        return MoneyOut._rsb_queue(
            [
                {
                    "kind": "refund",
                    "ticket_id": self.id,
                    "company_id": credit_note.company_id.id,
                    "partner_id": credit_note.commercial_partner_id.id,
                    "move_id": credit_note.id,
                    "amount": amount,
                    "currency_id": credit_note.currency_id.id,
                    "source_transaction_id": tx.id,
                }
            ]
        )

    def _prepare_rsb_refund_payment_values(self, credit_note, amount):
        """Draft outbound payment refunding the unused deposit; it pays the credit note
        once the accountant confirms it (see account.payment.action_post)."""
        self.ensure_one()
        return {
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": credit_note.commercial_partner_id.id,
            "amount": amount,
            "currency_id": credit_note.currency_id.id,
            "journal_id": self._rsb_company()._rsb_get_bank_journal().id,
            "date": fields.Date.context_today(self),
            "memo": _(
                "Refund of the unused deposit of ticket %(ticket)s (%(move)s)",
                ticket=self.number,
                move=credit_note.name,
            ),
            "invoice_ids": [Command.set(credit_note.ids)],
        }

    def _rsb_get_payment_token(self):
        """The card the client saved with consent for this ticket: the one recorded on the
        ticket when the deposit was paid (or the one that paid it), of this client, still
        active with a provider that works. No other card of the client is ever charged:
        the consent was given for this ticket's settle-up."""
        self.ensure_one()
        token = self.rsb_payment_token_id or self._rsb_get_deposit_transaction().token_id
        if (
            token
            and token.active
            and token.provider_id.state in ("enabled", "test")
            and token.partner_id.commercial_partner_id == self.commercial_partner_id
        ):
            return token
        return self.env["payment.token"]

    def _prepare_rsb_charge_transaction_values(self, invoice, token):
        PaymentTransaction = self.env["payment.transaction"]
        return {
            "provider_id": token.provider_id.id,
            "payment_method_id": token.payment_method_id.id,
            "reference": PaymentTransaction._compute_reference(
                token.provider_id.code, invoice_ids=[Command.set(invoice.ids)]
            ),
            "amount": invoice.amount_residual,
            "currency_id": invoice.currency_id.id,
            "partner_id": invoice.partner_id.id,
            "token_id": token.id,
            "operation": "offline",
            "invoice_ids": [Command.set(invoice.ids)],
        }

    def _rsb_use_kept_credit(self, invoice):
        """Before charging a card, use the client's credit kept from unused deposits (open
        settle-up credit notes without a refund under way) on the invoice, so the client is
        not charged money they already have on account.

        :return: sentences for the chatter
        """
        self.ensure_one()
        credit_notes = (
            self.env["account.move"]
            .search(
                [
                    ("move_type", "=", "out_refund"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("commercial_partner_id", "=", invoice.commercial_partner_id.id),
                    ("company_id", "=", invoice.company_id.id),
                    ("currency_id", "=", invoice.currency_id.id),
                    ("rsb_settlement_ticket_ids", "!=", False),
                ],
                order="invoice_date, id",
            )
            .filtered(
                lambda move: not move.matched_payment_ids.filtered(lambda p: p.state != "canceled")
                and not move.transaction_ids.filtered(lambda t: t.state not in ("cancel", "error"))
                and not move._rsb_money_out_under_way()
            )
        )
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )
        credit_lines = credit_notes.line_ids.filtered(
            lambda line: line.account_id == receivable.account_id and not line.reconciled
        )
        if not receivable or not credit_lines:
            return []
        due_before = invoice.amount_residual
        (receivable + credit_lines).reconcile()
        used = invoice.currency_id.round(due_before - invoice.amount_residual)
        return [
            _(
                "%(amount)s of the client's credit (%(moves)s) used on %(move)s.",
                amount=format_amount(self.env, used, invoice.currency_id),
                moves=", ".join(credit_notes.mapped("name")),
                move=invoice.name,
            )
        ]

    def _rsb_charge_saved_card(self, invoice, token):
        """Queue the charge of what is due on the invoice to the client's saved card: sent
        once this transaction is committed (rsb.money.out). Without a card, or if the charge
        fails, the invoice stays open (it is emailed with its portal payment link) and the
        accountant gets an activity.

        :return: a sentence for the chatter
        """
        self.ensure_one()
        due = format_amount(self.env, invoice.amount_residual, invoice.currency_id)
        if not token:
            return _(
                "%(due)s due on %(move)s: the client pays it from the emailed link.",
                due=due,
                move=invoice.name,
            )
        if not self._rsb_may_send_money_out(invoice.amount_residual, invoice.currency_id):
            return self._rsb_hold_money_out(
                _("Charge the saved card"),
                _(
                    "%(due)s due on %(move)s: charging the saved card %(token)s needs an "
                    "accountant (beyond what %(user)s may send). An accountant charges it with "
                    "Charge Saved Card on the ticket, or the client pays from the emailed link.",
                    due=due,
                    move=invoice.name,
                    token=token.display_name,
                    user=self.env.user.name,
                ),
            )
        charge = (
            self.env["rsb.money.out"]
            .sudo()
            ._rsb_queue(
                [
                    {
                        "kind": "charge",
                        "ticket_id": self.id,
                        "company_id": invoice.company_id.id,
                        "partner_id": invoice.commercial_partner_id.id,
                        "move_id": invoice.id,
                        "amount": invoice.amount_residual,
                        "currency_id": invoice.currency_id.id,
                        "token_id": token.id,
                    }
                ]
            )
        )
        return _(
            "%(due)s to charge to the saved card %(token)s (%(reference)s): charged once "
            "this is saved; the result is posted here.",
            due=due,
            token=token.display_name,
            reference=charge.name,
        )

    def action_rsb_charge_saved_card(self):
        """Charge what is still due on the tickets' settle-up invoices to the client's saved
        card: what a settle-up left for an accountant (the money-out rule)."""
        self.check_access("read")
        notes = []
        for ticket in self:
            invoices = ticket._rsb_get_chargeable_invoices()
            if not invoices:
                raise UserError(
                    _(
                        "Ticket %s has no settle-up invoice left to charge (nothing due, or a "
                        "card payment is already under way).",
                        ticket.display_name,
                    )
                )
            company = ticket._rsb_company()
            for invoice in invoices:
                if not company._rsb_may_send_money_out(
                    invoice.amount_residual, invoice.currency_id
                ):
                    raise AccessError(
                        _(
                            "Charging %(due)s to a client's card needs an accountant.",
                            due=format_amount(
                                self.env, invoice.amount_residual, invoice.currency_id
                            ),
                        )
                    )
        for ticket in self.sudo():
            token = ticket._rsb_get_payment_token()
            if not token:
                raise UserError(
                    _("The client of ticket %s has no saved payment method.", ticket.display_name)
                )
            for invoice in ticket._rsb_get_chargeable_invoices():
                note = ticket._rsb_charge_saved_card(invoice, token)
                ticket.message_post(body=note, subtype_xmlid="mail.mt_note")
                notes.append(note)
            ticket._rsb_close_activities(_("Charge the saved card"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Charge Saved Card"),
                "message": "\n".join(notes),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _rsb_get_chargeable_invoices(self):
        """Posted settle-up invoices of the ticket with something due and no card payment
        under way."""
        self.ensure_one()
        return self.sudo().rsb_settlement_move_ids.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and not move.currency_id.is_zero(move.amount_residual)
            and not move.transaction_ids.filtered(
                lambda tx: tx.state in ("pending", "authorized", "done")
            )
            and not move._rsb_money_out_under_way()
        )

    def _rsb_may_send_money_out(self, amount, currency):
        """Whether the current user may send `amount` out for this ticket: the money-out
        rule of the ticket's company (`res.company._rsb_may_send_money_out`)."""
        self.ensure_one()
        return self._rsb_company()._rsb_may_send_money_out(amount, currency)

    def _rsb_hold_money_out(self, summary, note):
        """Money the user may not send: the note for the chatter and an activity for the
        company's accountant (else the team, see `_rsb_notify_team`). Nothing is sent.

        :return: the note (a sentence for the settle-up message)
        """
        self.ensure_one()
        accountant = self._rsb_company()._rsb_get_money_out_user()
        if not accountant:
            self._rsb_notify_team(summary, note)
            return note
        self.activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, note=note, user_id=accountant.id
        )
        return note

    def _rsb_get_sending_values(self):
        """Values that queue a settle-up document to be emailed to the client (with its PDF
        and portal link) by Odoo's own asynchronous Send, as sending invoices in batch does
        (`account.ir_cron_account_move_send`; `_rsb_trigger_sending` wakes it up): given at
        the document's creation, so that the button returns without rendering anything."""
        self.ensure_one()
        if not self.commercial_partner_id.email:
            return {}
        return {
            "sending_data": {
                "author_user_id": self.env.user.id,
                "author_partner_id": self.env.user.partner_id.id,
            }
        }

    def _rsb_trigger_sending(self):
        """Run Odoo's asynchronous Send of the documents queued by `_rsb_get_sending_values`
        as soon as possible (after the commit)."""
        self.env.ref("account.ir_cron_account_move_send")._trigger()

    def _rsb_notify_team(self, summary, note):
        """A note in the chatter and an activity for the ticket's user (else the team
        leader) about something a person must act on."""
        for ticket in self:
            ticket.message_post(body=note, subtype_xmlid="mail.mt_note")
            user = ticket.user_id or ticket.team_id.user_id or self.env.user
            ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=user.id,
            )
