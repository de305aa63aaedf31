"""Pay now, during the session: before disconnecting, the technician asks the client to pay the
time so far (the settle-up preview: time x rate - deposit held, with the late fees a settle-up
bills) through a short link and a QR code shown on the client's screen, also sent by email and
SMS. The ticket shows the payment's state live (Odoo's bus), and the settle-up is booked the
moment the money arrives, with that payment applied: one invoice for the time.

How it books money: the request is a deposit document of the ticket (a DRAFT invoice on
Customer Deposits, like a deposit request: nothing is a receivable before money arrives), the
ticket's `rsb_pay_now_move_id`. Paid, Odoo posts it and reconciles the payment (Dr Receivable /
Cr Customer Deposits, paid at once), then the settle-up invoices the time and applies the
deposit held, this payment included. A second payment of the same request (two tabs) finds
nothing left to pay: it stays the client's credit. An abandoned request is cancelled, with a
reason, booking nothing.
"""

import logging
import secrets
from urllib.parse import quote

from odoo import _, api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.tools import format_amount

from ..feedback import notification, post_template_queued

_logger = logging.getLogger(__name__)

PAY_NOW_STATES = [
    ("pending", "Waiting for Payment"),
    ("processing", "Payment Processing"),
    ("failed", "Payment Failed"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
]
# the bus notification the ticket form listens to (static/src/pay_now)
PAY_NOW_BUS_TYPE = "remote_support_billing/pay_now"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_pay_now_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Payment Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="account.group_account_invoice,account.group_account_readonly",
        help="The latest request to pay the time during the session (a draft invoice, posted "
        "when the money arrives).",
    )
    rsb_pay_now_code = fields.Char(
        string="Payment Code",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="The code of the short payment link (a secret: whoever holds it may pay).",
    )
    rsb_pay_now_state = fields.Selection(
        selection=PAY_NOW_STATES,
        string="Payment Now",
        compute="_compute_rsb_pay_now",
        compute_sudo=True,
    )
    rsb_pay_now_amount = fields.Monetary(
        string="Requested Now",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_pay_now",
        compute_sudo=True,
    )
    rsb_pay_now_url = fields.Char(
        string="Short Payment Link",
        compute="_compute_rsb_pay_now",
        compute_sudo=True,
        groups="base.group_user",
    )
    rsb_pay_now_qr_url = fields.Char(
        string="Payment QR Code",
        compute="_compute_rsb_pay_now",
        compute_sudo=True,
        groups="base.group_user",
    )
    rsb_pay_now_message = fields.Char(
        string="Payment Message",
        compute="_compute_rsb_pay_now",
        compute_sudo=True,
        help="What the payment provider said of the last attempt.",
    )

    # ------------------------------------------------------------------ state
    @api.depends(
        "rsb_pay_now_move_id.state",
        "rsb_pay_now_move_id.payment_state",
        "rsb_pay_now_move_id.transaction_ids.state",
        "rsb_pay_now_code",
    )
    def _compute_rsb_pay_now(self):
        for ticket in self:
            move = ticket.rsb_pay_now_move_id
            state, message = ticket._rsb_pay_now_state_of(move)
            ticket.rsb_pay_now_state = state
            ticket.rsb_pay_now_amount = move.amount_total if move else 0.0
            ticket.rsb_pay_now_message = message
            url = qr = False
            if state in ("pending", "processing", "failed") and ticket.rsb_pay_now_code:
                url = f"{ticket.get_base_url()}/rsb/pay/{ticket.rsb_pay_now_code}"
                value = quote(url, safe="")
                qr = f"/report/barcode/?barcode_type=QR&value={value}&width=240&height=240"
            ticket.rsb_pay_now_url = url
            ticket.rsb_pay_now_qr_url = qr

    @api.model
    def _rsb_pay_now_state_of(self, move):
        """The state of a pay-now request, from its document and its transactions (one rule,
        for the form, the portal and the close check). :return: (state or False, message)"""
        if not move:
            return False, False
        if move.state == "cancel":
            return "cancelled", False
        if move.state == "posted" and (
            move.payment_state in ("paid", "in_payment", "reversed")
            or move.currency_id.is_zero(move.amount_residual)
        ):
            return "paid", False
        transactions = move.transaction_ids.sorted("id")
        if transactions.filtered(lambda tx: tx.state in ("pending", "authorized", "done")):
            return "processing", False
        last = transactions[-1:]
        if last.state in ("error", "cancel"):
            return "failed", last.state_message or _("The payment was not completed.")
        return "pending", False

    def _rsb_pay_now_open(self):
        """The tickets whose pay-now request waits for the client's money."""
        return self.filtered(lambda t: t.rsb_pay_now_state in ("pending", "processing", "failed"))

    # ------------------------------------------------------------------ request
    def action_rsb_request_payment_now(self):
        """Request Payment Now: the figures first (what is due now, the settle-up preview),
        then the link (`rsb.pay.now.wizard`)."""
        self.ensure_one()
        self.check_access("write")
        self._rsb_check_can_request_payment_now()
        self._rsb_check_payment_now_amount(self.sudo()._rsb_settlement_preview())
        return {
            "type": "ir.actions.act_window",
            "name": _("Request Payment Now: %s", self.display_name),
            "res_model": "rsb.pay.now.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def _rsb_check_can_request_payment_now(self):
        """Refuse a second request while one is open, or a ticket without a client, already
        settled or whose deposit is not paid (before the figures are computed)."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.commercial_partner_id:
            raise UserError(
                _("Ticket %s has no client: set the customer first.", self.display_name)
            )
        if ticket.rsb_settled:
            raise UserError(_("Ticket %s is already settled.", self.display_name))
        if ticket._rsb_pay_now_open():
            raise UserError(
                _(
                    "A payment of %(amount)s is already requested on ticket %(ticket)s: show "
                    "the client its link, or cancel it first.",
                    amount=format_amount(
                        self.env, ticket.rsb_pay_now_amount, ticket.rsb_currency_id
                    ),
                    ticket=self.display_name,
                )
            )
        currency = ticket.rsb_currency_id
        if currency.compare_amounts(ticket.rsb_deposit_unpaid, 0.0) > 0:
            raise UserError(
                _(
                    "The deposit of ticket %s is not paid yet: the client pays it first.",
                    self.display_name,
                )
            )

    def _rsb_check_payment_now_amount(self, figures):
        """Refuse a request with nothing (or less than the smallest deposit) to pay now.
        `figures`: `_rsb_settlement_preview()`."""
        self.ensure_one()
        ticket = self.sudo()
        currency = figures["currency"]
        minimum = ticket._rsb_get_deposit_minimum()
        if currency.compare_amounts(figures["to_charge"], minimum) < 0:
            raise UserError(
                _(
                    "Nothing to pay now on ticket %(ticket)s: the time so far comes to "
                    "%(total)s and the deposit held covers %(applied)s. Settle up instead.",
                    ticket=self.display_name,
                    total=format_amount(self.env, figures["total"], currency),
                    applied=format_amount(self.env, figures["applied"], currency),
                )
            )

    def _rsb_request_payment_now(self, send_email=True, send_sms=False):
        """Create the pay-now request of the time so far and send its link (in sudo, after the
        caller's access check). The amount is the settle-up's, computed now (time logged since
        the dialog opened counts). :return: the draft request"""
        self.ensure_one()
        self._rsb_check_can_request_payment_now()
        figures = self._rsb_settlement_preview()
        self._rsb_check_payment_now_amount(figures)
        amount = figures["to_charge"]
        values = self._prepare_rsb_deposit_document_values(
            "out_invoice",
            amount,
            "request",
            _(
                "Payment for ticket %(number)s: %(name)s (time to date)",
                number=self.number,
                name=self.name,
            ),
            account=self._rsb_company()._rsb_get_deposit_account(),
            taxes=self._rsb_get_new_deposit_taxes(),
            rsb_deposit_ticket_id=self.id,
            invoice_date=False,  # posting dates it: the day the money arrives
        )
        values["name"] = "/"
        move = self._rsb_create_deposit_document(values, amount)
        self.write({"rsb_pay_now_move_id": move.id, "rsb_pay_now_code": secrets.token_urlsafe(8)})
        move._portal_ensure_token()
        hours = f"{figures['quantity']:.2f}"
        body = _(
            "Payment of %(amount)s requested now (time so far: %(hours)s h). Short link: %(url)s",
            amount=format_amount(self.env, amount, figures["currency"]),
            hours=hours,
            url=self.rsb_pay_now_url,
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note", **self._rsb_sender_values())
        if send_email and self.partner_id.email:
            template = self.env.ref(
                "remote_support_billing.mail_template_rsb_pay_now", raise_if_not_found=False
            )
            if template:
                post_template_queued(
                    self,
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    **self._rsb_sender_values(),
                )
        if send_sms and self.partner_id.mobile:
            # queued: sent by Odoo's SMS queue, the button does not wait for the SMS gateway
            self._message_sms_with_template(
                template_xmlid="remote_support_billing.sms_template_rsb_pay_now",
                partner_ids=self.partner_id.ids,
                put_in_queue=True,
            )
            cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
            if cron:
                cron._trigger()
        self._rsb_notify_pay_now()
        return move

    # ------------------------------------------------------------------ cancel
    def action_rsb_cancel_payment_now(self):
        """Cancel Payment Request: the reason is asked (`rsb.pay.now.cancel.wizard`)."""
        self.ensure_one()
        self.check_access("write")
        return self.env["rsb.pay.now.cancel.wizard"]._rsb_action_open(self)

    def _rsb_cancel_payment_now(self, reason):
        """Cancel the open pay-now request (a draft: nothing was booked), with the reason in
        the chatter. Refused while the client's payment is being processed: the money may
        still arrive. In sudo, after the caller's checks."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the payment request is cancelled."))
        for ticket in self:
            move = ticket.rsb_pay_now_move_id
            state = ticket.rsb_pay_now_state
            if state not in ("pending", "failed"):
                if state == "processing":
                    raise UserError(
                        _(
                            "The client's payment of ticket %s is being processed: wait for "
                            "its result before cancelling the request.",
                            ticket.display_name,
                        )
                    )
                raise UserError(
                    _("Ticket %s has no payment request to cancel.", ticket.display_name)
                )
            # a payment the client started and left (never sent to the provider) cannot
            # complete on a cancelled request
            move.transaction_ids.filtered(lambda tx: tx.state == "draft")._set_canceled()
            move.button_cancel()
            move.message_post(body=reason, subtype_xmlid="mail.mt_note")
            ticket.message_post(
                body=_(
                    "Payment request of %(amount)s cancelled: %(reason)s",
                    amount=format_amount(self.env, move.amount_total, move.currency_id),
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
                **ticket._rsb_sender_values(),
            )
        self._rsb_notify_pay_now()

    def _rsb_check_close_with_payment_now(self, vals):
        """Closing a ticket while its pay-now request waits asks for a confirmation and a
        reason (the request is then cancelled): a RedirectWarning to the cancel dialog,
        unless the caller gave the reason (`rsb_pay_now_close_reason`) or is the system."""
        if self.env.su or self.env.context.get("rsb_pay_now_close_reason"):
            return
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        if not stage.closed:
            return
        waiting = self.sudo()._rsb_pay_now_open()
        if not waiting:
            return
        ticket = waiting[0]
        action = self.env["rsb.pay.now.cancel.wizard"]._rsb_action_open(
            ticket.with_env(self.env), stage=stage
        )
        raise RedirectWarning(
            _(
                "A payment of %(amount)s requested now on ticket %(ticket)s is %(state)s. "
                "Close the ticket anyway? The request is then cancelled, with a reason.",
                amount=format_amount(self.env, ticket.rsb_pay_now_amount, ticket.rsb_currency_id),
                ticket=ticket.display_name,
                state=dict(self._fields["rsb_pay_now_state"]._description_selection(self.env))[
                    ticket.rsb_pay_now_state
                ].lower(),
            ),
            action,
            _("Cancel the request and close"),
        )

    # ------------------------------------------------------------------ paid
    def _rsb_on_pay_now_paid(self):
        """The client paid the time so far: book the settle-up with that payment applied,
        and tell the technician (chatter, the form's live state). Taking money never fails:
        whatever goes wrong with the settle-up is posted, the payment stays (as deposit held,
        applied by the next settle-up)."""
        for ticket in self:
            move = ticket.rsb_pay_now_move_id
            ticket.message_post(
                body=_(
                    "Paid now: %(amount)s received (%(move)s).",
                    amount=format_amount(self.env, move.amount_total, move.currency_id),
                    move=move.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            try:
                with self.env.cr.savepoint():
                    ticket._rsb_settle_clean_context()._rsb_settle()
            except UserError as error:
                _logger.warning(
                    "Ticket %s paid now, settle-up failed: %s", ticket.number, error.args[0]
                )
                ticket._rsb_notify_team(
                    _("Paid now: settle up"),
                    _(
                        "The client paid, but the settle-up could not be booked: %s The "
                        "payment is held as deposit until the settle-up.",
                        error.args[0],
                    ),
                )
        self._rsb_notify_pay_now()

    def _rsb_settle_clean_context(self):
        """These tickets in an environment without the context of the payment being booked
        (called from its reconciliation: `skip_invoice_sync`, `check_move_validity`,
        `active_ids` of the payment wizard...), whose documents must be built as any other
        settle-up's: their receivable, taxes and checks computed by Odoo."""
        keep = ("lang", "tz", "allowed_company_ids", "tracking_disable", "mail_notrack")
        context = {key: self.env.context[key] for key in keep if key in self.env.context}
        return self.with_env(self.env(context=context))

    def _rsb_on_pay_now_extra_payment(self, transaction):
        """A payment of a request already paid (a second tab, a second card): nothing is left
        to pay on it, Odoo leaves it unreconciled, the client's credit. Said on the ticket."""
        for ticket in self:
            ticket.message_post(
                body=_(
                    "A second payment of %(amount)s (%(reference)s) arrived for the payment "
                    "request already paid: it is kept as the client's credit (the next invoice "
                    "uses it, or an accountant refunds it).",
                    amount=format_amount(self.env, transaction.amount, transaction.currency_id),
                    reference=transaction.reference,
                ),
                subtype_xmlid="mail.mt_note",
            )
            ticket._rsb_notify_team(
                _("Second payment kept as credit"),
                _(
                    "%(client)s paid the same request twice: refund the second payment or keep "
                    "it as credit.",
                    client=ticket.commercial_partner_id.display_name,
                ),
            )
        self._rsb_notify_pay_now()

    # ------------------------------------------------------------------ live state
    def _rsb_notify_pay_now(self):
        """Tell the ticket forms that are open the pay-now state changed (Odoo's bus, sent
        at commit: never a state the database rolled back). The form reloads the ticket,
        with the viewer's rights; the message itself carries only the ticket and its state."""
        self.invalidate_recordset(
            [
                "rsb_pay_now_state",
                "rsb_pay_now_amount",
                "rsb_pay_now_url",
                "rsb_pay_now_qr_url",
                "rsb_pay_now_message",
            ]
        )
        Bus = self.env["bus.bus"].sudo()
        for ticket in self:
            Bus._sendone(
                ticket,
                PAY_NOW_BUS_TYPE,
                {"ticket_id": ticket.id, "state": ticket.sudo().rsb_pay_now_state or False},
            )

    def _rsb_pay_now_notification(self, move):
        self.ensure_one()
        emailed = self.partner_id.email
        return notification(
            _("Payment requested"),
            _(
                "Show the client the link or the QR code on the Billing tab (%(amount)s). %(then)s",
                amount=format_amount(self.env, move.amount_total, move.currency_id),
                then=_("%s is also emailed the link.", self.partner_id.name)
                if emailed
                else _("The client has no email address."),
            ),
            kind="success",
        )
