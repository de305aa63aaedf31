"""Invoices and credit notes seen from the tickets: deposit requests and settle-up documents
through their lifecycle (paid, reversed, reset to draft), and the dunning fields."""

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, str2bool

from .. import ledger_guard

# Why dunning is paused on an invoice or a client (shared by the pause wizard and the runs).
PAUSE_REASONS = [
    ("dispute", "Dispute"),
    ("promise", "Promised Payment"),
    ("bankruptcy", "Bankruptcy"),
    ("payment_plan", "Payment Plan"),
    ("other", "Other"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    rsb_deposit_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Deposit of Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket whose deposit this invoice requests.",
    )
    rsb_settlement_ticket_ids = fields.Many2many(
        comodel_name="helpdesk.ticket",
        relation="rsb_ticket_settlement_move_rel",
        column1="move_id",
        column2="ticket_id",
        string="Settled Tickets",
        readonly=True,
        copy=False,
    )

    # Dunning pause (dispute, promised payment, bankruptcy, payment plan): paused invoices
    # are skipped by dunning runs until the date, and shown as paused.
    rsb_dunning_pause_reason = fields.Selection(
        selection=PAUSE_REASONS,
        string="Dunning Paused",
        tracking=True,
        copy=False,
    )
    rsb_dunning_pause_until = fields.Date(string="Paused Until", tracking=True, copy=False)
    rsb_dunning_pause_note = fields.Char(string="Pause Note", tracking=True, copy=False)

    # Dunning (rsb.dunning.run): the level the invoice reached and when.
    rsb_dunning_level_id = fields.Many2one(
        comodel_name="rsb.dunning.level",
        string="Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    rsb_dunning_date = fields.Date(string="Dunning Date", readonly=True, copy=False)
    rsb_dunning_history_ids = fields.One2many(
        "rsb.dunning.history", "move_id", string="Dunning History", readonly=True
    )
    rsb_dunning_fee = fields.Boolean(
        string="Late Fee Invoice",
        readonly=True,
        copy=False,
        help="This invoice charges dunning late fees (no fee is charged on it).",
    )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        ledger_guard.check_create(self, vals_list, ["rsb_deposit_ticket_id"])
        return super().create(vals_list)

    def write(self, vals):
        ledger_guard.check_write(self, vals, ["rsb_deposit_ticket_id"])
        return super().write(vals)

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        deposits = self.filtered(lambda m: m.rsb_deposit_ticket_id and m.move_type == "out_invoice")
        tickets = deposits.rsb_deposit_ticket_id.sudo()
        tickets.filtered(
            lambda t: t.rsb_deposit_state == "paid" and t.rsb_deposit_move_id in deposits
        )._rsb_on_deposit_paid()
        tickets.filtered(lambda t: t.rsb_pay_now_move_id in deposits)._rsb_on_pay_now_paid()
        today = fields.Date.context_today(self)
        on_time = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.rsb_settlement_ticket_ids
            and (m.invoice_date_due or today) >= today
        )
        if on_time:
            on_time.rsb_settlement_ticket_ids.sudo().rsb_paid_on_time = True
            for company, moves in on_time.grouped("company_id").items():
                moves.commercial_partner_id.with_company(company)._rsb_propose_trust()
        # A client on credit hold (in the invoice's company) who paid their overdue balance
        # gets the hold lifted there.
        for company, moves in self.grouped("company_id").items():
            partners = moves.filtered(
                lambda m, company=company: m.move_type == "out_invoice"
                and m.commercial_partner_id.with_company(company).rsb_credit_hold
            ).commercial_partner_id
            if partners:
                partners._rsb_lift_paid_credit_holds(companies=company)
        return res

    # ------------------------------------------------------------------ lifecycle
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._rsb_check_deposit_given_back_once()
        posted._rsb_check_price_adjustments()
        posted._rsb_on_posted()
        return posted

    def _rsb_on_posted(self):
        """What the addon does when documents are posted (called by `_post`)."""
        posted = self
        # A settle-up document reversed in full reopens its tickets: the time is released and
        # the deposit it applied or returned is held again (the tags of the reversal say so).
        # A credit note for part of it is a price adjustment: the tickets stay settled.
        # In sudo: the accountant reversing a document may have no access to the tickets.
        for move in posted.sudo().reversed_entry_id.filtered("rsb_settlement_ticket_ids"):
            reversal = posted.filtered(lambda m, move=move: m.reversed_entry_id == move)
            tickets = move.rsb_settlement_ticket_ids
            if move._rsb_is_full_reversal():
                tickets._rsb_on_settlement_reversed(move, reversal)
            else:
                tickets._rsb_on_settlement_adjusted(move, reversal)
        # A deposit document posted (a paid deposit reversed, ...) may close a ticket's gate:
        # its session still to come follows (cancelled, the technician told).
        deposit_tickets = posted.sudo().line_ids.rsb_deposit_ticket_id.filtered(
            "rsb_session_event_id"
        )
        if deposit_tickets:
            deposit_tickets._rsb_sessions_follow_gate()
        # A credit (credit note, payment not applied yet) may leave a client on credit hold
        # with nothing overdue any more (credits are netted): lift the hold then.
        on_hold = (
            posted.filtered(lambda m: m.move_type != "out_invoice")
            .commercial_partner_id.sudo()
            .filtered("rsb_credit_hold")
        )
        if on_hold:
            on_hold._rsb_lift_paid_credit_holds()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # Odoo's reversal copies the deposit tags of the items it reverses (see
        # account_move_line._copy_data_extend_business_fields): it runs as a ledger writer,
        # the values being those of the documents reversed; the reversals are given back in
        # the caller's environment.
        reversals = super(AccountMove, ledger_guard.ledger_writer(self))._reverse_moves(
            default_values_list=default_values_list, cancel=cancel
        )
        return reversals.with_env(self.env)

    def button_draft(self):
        self._rsb_check_can_reset()
        return super().button_draft()

    def _rsb_check_can_reset(self):
        """A document a ticket relies on is corrected by a reversal, never by a reset to
        draft (the ticket, its time and its deposit would silently lose their evidence). An
        unpaid deposit request may be reset and cancelled: the ticket can be asked again."""
        for move in self.filtered(lambda m: m.state == "posted"):
            tagged = move.line_ids.filtered("rsb_deposit_ticket_id")
            unpaid_request = (
                move.move_type == "out_invoice"
                and set(tagged.mapped("rsb_deposit_role")) == {"request"}
                and not move.line_ids.filtered(
                    lambda line: line.display_type == "payment_term" and line.matched_credit_ids
                )
            )
            if (tagged and not unpaid_request) or move.rsb_settlement_ticket_ids:
                tickets = tagged.rsb_deposit_ticket_id | move.rsb_settlement_ticket_ids
                raise UserError(
                    _(
                        "%(move)s is part of the billing of ticket %(tickets)s: it cannot be reset "
                        "to draft. Reverse it with a credit note instead: the ticket follows "
                        "(its deposit and time are released).",
                        move=move.display_name,
                        tickets=", ".join(tickets.sudo().mapped("display_name")),
                    )
                )

    def _rsb_is_full_reversal(self):
        """The document is reversed in full by its posted credit notes (or reversing entries):
        together they credit all it billed and all the deposit it moved. A credit note for
        part of a settle-up invoice (a goodwill discount) is a price adjustment: the ticket
        stays settled, its time invoiced. Compared by parts, not by totals: an invoice the
        deposit covers entirely totals zero, yet a credit note of part of its time is partial.
        """
        self.ensure_one()
        reversals = self.reversal_move_ids.filtered(lambda m: m.state == "posted")
        if not reversals:
            return False
        billed, deposit = self._rsb_get_reversible_parts()
        reversed_billed = reversed_deposit = 0.0
        for reversal in reversals:
            part_billed, part_deposit = reversal._rsb_get_reversible_parts()
            reversed_billed += part_billed
            reversed_deposit += part_deposit
        currency = self.currency_id
        return (
            currency.compare_amounts(reversed_billed, billed) >= 0
            and currency.compare_amounts(reversed_deposit, deposit) >= 0
        )

    def _rsb_get_reversible_parts(self):
        """:return: (what the document bills beyond the deposit, the deposit it moves), taxes
        included, unsigned, in its currency (zero and zero for a journal entry)"""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        deposit = lines.filtered("rsb_deposit_ticket_id")
        return (
            abs(sum((lines - deposit).mapped("price_total"))),
            abs(sum(deposit.mapped("price_total"))),
        )

    def _rsb_check_price_adjustments(self):
        """A credit note for part of a settle-up invoice adjusts its price: it cannot give
        back the deposit the invoice applied (the ticket stays settled, it would hold a
        deposit nobody sees). Checked once posted, with the credit notes already posted."""
        for move in self.sudo().filtered(
            lambda m: m.reversed_entry_id.rsb_settlement_ticket_ids
            and m.line_ids.filtered("rsb_deposit_ticket_id")
        ):
            original = move.reversed_entry_id
            if not original._rsb_is_full_reversal():
                raise UserError(
                    _(
                        "%(move)s credits only part of %(invoice)s: it is a price adjustment "
                        "and the ticket stays settled, so it cannot give back the deposit the "
                        "invoice applied. Remove the deposit line from it, or reverse the "
                        "whole invoice (the ticket is then reopened, to be settled up again).",
                        move=move.display_name,
                        invoice=original.display_name,
                    )
                )

    def _rsb_check_deposit_given_back_once(self):
        """Posted documents that take deposit off a ticket (a reversed request, a deposit
        applied or returned) must find it held: a deposit that a settle-up already applied or
        returned cannot be given back again by reversing its request. Only documents with
        the deposit ledger's items are checked (Odoo's contract is unchanged for others)."""
        lines = self.sudo().line_ids.filtered("rsb_deposit_ticket_id")
        if not lines:
            return
        taken = defaultdict(float)
        for line in lines:
            taken[line.rsb_deposit_ticket_id] += line.amount_currency  # a debit takes it off
        tickets = self.env["helpdesk.ticket"].sudo()
        for ticket, amount in taken.items():
            if (ticket.rsb_currency_id or ticket.company_id.currency_id).compare_amounts(
                amount, 0.0
            ) > 0:
                tickets |= ticket
        figures = tickets._rsb_get_deposit_figures()
        for ticket in tickets:
            ticket_figures = figures[ticket.id]
            currency = ticket.rsb_currency_id or ticket.company_id.currency_id
            if currency.compare_amounts(ticket_figures["available"], 0.0) < 0:
                raise UserError(
                    _(
                        "%(moves)s would give back %(excess)s more of the deposit of ticket "
                        "%(ticket)s than it holds: the deposit was applied on its settle-up "
                        "(%(applied)s) or returned already (refunded or kept as the client's "
                        "credit). Reverse the settle-up invoice and the credit note of the "
                        "unused deposit first: the ticket then holds its deposit again.",
                        moves=", ".join(
                            lines.filtered(
                                lambda line, ticket=ticket: line.rsb_deposit_ticket_id == ticket
                            ).move_id.mapped("display_name")
                        ),
                        excess=format_amount(self.env, -ticket_figures["available"], currency),
                        ticket=ticket.display_name,
                        applied=format_amount(self.env, ticket_figures["applied"], currency),
                    )
                )

    def _rsb_check_deposit_payable(self):
        """Refuse to start a payment of a deposit that is not (or no longer) due, or whose
        client has not accepted the current client agreement."""
        for move in self.filtered("rsb_deposit_ticket_id"):
            if move.state == "cancel":
                raise UserError(_("This deposit request was cancelled: there is nothing to pay."))
            pay_now = move.rsb_deposit_ticket_id.sudo().rsb_pay_now_move_id == move
            if move.payment_state in ("paid", "in_payment") or move.currency_id.is_zero(
                move.amount_residual
            ):
                raise UserError(
                    _("This payment request is already paid.")
                    if pay_now
                    else _("This deposit is already paid.")
                )
            if pay_now:
                continue  # the time of a session that took place: no agreement to accept first
            if not move.commercial_partner_id.with_company(move.company_id).rsb_agreement_accepted:
                raise UserError(
                    _("Accept the client agreement on the ticket page before paying the deposit.")
                )

    def _rsb_is_open_deposit_request(self):
        """A deposit request not paid yet: a draft invoice, posted when the money arrives."""
        self.ensure_one()
        return bool(
            self.rsb_deposit_ticket_id
            and self.move_type == "out_invoice"
            and self.state == "draft"
            and self.amount_total
        )

    def _has_to_be_paid(self):
        """A deposit request is paid online as a draft (Odoo's online payment posts the
        draft invoices of a transaction once it is done): the pay form is offered on it as on
        a posted invoice. Odoo's rule is unchanged for every other document."""
        if not self._rsb_is_open_deposit_request():
            return super()._has_to_be_paid()
        pending = self.transaction_ids.filtered(
            lambda tx: tx.state in ("pending", "authorized")
            and tx.provider_code not in ("none", "custom")
        )
        enabled = str2bool(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("account_payment.enable_portal_payment")
        )
        return bool(enabled and not pending)

    def action_rsb_pause_dunning(self):
        return self.env["rsb.dunning.pause.wizard"]._rsb_action_open(self)
