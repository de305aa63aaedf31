"""Waiving a deposit and cancelling a session: the open request is cancelled (a draft: nothing
was booked; the unpaid part of a request posted by a part payment: a credit note reconciled with
it), and what the client paid is refunded or kept as credit, the reason logged."""

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def action_rsb_waive_deposit(self):
        """Open the wizard where a helpdesk manager waives the deposit, with a reason."""
        self._rsb_check_manager_access(_("Only a helpdesk manager can waive a deposit."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive Deposit"),
            "res_model": "rsb.deposit.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids, "default_mode": "waive"},
        }

    def action_rsb_cancel_session(self):
        """Open the wizard where a helpdesk manager cancels the session: the unpaid deposit
        request is cancelled and what was paid is refunded or kept as credit."""
        self._rsb_check_manager_access(_("Only a helpdesk manager can cancel a session."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel Session"),
            "res_model": "rsb.deposit.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids, "default_mode": "cancel"},
        }

    # ------------------------------------------------------------------ business
    def _rsb_check_manager_access(self, message):
        if not self.env.su and not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise AccessError(message)

    def _rsb_cancel_open_requests(self, reason):
        """Cancel what the client still owes on the deposit requests: an open request (a
        draft) is cancelled, booking nothing; a posted one paid in part gets a credit note for
        its unpaid part, reconciled with it (nothing is left open on the client's account).
        :return: the cancelled requests and the credit notes"""
        self.ensure_one()
        drafts = (
            self.rsb_deposit_line_ids.filtered(
                lambda line: line.rsb_deposit_role == "request" and line.parent_state == "draft"
            )
            .move_id.filtered(lambda move: move.move_type == "out_invoice")
            .sudo()
        )
        if drafts:
            drafts.button_cancel()
            for move in drafts:
                move.message_post(body=reason, subtype_xmlid="mail.mt_note")
        credit_notes = drafts
        requests = (
            self.rsb_deposit_line_ids.filtered(
                lambda line: line.rsb_deposit_role == "request" and line.parent_state == "posted"
            )
            .move_id.filtered(lambda move: move.move_type == "out_invoice")
            .sudo()
        )
        for move in requests:
            currency = move.currency_id
            unpaid = move.amount_residual
            if currency.compare_amounts(unpaid, 0.0) <= 0:
                continue
            if currency.compare_amounts(unpaid, move.amount_total) == 0:
                credit_note = move._reverse_moves(
                    [{"ref": reason, "invoice_date": fields.Date.context_today(self)}],
                    cancel=True,
                )
            else:
                credit_note = self._rsb_cancel_unpaid_part(move, reason)
            credit_notes |= credit_note
        return credit_notes

    def _rsb_cancel_unpaid_part(self, move, reason):
        """A posted request paid in part (a request booked whole by an earlier release, or
        a payment unreconciled since): a credit note for its unpaid part, reconciled with it
        (nothing is left open on the client's account). :return: the credit note"""
        self.ensure_one()
        unpaid = move.amount_residual
        request_line = move.line_ids.filtered(lambda line: line.rsb_deposit_role == "request")[:1]
        # posted, it is reconciled with the request (reversed_entry_id)
        return self._rsb_post_deposit_document(
            self._prepare_rsb_deposit_document_values(
                "out_refund",
                unpaid,
                "request",
                _("Unpaid part of deposit %s cancelled", move.name),
                account=request_line.account_id,
                taxes=request_line.tax_ids,
                ref=reason,
                reversed_entry_id=move.id,
                company_id=move.company_id.id,
                journal_id=move.journal_id.id,
                partner_id=move.partner_id.id,
                currency_id=move.currency_id.id,
            ),
            unpaid,
        )

    def _rsb_waive_deposit(self, reason):
        """Let the tickets go ahead without their deposit: an unpaid request is cancelled,
        what was paid of it is refunded or kept as credit (per policy), the reason logged."""
        self._rsb_check_manager_access(_("Only a helpdesk manager can waive a deposit."))
        if not (reason or "").strip():
            raise UserError(_("Give the reason for waiving the deposit."))
        for ticket in self:
            if ticket.rsb_deposit_state in ("paid", "settled"):
                raise UserError(
                    _(
                        "The deposit of ticket %s is already paid: there is nothing to waive.",
                        ticket.display_name,
                    )
                )
        for ticket in self.sudo():
            notes = ticket._rsb_release_deposit(reason)
            ticket.rsb_deposit_waived = True
            ticket._rsb_tell_client_deposit_waived()  # then the reason, the staff's note
            ticket._rsb_post_list(
                _(
                    "Deposit waived by %(user)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                notes,
            )

    def _rsb_tell_client_deposit_waived(self):
        """The client is told (email and portal history) that no deposit is asked any more:
        the request's pay link no longer asks for it (the request is cancelled)."""
        self.ensure_one()
        if not self.partner_id:
            return
        self.message_post(
            body=_(
                "Good news: no deposit is needed for ticket %(ticket)s any more, you have "
                "nothing to pay now. We will email you the time of your remote session.",
                ticket=self.display_name,
            ),
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            **self._rsb_sender_values(),
        )

    def _rsb_cancel_session(self, reason):
        """The session will not take place: cancel the unpaid request, refund or credit the
        paid deposit (per policy), without timesheets."""
        self._rsb_check_manager_access(_("Only a helpdesk manager can cancel a session."))
        if not (reason or "").strip():
            raise UserError(_("Give the reason for cancelling the session."))
        for ticket in self:
            if ticket.rsb_settled:
                raise UserError(
                    _(
                        "Ticket %s is already settled: reverse its settle-up first.",
                        ticket.display_name,
                    )
                )
        for ticket in self.sudo():
            notes = ticket._rsb_release_deposit(reason)
            ticket._rsb_close_activities(_("Deposit paid: schedule the session"))
            ticket._rsb_post_list(
                _(
                    "Session cancelled by %(user)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                notes,
            )

    def _rsb_release_deposit(self, reason):
        """Cancel the unpaid requests and return the deposit held. :return: chatter lines"""
        self.ensure_one()
        notes = []
        cancelled = self._rsb_cancel_open_requests(reason)
        if cancelled:
            credit_notes = cancelled.filtered(lambda move: move.move_type == "out_refund")
            notes.append(
                _(
                    "Unpaid deposit request cancelled (%s).",
                    ", ".join(credit_notes.mapped("name")),
                )
                if credit_notes
                else _("Deposit request cancelled: nothing was booked.")
            )
        self.invalidate_recordset(["rsb_deposit_available"])
        available = self.rsb_deposit_available
        if self.rsb_currency_id.compare_amounts(available, 0.0) > 0:
            credit_note = self._rsb_post_deposit_document(
                self._prepare_rsb_unused_deposit_values(available), available
            )
            self.rsb_settlement_move_ids = [fields.Command.link(credit_note.id)]
            self._rsb_reconcile_deposit_lines()
            notes.append(
                _(
                    "Deposit paid: %(amount)s returned by credit note %(move)s.",
                    amount=format_amount(self.env, available, self.rsb_currency_id),
                    move=credit_note.name,
                )
            )
            notes.append(self._rsb_apply_unused_deposit(credit_note, available))
        return notes
