"""A ticket's deposit before scheduling: its figures read from the deposit ledger, its state,
the request, the waiver, the cancelled session and the gate that keeps unpaid work unscheduled.

How a deposit is booked (all in the ticket's billing currency; the documents are built in
helpdesk_ticket_deposit_documents.py, taxed or not per the company's setting):

* Request: a DRAFT invoice (no number, nothing in the books): the amount pinned, the
  client's pay link. Nothing is a receivable before money arrives.
* Received: the request is posted when the money arrives (Odoo's online payment posts the
  draft invoices of a transaction once it is done; the accountant's "Register Deposit
  Payment" posts it with a bank transfer or cash), dated that day: Dr Receivable / Cr Customer
  Deposits (a liability, never income) and, taxed, Cr the taxes (VAT on the advance when it
  is received), reconciled at once with the payment. The deposit line is tagged
  (`account.move.line.rsb_deposit_ticket_id`, role "request").
* Applied: a settle-up invoice line Dr Customer Deposits (role "apply").
* Returned: a credit note Dr Customer Deposits / Cr Receivable (role "return"), refunded or
  kept as the client's credit.
* Reversals copy the tags with the opposite sign, so the figures follow by themselves.

`_rsb_get_deposit_figures` is the one place that reads them.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..feedback import notification, post_template_queued

_logger = logging.getLogger(__name__)

DEPOSIT_STATES = [
    ("not_required", "Not Required"),
    ("to_request", "To Request"),
    ("requested", "Requested"),
    ("paid", "Paid"),
    ("settled", "Settled"),
    ("cancelled", "Cancelled"),
]
FIGURES = ("requested", "received", "unpaid", "applied", "returned", "held", "available")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_estimate_hours = fields.Float(
        string="Estimated Hours",
        tracking=True,
        help="After a free diagnosis, the technician's estimate: the deposit becomes "
        "the estimate at the client's hourly rate.",
    )
    # helpdesk_mgmt_timesheet's planned hours follow the estimate: one figure, one progress
    planned_hours = fields.Float(
        compute="_compute_planned_hours", store=True, readonly=False, tracking=True
    )
    rsb_deposit_amount = fields.Monetary(
        string="Deposit",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_amount",
        store=True,
        readonly=False,
        tracking=True,
        help="What the client pays before the session is scheduled: the team's default "
        "deposit, or the estimate at the hourly rate.",
    )
    rsb_deposit_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Deposit Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The latest deposit request of this ticket.",
    )
    rsb_deposit_line_ids = fields.One2many(
        comodel_name="account.move.line",
        inverse_name="rsb_deposit_ticket_id",
        string="Deposit Ledger",
        readonly=True,
        # journal items: technicians read the ticket's figures (computed in sudo), not them
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    rsb_deposit_waived = fields.Boolean(
        string="Deposit Waived",
        readonly=True,
        copy=False,
        tracking=True,
        help="A helpdesk manager let this ticket be scheduled without its deposit.",
    )
    rsb_deposit_state = fields.Selection(
        selection=DEPOSIT_STATES,
        string="Deposit Status",
        compute="_compute_rsb_deposit_state",
        compute_sudo=True,
        store=True,
        tracking=True,
        copy=False,
    )

    # ------------------------------------------------------------------ computes
    @api.depends("rsb_estimate_hours")
    def _compute_planned_hours(self):
        for ticket in self:
            if ticket.rsb_estimate_hours:
                ticket.planned_hours = ticket.rsb_estimate_hours
            else:
                ticket.planned_hours = ticket.planned_hours or 0.0

    @api.depends(
        "team_id.rsb_deposit_default",
        "rsb_estimate_hours",
        "rsb_currency_id",
        "company_id.rsb_tax_deposits",
    )
    def _compute_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_state in ("requested", "paid", "settled"):
                continue  # what was requested stays what it was
            if ticket.rsb_estimate_hours > 0:
                currency = ticket.rsb_currency_id
                amount = currency.round(ticket.rsb_estimate_hours * ticket._rsb_get_hourly_rate())
                taxes = ticket._rsb_get_new_deposit_taxes()
                if taxes:
                    # a taxed deposit is paid taxes included: it covers the estimated time
                    amount = taxes.compute_all(amount, currency=currency)["total_included"]
                ticket.rsb_deposit_amount = amount
            else:
                ticket.rsb_deposit_amount = (
                    ticket.team_id.rsb_currency_id._convert(
                        ticket.team_id.rsb_deposit_default,
                        ticket.rsb_currency_id,
                        ticket.company_id or self.env.company,
                        fields.Date.context_today(ticket),
                    )
                    if ticket.team_id and ticket.rsb_currency_id
                    else 0.0
                )

    @api.depends(
        "rsb_settled",
        "rsb_deposit_waived",
        "rsb_deposit_move_id.state",
        "rsb_pay_now_move_id",
        "rsb_deposit_line_ids.parent_state",
        "rsb_deposit_line_ids.amount_currency",
        "rsb_deposit_line_ids.move_id.amount_residual",
        "commercial_partner_id.rsb_prepay_required",
    )
    def _compute_rsb_deposit_state(self):
        figures = self._rsb_get_deposit_figures()
        for ticket in self:
            ticket.rsb_deposit_state = ticket._rsb_deposit_state_from(figures[ticket.id])

    def _rsb_deposit_state_from(self, figures):
        """The deposit state that the books say (one rule, used by the stored state)."""
        self.ensure_one()
        currency = self.rsb_currency_id or self._rsb_company().currency_id
        if self.rsb_settled:
            return "settled"
        if self.rsb_deposit_waived:
            return "not_required"
        if currency.compare_amounts(figures["unpaid"], 0.0) > 0:
            return "requested"
        if currency.compare_amounts(figures["available"], 0.0) > 0:
            return "paid"
        if not self._rsb_client().rsb_prepay_required:
            return "not_required"
        if self.rsb_deposit_move_id or self.rsb_deposit_line_ids:
            return "cancelled"
        return "to_request"

    # ------------------------------------------------------------------ the ledger
    def action_rsb_request_deposit(self):
        """Create the deposit request the client pays in the portal (a draft invoice: nothing
        is booked until the money arrives), and email the link."""
        # Whoever may edit the ticket may ask for its deposit; the invoice itself is created
        # by the system (technicians have no access to accounting).
        self.check_access("write")
        for ticket in self:
            ticket._rsb_check_can_request_deposit()
        self.sudo()._rsb_request_deposit()
        if len(self) != 1:
            return True
        emailed = self.partner_id.email
        return notification(
            _("Deposit requested"),
            _(
                "Deposit of %(amount)s requested. %(then)s",
                amount=format_amount(self.env, self.rsb_deposit_amount, self.rsb_currency_id),
                then=_("%s is emailed the link to pay it in a moment.", self.partner_id.name)
                if emailed
                else _("The client has no email address: send them the portal link."),
            ),
            kind="success" if emailed else "warning",
        )

    def action_rsb_view_deposit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "res_id": self.rsb_deposit_move_id.id,
                "views": [(False, "form")],
                "domain": [("id", "=", self.rsb_deposit_move_id.id)],
            }
        )
        return action

    def _rsb_check_can_request_deposit(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner:
            raise UserError(
                _(
                    "Ticket %s has no client: set the customer before requesting a deposit.",
                    self.display_name,
                )
            )
        if not partner.active:
            raise UserError(
                _(
                    "Client %s is archived: restore the client before requesting a deposit.",
                    partner.display_name,
                )
            )
        if self.rsb_deposit_state in ("requested", "paid"):
            raise UserError(
                _(
                    "A deposit was already requested for ticket %(ticket)s (%(move)s).",
                    ticket=self.display_name,
                    move=self.rsb_deposit_reference,
                )
            )
        if self.rsb_settled:
            raise UserError(_("Ticket %s is already settled.", self.display_name))
        currency = self.rsb_currency_id
        minimum = self._rsb_get_deposit_minimum()
        if currency.compare_amounts(self.rsb_deposit_amount, minimum) < 0:
            raise UserError(
                _(
                    "The deposit of ticket %(ticket)s is %(amount)s: a deposit is at least "
                    "%(minimum)s (100 of the currency's smallest unit; less would cost more in "
                    "payment fees than it secures). Set the team's default deposit or an "
                    "estimate.",
                    ticket=self.display_name,
                    amount=format_amount(self.env, self.rsb_deposit_amount, currency),
                    minimum=format_amount(self.env, minimum, currency),
                )
            )
        pricelist = partner.with_company(self.company_id).property_product_pricelist
        if pricelist and pricelist.currency_id != currency:
            raise UserError(
                _(
                    "The deposit is in %(deposit)s but the client's pricelist is in %(pricelist)s.",
                    deposit=currency.name,
                    pricelist=pricelist.currency_id.name,
                )
            )

    def _rsb_get_deposit_minimum(self):
        """The smallest deposit that may be requested: 100 of the ticket currency's smallest
        unit (1.00 in dollars or euros, 100 yen). Hook for other addons."""
        self.ensure_one()
        currency = self.rsb_currency_id
        return currency.round(currency.rounding * 100)

    def _rsb_request_deposit(self):
        """Create and send the deposit requests (in sudo, after the checks): draft invoices,
        posted when the money arrives."""
        for ticket in self:
            move = ticket._rsb_create_deposit_document(
                ticket._prepare_rsb_deposit_invoice_values(), ticket.rsb_deposit_amount
            )
            ticket.rsb_deposit_move_id = move
            ticket.rsb_deposit_waived = False
            ticket._rsb_send_deposit_request()

    def _rsb_send_deposit_request(self):
        """Email the client the portal link where they accept the agreement and pay (through
        the mail queue: the button does not wait for the mail server)."""
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_deposit_request", raise_if_not_found=False
        )
        for ticket in self:
            if template and ticket.partner_id.email:
                # signed by who requested it (the template's sender is the assignee)
                post_template_queued(
                    ticket,
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    **ticket._rsb_sender_values(),
                )
            else:
                ticket.message_post(
                    body=_(
                        "Deposit of %(amount)s requested. The client has no email address: "
                        "send them the portal link.",
                        amount=format_amount(
                            self.env, ticket.rsb_deposit_amount, ticket.rsb_currency_id
                        ),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _rsb_sender_values(self):
        """Author and sender of a message the current user's click sends: that person, not
        the ticket's assignee (OdooBot in a cron: the company)."""
        user = self.env.user
        if user._is_public() or user._is_superuser() or not user.email:
            return {}
        return {"author_id": user.partner_id.id, "email_from": user.email_formatted}

    def _rsb_check_deposit_gate(self):
        """No deposit, no appointment: a ticket of a client who must prepay cannot be in a
        stage that requires a deposit until the deposit is paid (or waived by a manager).
        Checked on the values after the write (stage, client and flags together)."""
        for ticket in self:
            target = ticket.stage_id
            if not target.rsb_requires_deposit:
                continue
            if ticket.rsb_deposit_state in ("not_required", "paid", "settled"):
                continue
            ticket._rsb_raise_gate(target, ticket.commercial_partner_id, ticket.rsb_deposit_state)

    def _rsb_raise_gate(self, stage, client, state):
        labels = dict(self._fields["rsb_deposit_state"]._description_selection(self.env))
        raise UserError(
            _(
                'Ticket %(ticket)s cannot move to "%(stage)s": %(client)s must pay a deposit '
                "before the session is scheduled (deposit: %(state)s).\n"
                'Request the deposit with "Request Deposit" and wait for the payment, '
                "or ask a helpdesk manager to waive it with a reason.",
                ticket=self.display_name,
                stage=stage.name,
                client=client.display_name or _("the client"),
                state=labels.get(state, state),
            )
        )

    def _rsb_on_deposit_paid(self):
        """The client paid the deposit: tell the team and make the ticket ready to schedule.
        Taking money never fails: whatever goes wrong here is logged, the payment stays."""
        for ticket in self:
            try:
                with self.env.cr.savepoint():
                    ticket._rsb_on_deposit_paid_one()
            except (UserError, AccessError) as error:
                _logger.warning(
                    "Deposit of ticket %s paid, follow-up failed: %s", ticket.number, error
                )
                ticket.message_post(
                    body=_(
                        "Deposit paid, but the ticket could not be made ready: %s",
                        error.args[0],
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _rsb_on_deposit_paid_one(self):
        self.ensure_one()
        move = self.rsb_deposit_move_id
        token = move.transaction_ids.filtered(lambda tx: tx.state == "done").token_id[:1]
        body = _(
            "Deposit %(move)s paid (%(amount)s): the session can be scheduled.",
            move=move.name,
            amount=format_amount(self.env, move.amount_total, move.currency_id),
        )
        if token and token.partner_id.commercial_partner_id == self.commercial_partner_id:
            # The client ticked "save my payment details" on the payment form: that is the
            # consent to charge it at the settle-up, recorded on the ticket and in the chatter.
            self.rsb_payment_token_id = token
            body += " " + _(
                "The client saved a payment method (%s) for the settle-up.", token.display_name
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        user = self.user_id or self.team_id.user_id
        if user:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Deposit paid: schedule the session"),
                note=_("%s paid the deposit.", self.commercial_partner_id.display_name),
                user_id=user.id,
            )
        ready = self.team_id.rsb_ready_stage_id
        if (
            ready
            and self.stage_id != ready
            and self.stage_id.sequence <= ready.sequence
            and not self.stage_id.closed
        ):
            # moved by the payment: the credit hold blocks new work, not paying
            self.with_context(rsb_payment_move=True).stage_id = ready

    def _rsb_close_activities(self, summary):
        """Mark done the ticket's open activities with this summary (their reason is gone)."""
        self.activity_ids.filtered(lambda a: a.summary == summary).action_feedback(
            feedback=_("Done by the billing flow.")
        )

    def _rsb_post_list(self, title, items):
        from markupsafe import Markup

        self.ensure_one()
        body = Markup("%s") % title
        if items:
            body += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li>%s</li>") % item for item in items if item
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
