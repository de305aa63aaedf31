"""The deposit ledger of a ticket: what was requested, received, applied, returned and is held,
read from posted journal items and the open (draft) request (`_rsb_get_deposit_figures` is the
one place that reads them)."""

from collections import defaultdict

from odoo import _, api, fields, models

from .. import ledger_guard

FIGURES = ("requested", "received", "unpaid", "applied", "returned", "held", "available")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # The deposit ledger of the ticket, readable by whoever can read the ticket (technicians
    # have no access to accounting): computed in sudo from posted journal items.
    rsb_deposit_requested = fields.Monetary(
        string="Deposit Requested",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
    )
    rsb_deposit_received = fields.Monetary(
        string="Deposit Received",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
    )
    rsb_deposit_unpaid = fields.Monetary(
        string="Deposit Still Due",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
    )
    rsb_deposit_applied = fields.Monetary(
        string="Deposit Applied",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
    )
    rsb_deposit_returned = fields.Monetary(
        string="Deposit Returned",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
        help="Refunded or kept as the client's credit.",
    )
    rsb_deposit_available = fields.Monetary(
        string="Deposit Held",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
        help="Deposit received and not yet applied to an invoice or returned.",
    )
    rsb_deposit_held = fields.Monetary(
        string="On Customer Deposits",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
        help="The ticket's balance on the Customer Deposits account, with the tax charged on it "
        "when deposits are taxed. A request is booked when it is paid: an open request is not "
        "on it.",
    )
    rsb_deposit_reference = fields.Char(
        string="Deposit Reference",
        compute="_compute_rsb_deposit_figures",
        compute_sudo=True,
    )

    @api.depends(
        "rsb_deposit_line_ids.parent_state",
        "rsb_deposit_line_ids.amount_currency",
        "rsb_deposit_line_ids.move_id.amount_residual",
        "rsb_deposit_move_id.state",
        "rsb_pay_now_move_id",
    )
    def _compute_rsb_deposit_figures(self):
        figures = self._rsb_get_deposit_figures()
        for ticket in self:
            for name, amount in figures[ticket.id].items():
                ticket[f"rsb_deposit_{name}"] = amount
            move = ticket.rsb_deposit_move_id
            ticket.rsb_deposit_reference = (
                (move.name if move.name and move.name != "/" else _("Deposit request"))
                if move
                else False
            )

    @api.depends(
        "rsb_settled",
        "rsb_deposit_waived",
        "rsb_deposit_move_id.state",
        "rsb_deposit_line_ids.parent_state",
        "rsb_deposit_line_ids.amount_currency",
        "rsb_deposit_line_ids.move_id.amount_residual",
        "commercial_partner_id.rsb_prepay_required",
    )
    def _rsb_get_deposit_figures(self):
        """Each ticket's deposit, read from posted journal items and its open request (a draft
        invoice: nothing booked yet), in its billing currency.

        * requested: the open request and the net of the posted request lines (requests less
          their cancellations);
        * unpaid: what the client still owes on the deposit requests (the open request, and
          what is left to pay on a posted one);
        * received: paid on the requests (by payments or the client's credit);
        * applied: deducted on the ticket's settle-up invoices;
        * returned: given back by credit note (refunded or kept as credit), including a
          reversed request that had been paid;
        * held: the ticket's balance on the Customer Deposits account (posted items only; a
          request posted and paid in part counts whole);
        * available: received and neither applied nor returned (held - what is left to pay on
          the posted requests).

        Invariant: received = applied + returned + available.

        Every figure is what the client pays or gets back: with taxed deposits, a deposit item
        counts with the tax its document charged or reversed on it (`_rsb_deposit_line_totals`),
        in both modes the same money as the payments and credit notes.

        :return: {ticket id: {figure: amount}}
        """
        result = {ticket.id: dict.fromkeys(FIGURES, 0.0) for ticket in self}
        ids = [tid for tid in self.ids if isinstance(tid, int)]
        if not ids:
            return result
        MoveLine = self.env["account.move.line"].sudo()
        lines = MoveLine.search(
            [("rsb_deposit_ticket_id", "in", ids), ("parent_state", "in", ("draft", "posted"))]
        )
        drafts = lines.filtered(lambda line: line.parent_state == "draft")
        lines -= drafts
        for move in drafts.filtered(
            lambda line: line.rsb_deposit_role == "request"
        ).move_id.filtered(lambda move: move.move_type == "out_invoice"):
            if move.rsb_deposit_ticket_id.rsb_pay_now_move_id == move:
                # a pay-now request (the time so far, not the deposit before scheduling):
                # its own figures (`rsb_pay_now_*`); paid, it is received like a deposit
                continue
            # the open request: asked, not booked (its total is what the client will pay)
            figures = result[move.rsb_deposit_ticket_id.id]
            figures["requested"] += move.amount_total
            figures["unpaid"] += move.amount_total
        posted_unpaid = dict.fromkeys(ids, 0.0)
        moves_by_ticket = defaultdict(lambda: self.env["account.move"].sudo())
        totals = self._rsb_deposit_line_totals(lines)
        for line in lines:
            figures = result[line.rsb_deposit_ticket_id.id]
            amount = totals[line.id]
            figures["held"] -= amount
            if line.rsb_deposit_role == "request":
                figures["requested"] -= amount
            elif line.rsb_deposit_role == "apply":
                figures["applied"] += amount
            moves_by_ticket[line.rsb_deposit_ticket_id.id] |= line.move_id
        lines_by_ticket = lines.grouped(lambda line: line.rsb_deposit_ticket_id.id)
        for ticket_id, moves in moves_by_ticket.items():
            figures = result[ticket_id]
            ticket_lines = lines_by_ticket[ticket_id]
            request_moves = ticket_lines.filtered(
                lambda line: line.rsb_deposit_role == "request"
            ).move_id
            for move in moves:
                receivable = move.line_ids.filtered(
                    lambda line: line.display_type == "payment_term"
                )
                roles = set(
                    ticket_lines.filtered(lambda line, m=move: line.move_id == m).mapped(
                        "rsb_deposit_role"
                    )
                )
                if move.move_type == "out_invoice" and "request" in roles:
                    left = sum(receivable.mapped("amount_residual_currency"))
                    figures["unpaid"] += left
                    posted_unpaid[ticket_id] += left
                    for partial in receivable.matched_credit_ids:
                        if partial.credit_move_id.move_id not in request_moves:
                            figures["received"] += partial.debit_amount_currency
                elif move.move_type == "out_refund" and roles & {"request", "return"}:
                    # money given back: all of the credit note but what cancelled a request
                    cancelled = sum(
                        partial.credit_amount_currency
                        for partial in receivable.matched_debit_ids
                        if partial.debit_move_id.move_id in request_moves
                        and partial.debit_move_id.move_id.move_type == "out_invoice"
                    )
                    figures["returned"] += -sum(receivable.mapped("amount_currency")) - cancelled
                elif move.move_type == "out_invoice" and "return" in roles:
                    figures["returned"] -= sum(receivable.mapped("amount_currency"))  # reversed
        for ticket in self:
            figures = result[ticket.id]
            currency = ticket.sudo().rsb_currency_id or self.env.company.currency_id
            figures["available"] = figures["held"] - posted_unpaid.get(ticket.id, 0.0)
            for key, value in figures.items():
                figures[key] = currency.round(value)
        return result

    @api.model
    def _rsb_deposit_line_totals(self, lines):
        """Each deposit item's amount with the tax its document put on it, signed like
        `amount_currency`. An untaxed item is its amount. A taxed item gets the document's tax
        less the tax of the document's other lines (each with its own line total): the whole
        document's rounding, the cent `_rsb_fit_deposit_total` may have moved included, so
        the deposit counts exactly what the client was charged or credited for it.

        :return: {line id: amount}
        """
        totals = {line.id: line.amount_currency for line in lines}
        for move in lines.filtered("tax_ids").move_id:
            currency = move.currency_id
            deposit = move.line_ids.filtered(
                lambda line: line.rsb_deposit_ticket_id and line.tax_ids
            )
            others = (
                move.line_ids.filtered(
                    lambda line: line.display_type not in ("payment_term", "tax")
                )
                - deposit
            )
            tax = sum(
                move.line_ids.filtered(lambda line: line.display_type == "tax").mapped(
                    "amount_currency"
                )
            )
            tax -= sum(
                currency.round(
                    line.amount_currency * (line.price_total / line.price_subtotal - 1.0)
                )
                for line in others
                if line.tax_ids and line.price_subtotal
            )
            base = sum(deposit.mapped("amount_currency"))
            for line in deposit.filtered(lambda line: line.id in totals):
                share = tax * line.amount_currency / base if base else 0.0
                totals[line.id] = line.amount_currency + share
        return totals

    def _rsb_get_deposit_request_line(self):
        """The latest posted request item of the ticket's deposit (empty without one)."""
        self.ensure_one()
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("rsb_deposit_ticket_id", "=", self.id),
                    ("rsb_deposit_role", "=", "request"),
                    ("parent_state", "=", "posted"),
                ],
                order="id desc",
                limit=1,
            )
        )

    def _rsb_get_deposit_account(self):
        """The Customer Deposits account of this ticket's deposit: the one its request was
        booked on (a later change of the company's setting does not move held deposits)."""
        self.ensure_one()
        request = self._rsb_get_deposit_request_line()
        return request.account_id or self._rsb_company()._rsb_get_deposit_account()

    def _rsb_get_deposit_taxes(self):
        """The taxes of this ticket's deposit: those of its request (a deposit applied or
        returned reverses the tax it was charged, whatever the setting says since)."""
        self.ensure_one()
        request = self._rsb_get_deposit_request_line()
        return request.tax_ids if request else self._rsb_get_new_deposit_taxes()

    def _rsb_reconcile_deposit_lines(self):
        """Match the ticket's posted deposit items on the deposit account, so that a deposit
        taken at one exchange rate and applied at another leaves no residue: Odoo books the
        exchange difference when the ticket's items match in full."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("rsb_deposit_ticket_id", "in", self.ids),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("account_id.reconcile", "=", True),
                ]
            )
        )
        plan = [
            group
            for group in lines.grouped(
                lambda line: (line.rsb_deposit_ticket_id, line.account_id)
            ).values()
            if group.filtered(lambda line: line.balance > 0)
            and group.filtered(lambda line: line.balance < 0)
        ]
        if plan:
            # One reconciliation of every ticket's group (as `reconcile` does for one).
            # Matching changes no line of a document (its taxes, terms and totals stay): the
            # documents' line synchronisation, which would snapshot every document of the
            # batch before and after, is skipped, as Odoo does when it books the exchange
            # differences of a reconciliation.
            lines.with_context(skip_invoice_sync=True)._reconcile_plan(plan)
        lines.invalidate_recordset(["full_reconcile_id", "matched_debit_ids", "matched_credit_ids"])
        for line in lines:
            exchange = (
                line.full_reconcile_id.exchange_move_id
                | line.matched_debit_ids.exchange_move_id
                | line.matched_credit_ids.exchange_move_id
            )
            diff = exchange.line_ids.filtered(
                lambda e, line=line: e.account_id == line.account_id and not e.rsb_deposit_ticket_id
            )
            ledger_guard.ledger_writer(diff).rsb_deposit_ticket_id = line.rsb_deposit_ticket_id

    # ------------------------------------------------------------------ actions
