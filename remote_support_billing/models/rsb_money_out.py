"""Money that leaves through a payment provider (a charge to the client's saved card, a refund
of an unused deposit), sent only once the documents it pays are committed.

A settle-up (or Charge Saved Card) records what to send as a queued `rsb.money.out` in its own
transaction; nothing is sent there. After the commit (a post-commit step, and a cron that
catches up what a dead worker left), each queued row is taken with a row lock, marked
*Sending* and committed before the provider is called: if the worker dies during the call, the
row stays *Sending* and is never sent again by the system; an accountant checks it with the
provider (its reference) instead. A retry, a second worker or the cron finds the row no longer
queued and sends nothing: the client is never charged twice. A provider's refusal marks the
row *Failed*, leaves the invoice open, and tells the accountant (note and activity).
"""

import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL, format_amount

_logger = logging.getLogger(__name__)

# A row left "Sending" longer than this was cut off during the provider's call.
STALE_SENDING = timedelta(minutes=15)


class RsbMoneyOut(models.Model):
    _name = "rsb.money.out"
    _description = "Money Out (card charge or provider refund) sent after the commit"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False)
    kind = fields.Selection(
        [("charge", "Card charge"), ("refund", "Provider refund")], required=True, readonly=True
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sending", "Sending"),
            ("done", "Sent"),
            ("failed", "Failed"),
        ],
        default="queued",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Document",
        required=True,
        readonly=True,
        check_company=True,
        help="The invoice the charge pays, or the credit note the refund pays.",
    )
    amount = fields.Monetary(currency_field="currency_id", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    token_id = fields.Many2one("payment.token", string="Saved Card", readonly=True)
    source_transaction_id = fields.Many2one(
        "payment.transaction",
        string="Refunded Transaction",
        readonly=True,
        groups="account.group_account_invoice",
    )
    transaction_id = fields.Many2one(
        "payment.transaction",
        string="Transaction",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice",
    )
    requested_by_id = fields.Many2one("res.users", string="Requested By", readonly=True)
    date_sending = fields.Datetime(readonly=True, copy=False)
    error = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "Money out must be a positive amount."),
        ("name_unique", "UNIQUE(name)", "Each money out has its own reference."),
    ]

    # ------------------------------------------------------------------ queueing
    @api.model
    def _rsb_queue(self, vals_list):
        """Record money to send once the current transaction is committed, and send it then
        (post-commit), in a fresh transaction per row. Called in sudo after the money-out
        rule was checked for the requester.

        :return: the queued rows
        """
        for vals in vals_list:
            vals.setdefault("name", self.env["ir.sequence"].next_by_code("rsb.money.out"))
            vals.setdefault("requested_by_id", self.env.uid)
        rows = self.create(vals_list)
        ids, dbname = rows.ids, self.env.cr.dbname

        def send_after_commit():
            registry = self.env.registry
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["rsb.money.out"].browse(ids)._rsb_send(commit=True)

        if not self.env.context.get("rsb_money_out_no_postcommit"):
            self.env.cr.postcommit.add(send_after_commit)
        _logger.debug("money out %s queued in %s", rows.mapped("name"), dbname)
        return rows

    # ------------------------------------------------------------------ sending
    def _rsb_send(self, commit=False):
        """Send the queued rows among these, one at a time: lock the row (skipped if another
        worker has it), mark it Sending, commit, call the provider, commit, book the result.

        :param commit: commit between the steps (the post-commit step and the cron); without
            it (tests, or a caller that owns the transaction) savepoints stand for commits
        """
        cr = self.env.cr

        def rollback():
            if commit:
                cr.rollback()
                self.env.invalidate_all()

        for row_id in self.ids:
            cr.execute(
                SQL(
                    "SELECT id FROM rsb_money_out WHERE id = %s AND state = 'queued' "
                    "FOR UPDATE SKIP LOCKED",
                    row_id,
                )
            )
            if not cr.fetchone():
                continue  # sent, failed, or being sent by another worker
            row = self.browse(row_id)
            row.invalidate_recordset()
            try:
                row._rsb_start_sending()
                if commit:
                    cr.commit()
            except UserError as error:  # the document changed since: nothing is sent
                rollback()
                row._rsb_fail(error.args[0])
                if commit:
                    cr.commit()
                continue
            except Exception:  # e.g. a concurrent update: left queued, the cron retries
                rollback()
                _logger.exception("money out %s could not start", row_id)
                continue
            try:
                if commit:
                    row._rsb_call_provider()
                    cr.commit()
                else:
                    with cr.savepoint():
                        row._rsb_call_provider()
            except (UserError, ValidationError) as error:
                rollback()
                row._rsb_fail(error.args[0])
            except Exception as error:  # the provider's call broke: refused, nothing booked
                rollback()
                _logger.exception("money out %s failed", row.name)
                row._rsb_fail(str(error) or error.__class__.__name__)
            else:
                row._rsb_book_result()
            if commit:
                cr.commit()

    def _rsb_start_sending(self):
        """Mark the row Sending (and, for a charge, create its transaction with its
        reference, so that the provider's notification always finds it)."""
        self.ensure_one()
        vals = {"state": "sending", "date_sending": fields.Datetime.now()}
        if self.kind == "charge":
            invoice = self.move_id
            if (
                invoice.state != "posted"
                or invoice.currency_id.compare_amounts(invoice.amount_residual, self.amount) < 0
            ):
                raise UserError(_("The invoice changed since the charge was queued."))
            tx_vals = self.ticket_id._prepare_rsb_charge_transaction_values(invoice, self.token_id)
            tx_vals["amount"] = self.amount
            vals["transaction_id"] = self.env["payment.transaction"].create(tx_vals).id
        self.write(vals)

    def _rsb_call_provider(self):
        """The provider's request: the only step that moves money."""
        self.ensure_one()
        if self.kind == "charge":
            self.transaction_id._send_payment_request()
        else:
            refund_tx = self.source_transaction_id._send_refund_request(
                amount_to_refund=self.amount
            )
            refund_tx.invoice_ids = [Command.set(self.move_id.ids)]
            self.transaction_id = refund_tx

    def _rsb_book_result(self):
        """What the provider answered, in the books and the ticket's chatter: a done
        transaction is post-processed (its payment reconciles the document; if that step
        breaks, Odoo's payment cron post-processes it later: the charge is never lost)."""
        self.ensure_one()
        tx = self.transaction_id
        if tx.state == "done" and not tx.is_post_processed:
            try:
                with self.env.cr.savepoint():
                    tx._post_process()
            except Exception:  # Odoo's post-processing cron retries it
                _logger.exception("post-processing of %s deferred to the cron", tx.reference)
        if tx.state in ("cancel", "error"):
            self._rsb_fail(tx.state_message or tx._fields["state"].convert_to_export(tx.state, tx))
            return
        self.state = "done"
        ticket = self.ticket_id
        if self.kind == "refund" and tx.payment_id.move_id:
            ticket.rsb_settlement_move_ids = [Command.link(tx.payment_id.move_id.id)]
        amount = format_amount(self.env, self.amount, self.currency_id)
        state = tx._fields["state"].convert_to_export(tx.state, tx)
        if self.kind == "charge":
            body = _(
                "%(amount)s charged to the saved card %(token)s (%(reference)s, %(state)s).",
                amount=amount,
                token=self.token_id.display_name,
                reference=tx.reference,
                state=state,
            )
        else:
            body = _(
                "%(amount)s refunded through %(provider)s (%(reference)s, %(state)s).",
                amount=amount,
                provider=tx.provider_id.name,
                reference=tx.reference,
                state=state,
            )
        ticket.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _rsb_fail(self, reason):
        """The provider refused (or the call broke): the row Failed, the document left open,
        a note on the ticket and an activity for the accountant."""
        self.ensure_one()
        self.write({"state": "failed", "error": reason})
        amount = format_amount(self.env, self.amount, self.currency_id)
        if self.kind == "charge":
            summary = _("Card payment failed: collect %s", amount)
            note = _(
                "Charging %(amount)s of %(move)s to the saved card %(token)s failed "
                "(%(reason)s). The invoice stays open: the client pays it from the emailed "
                "link, or an accountant charges the card again.",
                amount=amount,
                move=self.move_id.name,
                token=self.token_id.display_name,
                reason=reason,
            )
        else:
            summary = _("Refund failed: return %s", amount)
            note = _(
                "The refund of %(amount)s through %(provider)s failed (%(reason)s): the "
                "credit note %(move)s stays open; refund it by a payment.",
                amount=amount,
                provider=self.source_transaction_id.provider_id.name,
                reason=reason,
                move=self.move_id.name,
            )
        ticket = self.ticket_id
        if ticket._rsb_company()._rsb_get_money_out_user():
            ticket._rsb_hold_money_out(summary, note)  # the accountant's activity
            ticket.message_post(body=note, subtype_xmlid="mail.mt_note")
        else:
            ticket._rsb_notify_team(summary, note)

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_rsb_send_money_out(self):
        """Send what the post-commit step did not (a worker that died after its commit),
        and flag rows cut off during the provider's call for an accountant."""
        queued = self.search([("state", "=", "queued")], order="id")
        queued._rsb_send(commit=True)
        stale = self.search(
            [
                ("state", "=", "sending"),
                ("date_sending", "<", fields.Datetime.now() - STALE_SENDING),
            ]
        )
        for row in stale:
            row._rsb_fail(
                _(
                    "cut off during the provider's call: check with the provider whether "
                    "%(reference)s went through before sending it again",
                    reference=row.transaction_id.reference or row.name,
                )
            )
