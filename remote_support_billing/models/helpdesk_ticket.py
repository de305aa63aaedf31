"""Billing of a helpdesk ticket: the deposit before scheduling, then the settle-up (hours x
rate minus deposit: invoice, charge, refund or credit).

How the settle-up books money (all documents in the ticket's billing currency):

* The deposit invoice credited the company's "Customer Deposits" liability account: until
  the settle-up, the deposit is an advance the company owes the client, never income.
* The time is always invoiced for what it is worth (income account of the service product,
  its taxes through the client's fiscal position): one line per timesheet line or per day,
  plus a line for the rounding up / minimum charge, so the quantities add up to the billed
  hours and the untaxed total is hours x rate.
* The deposit still available is deducted on that invoice by a negative "Deposit applied"
  line on the deposit account (no tax), as Odoo's sale module deducts down payments, up to
  the invoice total: the invoice is due only for what the deposit did not cover (0 when
  the deposit covers it all, which Odoo shows as paid).
* What the time did not use is returned by a credit note on the deposit account (no tax):
  the deposit account of the ticket is back to 0 and the client's receivable shows the
  credit. Per policy the credit is refunded (through the payment provider that took the
  deposit, else a draft outbound payment the accountant confirms; either is reconciled
  with the credit note), or kept as the client's credit (the open credit note, offered as
  outstanding credit on the client's next invoice).
* Deposit received = deposit applied (invoice lines) + unused deposit (credit note), to
  the cent, each on a document linked to the ticket.
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import float_compare, float_is_zero, float_round, format_amount, format_date

_logger = logging.getLogger(__name__)

DEPOSIT_STATES = [
    ("not_required", "Not Required"),
    ("to_request", "To Request"),
    ("requested", "Requested"),
    ("paid", "Paid - Ready to Schedule"),
    ("settled", "Settled"),
    ("cancelled", "Cancelled"),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    rsb_prepay_required = fields.Boolean(
        related="commercial_partner_id.rsb_prepay_required",
        string="Client Must Prepay",
    )
    rsb_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Billing Currency",
        compute="_compute_rsb_currency_id",
        store=True,
        help="The client's pricelist currency (else the company's): deposits and "
        "settle-up invoices are in this currency.",
    )
    rsb_estimate_hours = fields.Float(
        string="Estimated Hours",
        tracking=True,
        help="After a free diagnosis, the technician's estimate: the deposit becomes "
        "the estimate at the client's hourly rate.",
    )
    rsb_hourly_rate = fields.Monetary(
        string="Hourly Rate",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_hourly_rate",
        help="The team's service product through the client's pricelist.",
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
    )
    rsb_deposit_paid_amount = fields.Monetary(
        string="Deposit Received",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_paid_amount",
    )
    rsb_payment_token_id = fields.Many2one(
        comodel_name="payment.token",
        string="Saved Payment Method",
        readonly=True,
        copy=False,
        help="The payment method the client chose to save, with their consent, when paying "
        "the deposit: the settle-up charges it for the difference.",
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
        store=True,
        tracking=True,
        copy=False,
    )
    rsb_settled = fields.Boolean(string="Settled", readonly=True, copy=False)
    rsb_paid_on_time = fields.Boolean(
        string="Paid On Time",
        readonly=True,
        copy=False,
        help="The settle-up invoice of this ticket was paid by its due date.",
    )
    rsb_settlement_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="rsb_ticket_settlement_move_rel",
        column1="ticket_id",
        column2="move_id",
        string="Settlement Documents",
        readonly=True,
        copy=False,
        help="Invoices, credit notes and refunds created by the settle-up.",
    )

    rsb_billable_hours = fields.Float(
        string="Billable Time",
        compute="_compute_rsb_billable_hours",
        compute_sudo=True,
        help="Time the next settle-up charges: the billable time not settled yet, with the "
        "team's rounding increment, minimum charge and free quick fix.",
    )
    rsb_billable_amount = fields.Monetary(
        string="Billable Amount",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_billable_hours",
        compute_sudo=True,
        help="Billable time at the client's hourly rate, before taxes and deposit.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("commercial_partner_id", "company_id")
    def _compute_rsb_currency_id(self):
        for ticket in self:
            pricelist = ticket.commercial_partner_id.with_company(
                ticket.company_id
            ).property_product_pricelist
            ticket.rsb_currency_id = (
                pricelist.currency_id
                or ticket.company_id.currency_id
                or self.env.company.currency_id
            )

    @api.depends("team_id.rsb_service_product_id", "commercial_partner_id", "rsb_currency_id")
    def _compute_rsb_hourly_rate(self):
        for ticket in self:
            ticket.rsb_hourly_rate = ticket._rsb_get_hourly_rate()

    @api.depends("team_id.rsb_deposit_default", "rsb_estimate_hours", "rsb_currency_id")
    def _compute_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_move_id:
                continue  # what was requested stays what it was
            if ticket.rsb_estimate_hours > 0:
                ticket.rsb_deposit_amount = ticket.rsb_currency_id.round(
                    ticket.rsb_estimate_hours * ticket._rsb_get_hourly_rate()
                )
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

    @api.depends("rsb_deposit_move_id.amount_residual", "rsb_deposit_move_id.state")
    def _compute_rsb_deposit_paid_amount(self):
        for ticket in self:
            move = ticket.rsb_deposit_move_id
            ticket.rsb_deposit_paid_amount = (
                move.amount_total - move.amount_residual if move.state == "posted" else 0.0
            )

    @api.depends(
        "rsb_settled",
        "rsb_deposit_waived",
        "rsb_deposit_move_id.state",
        "rsb_deposit_move_id.payment_state",
        "commercial_partner_id.rsb_prepay_required",
    )
    def _compute_rsb_deposit_state(self):
        for ticket in self:
            move = ticket.rsb_deposit_move_id
            if ticket.rsb_settled:
                state = "settled"
            elif move and move.state == "cancel":
                state = "cancelled"
            elif move and move.payment_state in ("paid", "in_payment"):
                state = "paid"
            elif move:
                state = "requested"
            elif ticket.rsb_deposit_waived or not ticket.commercial_partner_id.rsb_prepay_required:
                state = "not_required"
            else:
                state = "to_request"
            ticket.rsb_deposit_state = state

    @api.depends(
        "timesheet_ids.unit_amount",
        "timesheet_ids.rsb_billable",
        "timesheet_ids.rsb_settlement_move_id",
        "team_id.rsb_rounding_minutes",
        "team_id.rsb_minimum_minutes",
        "team_id.rsb_free_minutes",
        "team_id.rsb_service_product_id",
        "commercial_partner_id",
        "rsb_currency_id",
    )
    def _compute_rsb_billable_hours(self):
        for ticket in self:
            lines = ticket.timesheet_ids._rsb_filter_unsettled().filtered("rsb_billable")
            charged = ticket._rsb_get_charged_minutes(sum(lines.mapped("unit_amount")) * 60)
            hours = ticket._rsb_minutes_to_quantity(charged)
            ticket.rsb_billable_hours = hours
            ticket.rsb_billable_amount = (
                ticket.rsb_currency_id.round(hours * ticket._rsb_get_hourly_rate())
                if hours and ticket.rsb_currency_id
                else 0.0
            )

    @api.constrains("rsb_deposit_amount", "rsb_estimate_hours")
    def _check_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_amount < 0:
                raise ValidationError(_("A deposit cannot be negative."))
            if ticket.rsb_estimate_hours < 0:
                raise ValidationError(_("An estimate cannot be negative."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("rsb_deposit_waived") for vals in vals_list):
            self._rsb_check_waive_access()
        tickets = super().create(vals_list)
        # Checked on the created records so that every path is covered (back office, portal
        # form, email gateway, import, RPC), whatever default set the client.
        tickets._rsb_check_credit_hold()
        tickets._rsb_check_deposit_gate()
        return tickets

    def write(self, vals):
        if vals.get("rsb_deposit_waived"):
            self._rsb_check_waive_access()
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            self._rsb_check_credit_hold(moving=True, stage=stage)
            self._rsb_check_deposit_gate(stage)
        res = super().write(vals)
        if "partner_id" in vals:
            self._rsb_check_credit_hold(moving=True)
        if vals.get("stage_id"):
            self._rsb_auto_settle()
        return res

    # ------------------------------------------------------------------ actions
    def action_rsb_request_deposit(self):
        """Create the deposit invoice the client pays in the portal, and email the link."""
        # Whoever may edit the ticket may ask for its deposit; the invoice itself is created
        # by the system (technicians have no access to accounting).
        self.check_access("write")
        for ticket in self:
            ticket._rsb_check_can_request_deposit()
        for ticket in self.sudo():
            move = (
                self.env["account.move"].sudo().create(ticket._prepare_rsb_deposit_invoice_values())
            )
            move.action_post()
            ticket.rsb_deposit_move_id = move
            ticket._rsb_send_deposit_request()
        return True

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

    def action_rsb_waive_deposit(self):
        """Open the wizard where a helpdesk manager waives the deposit, with a reason."""
        self._rsb_check_waive_access()
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive Deposit"),
            "res_model": "rsb.deposit.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }

    def action_rsb_settle(self):
        """Settle up the tickets: invoice their billable time, apply the deposit, then
        charge the saved card, refund or credit what is left. Tickets with nothing new to
        settle are skipped with a message; any bad ticket stops the whole batch before
        anything is created."""
        self.check_access("write")
        summaries = self.sudo()._rsb_settle()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Settle-up"),
                "message": "\n".join(summaries.values()),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ business
    def _rsb_check_deposit_gate(self, stage=None):
        """No deposit, no appointment: a ticket of a client who must prepay cannot enter a
        stage that requires a deposit until the deposit is paid (or waived by a manager)."""
        for ticket in self:
            target = stage or ticket.stage_id
            if not target.rsb_requires_deposit:
                continue
            if ticket.rsb_deposit_state in ("not_required", "paid", "settled"):
                continue
            state = dict(self._fields["rsb_deposit_state"]._description_selection(self.env))
            raise UserError(
                _(
                    'Ticket %(ticket)s cannot move to "%(stage)s": %(client)s must pay a deposit '
                    "before the session is scheduled (deposit: %(state)s).\n"
                    'Request the deposit with "Request Deposit" and wait for the payment, '
                    "or ask a helpdesk manager to waive it with a reason.",
                    ticket=ticket.display_name,
                    stage=target.name,
                    client=ticket.commercial_partner_id.display_name or _("the client"),
                    state=state.get(ticket.rsb_deposit_state, ticket.rsb_deposit_state),
                )
            )

    def _rsb_check_waive_access(self):
        if not self.env.su and not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise AccessError(_("Only a helpdesk manager can waive a deposit."))

    def _rsb_waive_deposit(self, reason):
        self._rsb_check_waive_access()
        if not (reason or "").strip():
            raise UserError(_("Give the reason for waiving the deposit."))
        for ticket in self:
            ticket.rsb_deposit_waived = True
            ticket.message_post(
                body=_(
                    "Deposit waived by %(user)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _rsb_on_deposit_paid(self):
        """The client paid the deposit: tell the team and make the ticket ready to schedule."""
        for ticket in self:
            move = ticket.rsb_deposit_move_id
            token = move.transaction_ids.filtered(lambda tx: tx.state == "done").token_id[:1]
            body = _(
                "Deposit %(move)s paid (%(amount)s): the session can be scheduled.",
                move=move.name,
                amount=move.amount_total,
            )
            if token:
                # The client ticked "save my payment details" on the payment form: that is the
                # consent to charge it at the settle-up, recorded on the ticket and in the chatter.
                ticket.rsb_payment_token_id = token
                body += " " + _(
                    "The client saved a payment method (%s) for the settle-up.", token.display_name
                )
            ticket.message_post(body=body, subtype_xmlid="mail.mt_note")
            user = ticket.user_id or ticket.team_id.user_id
            if user:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("Deposit paid: schedule the session"),
                    note=_("%s paid the deposit.", ticket.commercial_partner_id.display_name),
                    user_id=user.id,
                )
            ready = ticket.team_id.rsb_ready_stage_id
            if (
                ready
                and ticket.stage_id != ready
                and ticket.stage_id.sequence <= ready.sequence
                and not ticket.stage_id.closed
            ):
                ticket.stage_id = ready

    def _rsb_get_hourly_rate(self):
        """Hourly rate of the team's service product for this client, in the ticket's
        billing currency (pricelist rules included)."""
        self.ensure_one()
        product = self.team_id.rsb_service_product_id
        if not product:
            return 0.0
        company = self.company_id or self.env.company
        partner = self.commercial_partner_id.with_company(company)
        pricelist = partner.property_product_pricelist
        currency = self.rsb_currency_id or company.currency_id
        if pricelist:
            return pricelist._get_product_price(
                product.with_company(company),
                1.0,
                currency=currency,
                date=fields.Date.context_today(self),
            )
        return product.currency_id._convert(
            product.with_company(company).lst_price,
            currency,
            company,
            fields.Date.context_today(self),
        )

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
        if self.rsb_deposit_move_id and self.rsb_deposit_move_id.state != "cancel":
            raise UserError(
                _(
                    "A deposit was already requested for ticket %(ticket)s (%(move)s).",
                    ticket=self.display_name,
                    move=self.rsb_deposit_move_id.name,
                )
            )
        if self.rsb_settled:
            raise UserError(_("Ticket %s is already settled.", self.display_name))
        currency = self.rsb_currency_id
        if float_compare(self.rsb_deposit_amount, 0.0, precision_rounding=currency.rounding) <= 0:
            raise UserError(
                _(
                    "The deposit of ticket %s must be more than zero: set the team's default "
                    "deposit or an estimate.",
                    self.display_name,
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

    def _prepare_rsb_deposit_invoice_values(self):
        """Values of the deposit invoice: one line on the company's customer deposits
        account (a liability), no tax, due immediately. Hook for other addons."""
        self.ensure_one()
        company = self.company_id or self.env.company
        journal = self._rsb_get_sale_journal()
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": self.commercial_partner_id.id,
            "currency_id": self.rsb_currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_payment_term_id": self.env.ref("account.account_payment_term_immediate").id,
            "invoice_origin": self.number,
            "rsb_deposit_ticket_id": self.id,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "name": _(
                            "Deposit for ticket %(number)s: %(name)s",
                            number=self.number,
                            name=self.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.rsb_deposit_amount,
                        "account_id": company._rsb_get_deposit_account().id,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }

    def _rsb_send_deposit_request(self):
        """Email the client the portal link where they accept the agreement and pay."""
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_deposit_request", raise_if_not_found=False
        )
        for ticket in self:
            if template and ticket.partner_id.email:
                ticket.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
            else:
                ticket.message_post(
                    body=_(
                        "Deposit of %(amount)s requested (%(move)s). The client has no "
                        "email address: send them the portal link.",
                        amount=ticket.rsb_deposit_amount,
                        move=ticket.rsb_deposit_move_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    # ------------------------------------------------------------------ settle-up
    def _rsb_auto_settle(self):
        """Settle tickets that reached a closing stage of a team that settles when closed.
        A ticket that cannot be settled still closes: the reason is posted and the team
        gets an activity; nothing of its settle-up is written."""
        # Whether there is anything to settle, whoever logged the time (a technician may
        # only read their own timesheets); the settle-up itself checks the user's access.
        tickets = self.filtered(
            lambda t: t.stage_id.closed
            and t.team_id.rsb_auto_settle
            and (t.sudo().timesheet_ids or t.sudo().rsb_deposit_move_id)
        )
        for ticket in tickets:
            try:
                with self.env.cr.savepoint():
                    ticket.action_rsb_settle()
            except UserError as error:
                ticket._rsb_notify_team(
                    _("Settle-up failed"),
                    _("The ticket was closed but could not be settled up: %s", error.args[0]),
                )

    def _rsb_settle(self):
        """Settle the tickets (called in sudo after the access check).

        :return: {ticket: one-line summary}
        """
        lines_by_ticket = self._rsb_get_lines_to_settle()
        plans, errors = {}, []
        for ticket in self:
            try:
                plans[ticket] = ticket._rsb_prepare_settlement(lines_by_ticket[ticket])
            except UserError as error:
                errors.append(error.args[0])
        if errors:
            raise UserError("\n\n".join(errors))
        return {ticket: ticket._rsb_settle_one(plans[ticket]) for ticket in self}

    def _rsb_get_lines_to_settle(self):
        """Timesheet lines of the tickets not on a (non-cancelled) settle-up document,
        in one query. :return: {ticket: account.analytic.line}"""
        lines = (
            self.env["account.analytic.line"]
            .search([("ticket_id", "in", self.ids), ("project_id", "!=", False)], order="date, id")
            ._rsb_filter_unsettled()
        )
        result = defaultdict(lambda: self.env["account.analytic.line"])
        for ticket, ticket_lines in lines.grouped("ticket_id").items():
            result[ticket] = ticket_lines
        return result

    def _rsb_prepare_settlement(self, lines):
        """Check that the ticket can be settled and compute what the settle-up does,
        without writing anything. Raises a UserError that says what to fix.

        :return: dict with the lines, charged minutes and quantity, rate, deposit available
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        currency = self.rsb_currency_id or company.currency_id
        if not self.timesheet_ids:
            raise UserError(
                _(
                    "Ticket %s has no timesheets: log the time spent before settling up.",
                    self.display_name,
                )
            )
        foreign = lines.filtered(lambda line: line.company_id != company)
        if foreign:
            raise UserError(
                _(
                    "Ticket %(ticket)s has time logged in another company (%(companies)s): "
                    "move it to %(company)s before settling up.",
                    ticket=self.display_name,
                    companies=", ".join(foreign.company_id.mapped("name")),
                    company=company.name,
                )
            )
        deposit_available = self._rsb_check_deposit_for_settlement()
        billable = lines.filtered("rsb_billable")
        minutes = float_round(sum(billable.mapped("unit_amount")) * 60, precision_digits=2)
        charged = self._rsb_get_charged_minutes(minutes)
        quantity = self._rsb_minutes_to_quantity(charged)
        rate = 0.0
        if quantity:
            product = self.team_id.rsb_service_product_id
            if not product:
                raise UserError(
                    _(
                        "Team %s has no service product: set the hourly service it invoices.",
                        self.team_id.display_name,
                    )
                )
            rate = self._rsb_get_hourly_rate()
            if float_compare(rate, 0.0, precision_rounding=currency.rounding) <= 0:
                raise UserError(
                    _(
                        "The service product %(product)s has no price for %(client)s: set its "
                        "sales price (or the client's pricelist) before settling up.",
                        product=product.display_name,
                        client=self.commercial_partner_id.display_name,
                    )
                )
        plan = {
            "lines": lines,
            "billable_lines": billable if quantity else billable.browse(),
            "minutes": minutes,
            "charged_minutes": charged,
            "quantity": quantity,
            "rate": rate,
            "deposit_available": deposit_available,
            "currency": currency,
        }
        if quantity or not currency.is_zero(deposit_available):
            if not self.commercial_partner_id:
                raise UserError(
                    _(
                        "Ticket %s has no client: set the customer before settling up.",
                        self.display_name,
                    )
                )
            self.commercial_partner_id._rsb_check_invoice_address()
            self._rsb_get_sale_journal()
            refund = self._rsb_get_unused_deposit_policy() == "refund"
            if refund and not currency.is_zero(deposit_available):
                self._rsb_get_refund_journal()
        return plan

    def _rsb_check_deposit_for_settlement(self):
        """Refuse a deposit that is cancelled or not collected yet.

        :return: the deposit still available to apply (0 without deposit)
        """
        self.ensure_one()
        deposit = self.rsb_deposit_move_id
        if not deposit:
            return 0.0
        paid = deposit.state == "posted" and deposit.payment_state in ("paid", "in_payment")
        if self.rsb_deposit_waived and not paid:
            return 0.0  # a manager let the work go ahead without it
        if deposit.state == "cancel":
            raise UserError(
                _(
                    "The deposit invoice %(move)s of ticket %(ticket)s is cancelled: request a "
                    "new deposit (or have a manager waive it) before settling up.",
                    move=deposit.name or deposit.display_name,
                    ticket=self.display_name,
                )
            )
        if not paid:
            raise UserError(
                _(
                    "The deposit %(move)s of ticket %(ticket)s is not paid yet (%(residual)s "
                    "due): collect it first, then settle up.",
                    move=deposit.name,
                    ticket=self.display_name,
                    residual=format_amount(self.env, deposit.amount_residual, deposit.currency_id),
                )
            )
        if deposit.currency_id != self.rsb_currency_id:
            raise UserError(
                _(
                    "The deposit of ticket %(ticket)s is in %(deposit)s but the ticket is billed "
                    "in %(billing)s: settle it up by hand.",
                    ticket=self.display_name,
                    deposit=deposit.currency_id.name,
                    billing=self.rsb_currency_id.name,
                )
            )
        return self._rsb_get_deposit_available()

    def _rsb_get_deposit_available(self):
        """Deposit received and not yet applied or returned, read from the accounting:
        the balance of the deposit account on the deposit invoice and the ticket's posted
        settle-up documents (a credit, so negated)."""
        self.ensure_one()
        account = (self.company_id or self.env.company)._rsb_get_deposit_account()
        lines = (self.rsb_deposit_move_id | self.rsb_settlement_move_ids).line_ids.filtered(
            lambda line: line.account_id == account and line.parent_state == "posted"
        )
        return self.rsb_currency_id.round(-sum(lines.mapped("amount_currency")))

    def _rsb_get_charged_minutes(self, minutes):
        """The team's billing rules on a number of billable minutes: free quick fix at or
        under the free minutes, else rounded up to the increment, at least the minimum."""
        self.ensure_one()
        team = self.team_id
        minutes = float_round(minutes, precision_digits=2)
        if float_compare(minutes, team.rsb_free_minutes, precision_digits=2) <= 0:
            return 0.0
        if team.rsb_rounding_minutes:
            increments = float_round(
                minutes / team.rsb_rounding_minutes, precision_rounding=1.0, rounding_method="UP"
            )
            minutes = increments * team.rsb_rounding_minutes
        return max(minutes, float(team.rsb_minimum_minutes))

    def _rsb_minutes_to_quantity(self, minutes):
        """Hours invoiced for a number of minutes, at the precision of invoice quantities."""
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        return float_round(minutes / 60.0, precision_digits=digits)

    def _rsb_get_unused_deposit_policy(self):
        self.ensure_one()
        return (
            self.commercial_partner_id.rsb_unused_deposit_policy
            or (self.company_id or self.env.company).rsb_unused_deposit_policy
        )

    def _rsb_get_journal(self, journal_type, error):
        """The company's first journal of the type; `error` (with %s for the company) if none."""
        company = self.company_id or self.env.company
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", journal_type)], limit=1
        )
        if not journal:
            raise UserError(error % company.name)
        return journal

    def _rsb_get_sale_journal(self):
        return self._rsb_get_journal("sale", _("Company %s has no sales journal."))

    def _rsb_get_refund_journal(self):
        """Bank journal of the draft refund payments (the accountant may change it)."""
        return self._rsb_get_journal(
            "bank", _("Company %s has no bank journal to refund unused deposits from.")
        )

    # ------------------------------------------------------------------ settle one ticket
    def _rsb_settle_one(self, plan):
        """Create, post and process the documents of one ticket's settle-up.

        :return: a one-line summary for the user
        """
        self.ensure_one()
        currency = plan["currency"]
        Move = self.env["account.move"]
        invoice = credit_note = Move
        applied = 0.0
        if plan["quantity"]:
            invoice = Move.create(self._prepare_rsb_settlement_invoice_values(plan))
            rounding = self._prepare_rsb_rounding_line_values(invoice, plan)
            if rounding:
                invoice.write({"invoice_line_ids": [Command.create(rounding)]})
            if not currency.is_zero(plan["deposit_available"]):
                applied = min(plan["deposit_available"], invoice.amount_total)
                if not currency.is_zero(applied):
                    invoice.write(
                        {
                            "invoice_line_ids": [
                                Command.create(
                                    self._prepare_rsb_deposit_applied_line_values(applied)
                                ),
                            ]
                        }
                    )
            invoice.action_post()
            plan["billable_lines"].write({"rsb_settlement_move_id": invoice.id})
        unused = currency.round(plan["deposit_available"] - applied)
        if float_compare(unused, 0.0, precision_rounding=currency.rounding) > 0:
            credit_note = Move.create(self._prepare_rsb_unused_deposit_values(unused))
            credit_note.action_post()

        if not invoice and not credit_note:
            if self.rsb_settled:
                return _("%s: nothing new to settle.", self.display_name)
            self.rsb_settled = True
            body = (
                _(
                    "Settle-up: %(minutes)s billable minutes, a free quick fix: nothing charged.",
                    minutes=round(plan["minutes"]),
                )
                if plan["minutes"]
                else _("Settle-up: no billable time, nothing charged.")
            )
            self.message_post(body=body, subtype_xmlid="mail.mt_note")
            return _("%s: nothing to charge.", self.display_name)

        documents = invoice | credit_note
        self.write(
            {
                "rsb_settled": True,
                "rsb_settlement_move_ids": [Command.link(move.id) for move in documents],
            }
        )
        notes = []
        if credit_note:
            notes.append(self._rsb_apply_unused_deposit(credit_note, unused))
        if (
            invoice
            and not currency.is_zero(invoice.amount_residual)
            and self.commercial_partner_id.rsb_prepay_required
        ):
            token = self._rsb_get_payment_token()
            if token:
                notes += self._rsb_use_kept_credit(invoice)
            if not currency.is_zero(invoice.amount_residual):
                notes.append(self._rsb_charge_saved_card(invoice, token))
        self._rsb_send_settlement_documents(documents)
        self._rsb_post_settlement_message(plan, invoice, applied, credit_note, unused, notes)
        due = invoice.amount_residual if invoice else 0.0
        return _(
            "%(ticket)s: %(documents)s, %(due)s due.",
            ticket=self.display_name,
            documents=", ".join(documents.mapped("name")),
            due=format_amount(self.env, due, currency),
        )

    def _prepare_rsb_settlement_invoice_values(self, plan):
        """Values of the settle-up invoice of the time (the deposit line is added once the
        taxed total is known). Hook for other addons."""
        self.ensure_one()
        partner = self.commercial_partner_id
        values = {
            "move_type": "out_invoice",
            "company_id": (self.company_id or self.env.company).id,
            "journal_id": self._rsb_get_sale_journal().id,
            "partner_id": partner.id,
            "currency_id": plan["currency"].id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_origin": self.number,
            "invoice_line_ids": [
                Command.create(vals) for vals in self._prepare_rsb_time_lines_values(plan)
            ],
        }
        if partner.rsb_prepay_required:
            # Clients who prepay pay the difference at once; trusted clients get their terms.
            values["invoice_payment_term_id"] = self.env.ref(
                "account.account_payment_term_immediate"
            ).id
        return values

    def _prepare_rsb_time_lines_values(self, plan):
        """Invoice lines of the time: one per timesheet line or per day (team setting),
        and one for the rounding up / minimum charge. Quantities are rounded cumulatively
        so they add up exactly to the billed hours."""
        self.ensure_one()
        product = self.team_id.rsb_service_product_id
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        common = {
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "price_unit": plan["rate"],
            "analytic_distribution": self._rsb_get_time_analytic_distribution(product),
        }
        values, raw, billed = [], 0.0, 0.0
        for name, lines in self._rsb_group_time_lines(plan["billable_lines"]):
            raw += sum(lines.mapped("unit_amount"))
            cumulated = float_round(raw, precision_digits=digits)
            quantity = float_round(cumulated - billed, precision_digits=digits)
            billed = cumulated
            values.append({**common, "name": name, "quantity": quantity})
        adjustment = float_round(plan["quantity"] - billed, precision_digits=digits)
        if not float_is_zero(adjustment, precision_digits=digits):
            values.append(
                {
                    **common,
                    "name": self._rsb_get_adjustment_label(plan),
                    "quantity": adjustment,
                }
            )
        return values

    def _rsb_get_time_analytic_distribution(self, product):
        """Analytic distribution of the time lines from the accountant's distribution
        models, computed once per invoice as Odoo would for each line (which would search
        the models once per line)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        partner = self.commercial_partner_id
        fiscal_position = (
            self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        )
        account = product.product_tmpl_id.with_company(company).get_product_accounts(
            fiscal_pos=fiscal_position
        )["income"]
        distribution = self.env["account.analytic.distribution.model"]._get_distribution(
            {
                "product_id": product.id,
                "product_categ_id": product.categ_id.id,
                "partner_id": partner.id,
                "partner_category_id": partner.category_id.ids,
                "account_prefix": account.code,
                "company_id": company.id,
            }
        )
        return distribution or False

    def _prepare_rsb_rounding_line_values(self, invoice, plan):
        """Odoo rounds each invoice line to the cent; when the rate has fractions of a cent
        per 0.01 h (e.g. $86.35), the lines can add up to a cent or two more or less than
        hours x rate. This line, on the same account and taxes, makes the time exact.

        :return: the line values, or None when the lines are exact
        """
        self.ensure_one()
        currency = invoice.currency_id
        time_lines = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id
        )
        included = any(time_lines.tax_ids.mapped("price_include"))
        total = sum(time_lines.mapped("price_total" if included else "price_subtotal"))
        difference = currency.round(currency.round(plan["quantity"] * plan["rate"]) - total)
        if currency.is_zero(difference):
            return None
        last = time_lines[-1:]
        return {
            "name": _("Rounding difference (each line is rounded to the cent)"),
            "account_id": last.account_id.id,
            "quantity": 1.0,
            "price_unit": difference,
            "tax_ids": [Command.set(last.tax_ids.ids)],
            "analytic_distribution": last.analytic_distribution,
        }

    def _rsb_group_time_lines(self, lines):
        """:return: [(invoice line label, timesheet lines)] in date order"""
        self.ensure_one()
        if self.team_id.rsb_invoice_grouping == "day":
            return [
                (
                    _(
                        "%(date)s: %(work)s",
                        date=format_date(self.env, day),
                        work="; ".join(day_lines.mapped("name")),
                    ),
                    day_lines,
                )
                for day, day_lines in lines.grouped("date").items()
            ]
        return [
            (
                _(
                    "%(date)s: %(work)s (%(who)s)",
                    date=format_date(self.env, line.date),
                    work=line.name,
                    who=line.employee_id.name or line.user_id.name or "",
                ),
                line,
            )
            for line in lines
        ]

    def _rsb_get_adjustment_label(self, plan):
        team = self.team_id
        minutes = plan["minutes"]
        if team.rsb_rounding_minutes:
            minutes = (
                float_round(
                    minutes / team.rsb_rounding_minutes,
                    precision_rounding=1.0,
                    rounding_method="UP",
                )
                * team.rsb_rounding_minutes
            )
        if float_compare(team.rsb_minimum_minutes, minutes, precision_digits=2) > 0:
            return _("Minimum charge (%s min)", team.rsb_minimum_minutes)
        return _(
            "Rounded up to %(increment)s-minute increments (%(logged)s min logged)",
            increment=team.rsb_rounding_minutes,
            logged=round(plan["minutes"]),
        )

    def _prepare_rsb_deposit_applied_line_values(self, amount):
        """The deposit deducted from the settle-up invoice: a negative line on the deposit
        liability account, without tax (a deposit is not a sale)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return {
            "name": _(
                "Deposit applied (%(move)s, ticket %(ticket)s)",
                move=self.rsb_deposit_move_id.name,
                ticket=self.number,
            ),
            "account_id": company._rsb_get_deposit_account().id,
            "quantity": 1.0,
            "price_unit": -amount,
            "tax_ids": [Command.clear()],
        }

    def _prepare_rsb_unused_deposit_values(self, amount):
        """Credit note returning the unused deposit: one line on the deposit liability
        account, without tax, due at once. Hook for other addons."""
        self.ensure_one()
        company = self.company_id or self.env.company
        return {
            "move_type": "out_refund",
            "company_id": company.id,
            "journal_id": self._rsb_get_sale_journal().id,
            "partner_id": self.commercial_partner_id.id,
            "currency_id": self.rsb_currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_payment_term_id": self.env.ref("account.account_payment_term_immediate").id,
            "invoice_origin": self.number,
            "ref": _("Unused deposit of ticket %s", self.number),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": _(
                            "Unused deposit (%(move)s, ticket %(ticket)s)",
                            move=self.rsb_deposit_move_id.name,
                            ticket=self.number,
                        ),
                        "account_id": company._rsb_get_deposit_account().id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    # ------------------------------------------------------------------ money out / in
    def _rsb_apply_unused_deposit(self, credit_note, amount):
        """Refund the unused deposit or keep it as the client's credit, per policy.

        :return: a sentence for the chatter
        """
        self.ensure_one()
        amount_text = format_amount(self.env, amount, credit_note.currency_id)
        if self._rsb_get_unused_deposit_policy() != "refund":
            return _(
                "%(amount)s kept as the client's credit (%(move)s): it is offered on "
                "their next invoice.",
                amount=amount_text,
                move=credit_note.name,
            )
        refund_tx = self._rsb_refund_through_provider(credit_note, amount)
        if refund_tx:
            if refund_tx.payment_id.move_id:
                self.rsb_settlement_move_ids = [Command.link(refund_tx.payment_id.move_id.id)]
            return _(
                "%(amount)s refunded through %(provider)s (%(reference)s, %(state)s).",
                amount=amount_text,
                provider=refund_tx.provider_id.name,
                reference=refund_tx.reference,
                state=refund_tx.state,
            )
        payment = self.env["account.payment"].create(
            self._prepare_rsb_refund_payment_values(credit_note, amount)
        )
        return _(
            "%(amount)s to refund: draft payment %(payment)s waits for accounting to confirm it.",
            amount=amount_text,
            payment=payment.display_name,
        )

    def _rsb_get_deposit_transaction(self):
        """The online payment transaction that paid the deposit, if any."""
        self.ensure_one()
        return self.rsb_deposit_move_id.transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation != "refund"
            and not tx.source_transaction_id
        ).sorted("id")[-1:]

    def _rsb_refund_through_provider(self, credit_note, amount):
        """Refund `amount` on the transaction that paid the deposit, when its provider and
        payment method support it. The refund transaction is linked to the credit note, so
        its payment pays the credit note.

        :return: the refund transaction, or an empty recordset when not possible
        """
        self.ensure_one()
        PaymentTransaction = self.env["payment.transaction"]
        tx = self._rsb_get_deposit_transaction()
        if not tx or tx.currency_id != credit_note.currency_id:
            return PaymentTransaction
        provider = tx.provider_id
        method = tx.payment_method_id.primary_payment_method_id or tx.payment_method_id
        supports = {provider.support_refund, method.support_refund}
        refunded = -sum(
            tx.child_transaction_ids.filtered(
                lambda t: t.operation == "refund" and t.state != "cancel" and t.state != "error"
            ).mapped("amount")
        )
        if (
            provider.state == "disabled"
            or not supports <= {"partial", "full_only"}
            or ("full_only" in supports and tx.currency_id.compare_amounts(amount, tx.amount))
            or tx.currency_id.compare_amounts(amount + refunded, tx.amount) > 0
        ):
            return PaymentTransaction
        try:
            with self.env.cr.savepoint():
                refund_tx = tx._send_refund_request(amount_to_refund=amount)
                refund_tx.invoice_ids = [Command.set(credit_note.ids)]
                if refund_tx.state == "done" and not refund_tx.is_post_processed:
                    refund_tx._post_process()
        except (UserError, ValidationError) as error:
            _logger.warning(
                "Refund of ticket %s through %s failed: %s", self.number, provider.name, error
            )
            self.message_post(
                body=_(
                    "The refund through %(provider)s failed (%(error)s): a draft refund "
                    "payment is prepared instead.",
                    provider=provider.name,
                    error=error.args[0],
                ),
                subtype_xmlid="mail.mt_note",
            )
            return PaymentTransaction
        return refund_tx

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
            "journal_id": self._rsb_get_refund_journal().id,
            "date": fields.Date.context_today(self),
            "memo": _(
                "Refund of the unused deposit of ticket %(ticket)s (%(move)s)",
                ticket=self.number,
                move=credit_note.name,
            ),
            "invoice_ids": [Command.set(credit_note.ids)],
        }

    def _rsb_get_payment_token(self):
        """The card the client saved with consent: the one recorded on the ticket when the
        deposit was paid (or that paid it), else the
        client's most recent active token with a provider that works."""
        self.ensure_one()
        token = self.rsb_payment_token_id or self._rsb_get_deposit_transaction().token_id
        if token and token.active and token.provider_id.state != "disabled":
            return token
        company = self.company_id or self.env.company
        return self.env["payment.token"].search(
            [
                ("partner_id", "child_of", self.commercial_partner_id.id),
                ("provider_id.state", "in", ("enabled", "test")),
                ("company_id", "=", company.id),
            ],
            order="id desc",
            limit=1,
        )

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
        """Charge what is due on the invoice to the client's saved card. If there is no
        card or the charge fails, the invoice stays open (it is emailed with its portal
        payment link) and the team gets an activity.

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
        tx, error = self.env["payment.transaction"], None
        try:
            with self.env.cr.savepoint():
                tx = self.env["payment.transaction"].create(
                    self._prepare_rsb_charge_transaction_values(invoice, token)
                )
                tx._send_payment_request()
        except (UserError, ValidationError) as exc:
            tx, error = self.env["payment.transaction"], exc.args[0]
        if tx.state == "done":
            if not tx.is_post_processed:
                tx._post_process()
            return _(
                "%(due)s charged to the saved card %(token)s (%(reference)s).",
                due=due,
                token=token.display_name,
                reference=tx.reference,
            )
        if tx.state in ("pending", "authorized"):
            return _(
                "%(due)s charge to the saved card %(token)s is %(state)s (%(reference)s).",
                due=due,
                token=token.display_name,
                state=tx.state,
                reference=tx.reference,
            )
        reason = error or tx.state_message or tx.state
        self._rsb_notify_team(
            _("Card payment failed: collect %s", due),
            _(
                "Charging %(due)s of %(move)s to the saved card %(token)s failed (%(reason)s). "
                "The invoice was emailed to the client with its payment link.",
                due=due,
                move=invoice.name,
                token=token.display_name,
                reason=reason,
            ),
        )
        return _(
            "Charging %(due)s to the saved card %(token)s failed (%(reason)s): the "
            "client pays it from the emailed link.",
            due=due,
            token=token.display_name,
            reason=reason,
        )

    def _rsb_send_settlement_documents(self, moves):
        """Email the documents to the client, with their portal link, through Odoo's own
        asynchronous Send (the same as sending invoices in batch)."""
        moves = moves.filtered(lambda move: move.partner_id.email)
        if not moves:
            return
        moves.sending_data = {
            "author_user_id": self.env.user.id,
            "author_partner_id": self.env.user.partner_id.id,
        }
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

    def _rsb_post_settlement_message(self, plan, invoice, applied, credit_note, unused, notes):
        self.ensure_one()
        currency = plan["currency"]

        def money(amount):
            return format_amount(self.env, amount, currency)

        items = []
        if invoice:
            items.append(
                _(
                    "%(logged)s billable minutes logged, billed %(hours)s h at %(rate)s/h: "
                    "%(amount)s (%(move)s, total with taxes %(total)s).",
                    logged=round(plan["minutes"]),
                    hours=plan["quantity"],
                    rate=money(plan["rate"]),
                    amount=money(invoice.amount_untaxed + applied),
                    move=invoice.name,
                    total=money(invoice.amount_total + applied),
                )
            )
        else:
            items.append(_("No time to charge (%s billable minutes).", round(plan["minutes"])))
        if applied:
            items.append(
                _(
                    "Deposit applied: %(amount)s of %(deposit)s.",
                    amount=money(applied),
                    deposit=self.rsb_deposit_move_id.name,
                )
            )
        if invoice:
            items.append(
                _(
                    "Due on %(move)s: %(due)s.",
                    move=invoice.name,
                    due=money(invoice.amount_residual),
                )
            )
        if credit_note:
            items.append(
                _(
                    "Unused deposit: %(amount)s, credit note %(move)s.",
                    amount=money(unused),
                    move=credit_note.name,
                )
            )
        items += notes
        body = Markup("%s<ul>%s</ul>") % (
            _("Settle-up"),
            Markup().join(Markup("<li>%s</li>") % item for item in items),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------ credit hold
    def _rsb_check_credit_hold(self, moving=False, stage=None):
        """No new ticket, and no ticket moved to an open stage (`stage`, else its own), for a
        client on credit hold."""
        held = self.filtered(lambda t: t.commercial_partner_id.rsb_credit_hold)
        if moving:
            held = held.filtered(lambda t: not (stage or t.stage_id).closed)
        if held:
            raise UserError(self._rsb_credit_hold_message(held.commercial_partner_id[:1]))

    @api.model
    def _rsb_credit_hold_message(self, partner):
        return _(
            "%s is on credit hold: no new ticket can be created or scheduled until the "
            "overdue invoices are paid. The client can pay them in the portal; an accountant "
            "or helpdesk manager can lift the hold.",
            partner.sudo().display_name,
        )
