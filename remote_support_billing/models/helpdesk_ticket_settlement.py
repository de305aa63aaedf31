"""Settle-up of a ticket: hours logged x rate, minus the deposit held; the difference
invoiced (charged to the saved card) and what the time did not use returned."""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import float_compare, float_round, format_amount

_logger = logging.getLogger(__name__)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    rsb_settled = fields.Boolean(
        string="Settled",
        readonly=True,
        copy=False,
        help="The billable time was settled up. Reversing a settle-up document reopens it.",
    )
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
        # invoices: a technician's read() of the ticket must not fail on them
        groups="account.group_account_invoice,account.group_account_readonly",
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
        # The ticket's figures whoever looks: its lines searched in sudo, not read from
        # `timesheet_ids`, whose cache holds only the lines the user may read (a technician
        # sees their own timesheets) once the form has read it.
        lines_by_ticket = self._rsb_get_timesheets_sudo()
        for ticket in self:
            lines = lines_by_ticket[ticket]._rsb_filter_unsettled().filtered("rsb_billable")
            charged = ticket._rsb_get_charged_minutes(sum(lines.mapped("unit_amount")) * 60)
            ticket.rsb_billable_hours = ticket._rsb_minutes_to_quantity(charged)
            ticket.rsb_billable_amount = (
                ticket._rsb_amount_for_minutes(charged, ticket._rsb_get_hourly_rate())
                if charged and ticket.rsb_currency_id
                else 0.0
            )

    def _rsb_get_timesheets_sudo(self):
        """Every timesheet line of the tickets, whoever logged it, in one query (sudo: for
        figures only). :return: {ticket: account.analytic.line}"""
        Line = self.env["account.analytic.line"].sudo()
        result = defaultdict(lambda: Line)
        ids = {ticket._origin.id for ticket in self if ticket._origin.id}
        lines = Line.search([("ticket_id", "in", list(ids)), ("project_id", "!=", False)])
        by_origin = defaultdict(lambda: Line)
        for line in lines:
            by_origin[line.ticket_id.id] |= line
        for ticket in self:
            stored = by_origin[ticket._origin.id]
            if ticket.id == ticket._origin.id:
                result[ticket] = stored
            else:
                # a form being edited: its lines as edited, plus those the user cannot read
                readable = stored.with_env(self.env(su=False))._filtered_access("read")
                result[ticket] = ticket.timesheet_ids.sudo() | (stored - readable.sudo())
        return result

    def action_rsb_settle(self):
        """Settle up the tickets: invoice their billable time, apply the deposit, then
        charge the saved card, refund or credit what is left. Tickets with nothing new to
        settle are skipped with a message; any bad ticket stops the whole batch before
        anything is created. From the form (`rsb_settle_preview` in the context), the
        figures are shown first (`action_rsb_settle_preview`)."""
        if self.env.context.get("rsb_settle_preview") and len(self) == 1:
            return self.action_rsb_settle_preview()
        self.check_access("write")
        if self._rsb_settle_in_background(self):
            return self._rsb_settle_background_notification(self._rsb_enqueue_settle())
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

    def _rsb_settle(self, refused=None):
        """Settle the tickets (called in sudo after the access check), as a batch: every
        ticket checked and computed first (any bad ticket stops the batch before anything
        is created), then the documents of all tickets, complete, created with one
        create(vals_list) and posted with one action_post (the credit notes of unused
        deposits after them), the deposit items reconciled in one plan; then what moves
        money: every unused deposit returned or kept, then per ticket the kept credit and
        the saved card; the chatter notes in batch. The documents are emailed (PDF and
        portal link) by Odoo's asynchronous Send, after the commit: the button does not
        wait for any rendering. Settling again creates, charges and refunds nothing.

        With `refused` (a dict), a ticket that cannot be settled is left out, its reason
        recorded there, and the others are settled (the background jobs).

        :return: {ticket: one-line summary}
        """
        lines_by_ticket = self._rsb_get_lines_to_settle()
        plans, errors = {}, []
        for ticket in self:
            try:
                plans[ticket] = ticket._rsb_prepare_settlement(lines_by_ticket[ticket])
            except UserError as error:
                if refused is None:
                    errors.append(error.args[0])
                else:
                    refused[ticket] = error.args[0]
        if errors:
            raise UserError("\n\n".join(errors))
        if refused:
            return self.browse([t.id for t in self if t in plans])._rsb_settle_planned(plans)
        return self._rsb_settle_planned(plans)

    def _rsb_settle_planned(self, plans):
        """The settle-up of these tickets, each checked and computed (`plans`): see
        `_rsb_settle`. :return: {ticket: one-line summary}"""
        documents = self._rsb_create_settlement_documents(plans)
        with_documents = self.filtered(lambda t: documents[t]["invoice"] or documents[t]["refund"])
        with_documents.rsb_settled = True
        with_documents._rsb_reconcile_deposit_lines()
        self._rsb_close_currency_residue(with_documents.sudo().rsb_settlement_move_ids)
        with_documents._rsb_close_activities(_("Deposit paid: schedule the session"))
        # every unused deposit returned (or kept) first: a credit note being refunded is
        # never used as kept credit on another ticket of the batch (it would be paid twice)
        notes = {ticket: [] for ticket in self}
        to_return = self.filtered(lambda t: documents[t]["refund"])
        # The cache now holds every line of the batch's documents and deposits: a record
        # created next (the refund payments) would be checked against each of them by the
        # ORM (inverses of its new records). Written to the database, they are read again
        # when needed.
        self.env.flush_all()
        self.env.invalidate_all()
        for ticket in self:
            if documents[ticket].get("fee_note"):
                notes[ticket].append(documents[ticket]["fee_note"])
        returned = to_return._rsb_apply_unused_deposits(
            {
                ticket: (documents[ticket]["refund"], documents[ticket]["unused"])
                for ticket in to_return
            }
        )
        for ticket, sentence in returned.items():
            notes[ticket].append(sentence)
        summaries, bodies = {}, {}
        for ticket in self:
            summaries[ticket], body = ticket._rsb_settle_one(
                plans[ticket], documents[ticket], notes[ticket]
            )
            if body:
                bodies[ticket.id] = body
        if with_documents.rsb_settlement_move_ids.filtered("sending_data"):
            self._rsb_trigger_sending()
        self.browse(list(bodies))._message_log_batch(bodies)
        return summaries

    def _rsb_create_settlement_documents(self, plans):
        """The settle-up documents of these tickets, in batch: every invoice complete before
        it exists (time, rounding, the deposit applied on its predicted taxed total: see
        `_prepare_rsb_settlement_invoice_values`), made with `_rsb_make_posted_documents`
        (by the ORM: one create and one action_post per chunk); then
        the credit notes returning unused deposits the same way (their untaxed
        price reads the deposit left once the invoices are posted). Each document is linked
        to its ticket at its creation, each ticket's time to its invoice.

        :return: {ticket: {"invoice", "applied", "refund", "unused"}, and with late fees
            billed on the invoice: "fees", "fee_note"}
        """
        Move = self.env["account.move"]
        to_invoice = self.filtered(lambda t: plans[t]["quantity"])
        result = {
            ticket: {"invoice": Move, "applied": 0.0, "refund": Move, "unused": 0.0}
            for ticket in self
        }
        vals_list, expected, accounting = [], {}, {}
        # late fees waiting for the client's next settle-up (company setting)
        pending_fees = to_invoice._rsb_take_pending_fees()
        for ticket in to_invoice:
            plan = plans[ticket]
            key = (ticket._rsb_company(), ticket.commercial_partner_id, ticket.team_id)
            if key not in accounting:
                accounting[key] = ticket._rsb_get_time_accounting()
            plan["accounting"] = accounting[key]
            currency = plan["currency"]
            values = ticket._prepare_rsb_settlement_invoice_values(plan)
            values["rsb_settlement_ticket_ids"] = [Command.link(ticket.id)]
            values.update(ticket._rsb_get_sending_values())
            fees = pending_fees.pop(
                (ticket._rsb_company(), ticket.commercial_partner_id, currency), None
            )
            fee_commands, fee_total = [], 0.0
            if fees:
                fee_commands = [
                    Command.create(vals)
                    for vals in ticket._prepare_rsb_fee_lines_values(
                        fees, accounting[key]["fiscal_position"]
                    )
                ]
                fee_total = ticket._rsb_predict_amount_total(
                    {**values, "invoice_line_ids": fee_commands}
                )
                result[ticket]["fees"] = fees
            if not currency.is_zero(plan["deposit_available"]):
                # the deposit pays the time (taxes included), never late fees
                before = ticket._rsb_predict_amount_total(values)
                applied = min(plan["deposit_available"], before)
                if currency.compare_amounts(applied, 0.0) > 0:
                    # the deposit applied on the total, taxes included (the same taxes as
                    # its request: `_prepare_rsb_deposit_applied_line_values`)
                    values["invoice_line_ids"].append(
                        Command.create(ticket._prepare_rsb_deposit_applied_line_values(applied))
                    )
                    total = currency.round(before + fee_total)
                    expected[ticket] = (total, currency.round(total - applied))
            values["invoice_line_ids"] += fee_commands
            vals_list.append(ticket._rsb_complete_invoice_lines(values))

        def fit_invoice(ticket, invoice):
            # a taxed deposit worked back to its untaxed price may end a cent off: fit it
            if ticket in expected:
                ticket._rsb_fit_deposit_total(invoice, expected[ticket][1])

        invoices = to_invoice._rsb_make_posted_documents(vals_list, fit_invoice)
        for ticket, invoice in zip(to_invoice, invoices, strict=True):
            result[ticket]["invoice"] = invoice
            if result[ticket].get("fees"):
                result[ticket]["fee_note"] = ticket._rsb_link_settle_up_fees(
                    result[ticket]["fees"], invoice
                )
        for ticket, (before, _total) in expected.items():
            result[ticket]["applied"] = plans[ticket]["currency"].round(
                before - result[ticket]["invoice"].amount_total
            )
        for ticket in to_invoice:
            lines = plans[ticket]["billable_lines"]
            lines.write(lines._rsb_prepare_settled_values(result[ticket]["invoice"]))
        for ticket in self:
            currency = plans[ticket]["currency"]
            unused = currency.round(plans[ticket]["deposit_available"] - result[ticket]["applied"])
            if float_compare(unused, 0.0, precision_rounding=currency.rounding) > 0:
                result[ticket]["unused"] = unused
        to_refund = self.filtered(lambda t: result[t]["unused"])
        refunds = to_refund._rsb_make_posted_documents(
            [
                {
                    **ticket._prepare_rsb_unused_deposit_values(result[ticket]["unused"]),
                    "rsb_settlement_ticket_ids": [Command.link(ticket.id)],
                    **ticket._rsb_get_sending_values(),
                }
                for ticket in to_refund
            ],
            lambda ticket, refund: ticket._rsb_fit_deposit_total(refund, result[ticket]["unused"]),
        )
        for ticket, refund in zip(to_refund, refunds, strict=True):
            result[ticket]["refund"] = refund
        return result

    def _rsb_get_lines_to_settle(self):
        """Timesheet lines of the tickets not on a (non-cancelled) settle-up document nor
        billed by a sale order (sale_timesheet), in one query.
        :return: {ticket: account.analytic.line}"""
        lines = (
            self.env["account.analytic.line"]
            .search([("ticket_id", "in", self.ids), ("project_id", "!=", False)], order="date, id")
            ._rsb_filter_unsettled()
        )
        lines -= lines._rsb_filter_sold()
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
            self._rsb_company()._rsb_get_sale_journal()
            refund = self._rsb_get_unused_deposit_policy() == "refund"
            if refund and not currency.is_zero(deposit_available):
                self._rsb_company()._rsb_get_bank_journal()
        return plan

    def _rsb_check_deposit_for_settlement(self):
        """Refuse a deposit that is cancelled or not collected yet.

        :return: the deposit still available to apply (0 without deposit)
        """
        self.ensure_one()
        currency = self.rsb_currency_id
        if self._rsb_pay_now_open():
            # settled now, the time would be billed twice once the client pays the request
            raise UserError(
                _(
                    "A payment of %(amount)s requested now on ticket %(ticket)s is %(state)s: "
                    "the settle-up is booked when it is paid. Cancel the request first to "
                    "settle up otherwise.",
                    amount=format_amount(self.env, self.rsb_pay_now_amount, currency),
                    ticket=self.display_name,
                    state=dict(self._fields["rsb_pay_now_state"]._description_selection(self.env))[
                        self.rsb_pay_now_state
                    ].lower(),
                )
            )
        if currency.compare_amounts(self.rsb_deposit_unpaid, 0.0) > 0:
            raise UserError(
                _(
                    "The deposit %(move)s of ticket %(ticket)s is not paid yet (%(residual)s "
                    "due): collect it first (or have a manager waive it), then settle up.",
                    move=self.rsb_deposit_reference,
                    ticket=self.display_name,
                    residual=format_amount(self.env, self.rsb_deposit_unpaid, currency),
                )
            )
        other_currency = self.sudo().rsb_deposit_line_ids.filtered(
            lambda line: line.parent_state == "posted" and line.currency_id != currency
        )
        if other_currency:
            raise UserError(
                _(
                    "The deposit of ticket %(ticket)s is in %(deposit)s but the ticket is billed "
                    "in %(billing)s: settle it up by hand.",
                    ticket=self.display_name,
                    deposit=other_currency.currency_id[:1].name,
                    billing=currency.name,
                )
            )
        return self.rsb_deposit_available

    # ------------------------------------------------------------------ settle one ticket
    def _rsb_settle_one(self, plan, documents, notes):
        """What a ticket's settle-up does once its documents are posted and every unused
        deposit of the batch was returned or kept (`_rsb_apply_unused_deposits`): the kept
        credit and the saved card for what is due. Credit kept by another ticket of the
        same batch is used too (the client is not charged for money they have on account).

        :param documents: see `_rsb_create_settlement_documents`
        :param notes: sentences of what was done already (the unused deposit)
        :return: (a one-line summary for the user, the chatter note or None)
        """
        self.ensure_one()
        currency = plan["currency"]
        invoice, credit_note = documents["invoice"], documents["refund"]
        applied, unused = documents["applied"], documents["unused"]
        if not invoice and not credit_note:
            if self.rsb_settled:
                return _("%s: nothing new to settle.", self.display_name), None
            self.rsb_settled = True
            body = (
                _(
                    "Settle-up: %(minutes)s billable minutes, a free quick fix: nothing charged.",
                    minutes=round(plan["minutes"]),
                )
                if plan["minutes"]
                else _("Settle-up: no billable time, nothing charged.")
            )
            return _("%s: nothing to charge.", self.display_name), body
        notes = list(notes)
        due_said = False
        if (
            invoice
            and not currency.is_zero(invoice.amount_residual)
            and self._rsb_client().rsb_prepay_required
        ):
            # the client's credit kept from unused deposits first, card or not
            notes += self._rsb_use_kept_credit(invoice)
            token = self._rsb_get_payment_token()
            if not currency.is_zero(invoice.amount_residual):
                # this sentence says what is due and how it is paid: not said twice
                notes.append(self._rsb_charge_saved_card(invoice, token))
                due_said = True
        body = self._rsb_settlement_message(
            plan, invoice, applied, credit_note, unused, notes, due_said=due_said
        )
        due = invoice.amount_residual if invoice else 0.0
        return (
            _(
                "%(ticket)s: %(documents)s, %(due)s due.",
                ticket=self.display_name,
                documents=", ".join((invoice | credit_note).mapped("name")),
                due=format_amount(self.env, due, currency),
            ),
            body,
        )

    def _rsb_settlement_message(
        self, plan, invoice, applied, credit_note, unused, notes, due_said=False
    ):
        """The chatter note of a ticket's settle-up (posted in batch by `_rsb_settle`)."""
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
                    amount=money(
                        sum(
                            invoice.invoice_line_ids.filtered(
                                lambda line: not line.rsb_deposit_ticket_id
                            ).mapped("price_subtotal")
                        )
                    ),
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
        if invoice and not due_said:
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
        return Markup("%s<ul>%s</ul>") % (
            _("Settle-up"),
            Markup().join(Markup("<li>%s</li>") % item for item in items),
        )
