"""A settle-up document reversed in full reopens its tickets; a partial credit note is a price
adjustment that leaves them settled (called by account.move._rsb_on_posted, in sudo)."""

from odoo import _, models
from odoo.fields import Command
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_on_settlement_reversed(self, move, reversal):
        """A settle-up document of the tickets was reversed: reopen them (called in sudo)."""
        self.write(
            {
                "rsb_settled": False,
                "rsb_settlement_move_ids": [Command.link(m.id) for m in reversal],
            }
        )
        fees = self[:1]._rsb_release_settle_up_fees(move)
        if fees:
            self[:1].message_post(
                body=_(
                    "The late fees %(move)s billed are billed again (next settle-up, or on "
                    "their own): %(amount)s.",
                    move=move.name,
                    amount=format_amount(self.env, sum(fees.mapped("amount")), move.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )
        for ticket in self:
            ticket.message_post(
                body=_(
                    "%(move)s was reversed by %(reversal)s: the settle-up is reopened, its time "
                    "can be settled again and the deposit it used is held again (%(held)s).",
                    move=move.name,
                    reversal=", ".join(reversal.mapped("name")),
                    held=format_amount(
                        self.env, ticket.rsb_deposit_available, ticket.rsb_currency_id
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _rsb_on_settlement_adjusted(self, move, credit_notes):
        """A credit note for part of a settle-up document of the tickets was posted: a price
        adjustment; the tickets stay settled, their time invoiced (called in sudo)."""
        self.write({"rsb_settlement_move_ids": [Command.link(m.id) for m in credit_notes]})
        for ticket in self:
            ticket.message_post(
                body=_(
                    "%(credit_notes)s credits %(amount)s of %(move)s: a price adjustment, the "
                    "ticket stays settled (its time stays invoiced). Only a reversal of the "
                    "whole invoice reopens the settle-up.",
                    credit_notes=", ".join(credit_notes.mapped("name")),
                    amount=format_amount(
                        self.env, sum(credit_notes.mapped("amount_total")), move.currency_id
                    ),
                    move=move.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
