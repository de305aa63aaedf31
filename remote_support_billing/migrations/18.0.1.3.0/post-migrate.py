"""No deposit request on the receivable (18.0.1.3.0): what the 18.0.1.2.0 migration had to leave
posted, a request paid in part or in a locked period, is turned into the same books as a request
of this release.

For each posted deposit request with something left to pay: its unpaid part is cancelled by a
credit note dated today (reconciled with it: nothing stays open on the client's account, and a
locked period is not touched), and, when the ticket still waits for its deposit, a new draft
request asks for that rest (the client's deposit link shows it). What was paid stays booked and
held. The chatter says why. Running it again changes nothing: nothing is left to pay on a
posted request.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

REASON = (
    "Upgrade: a deposit request is booked when money arrives, so the unpaid part of this "
    "request is cancelled"
)


def posted_unpaid_requests(env):
    lines = env["account.move.line"].search(
        [
            ("rsb_deposit_role", "=", "request"),
            ("parent_state", "=", "posted"),
            ("move_id.move_type", "=", "out_invoice"),
        ]
    )
    return lines.move_id.filtered(
        lambda move: move.currency_id.compare_amounts(move.amount_residual, 0.0) > 0
        and len(move.line_ids.rsb_deposit_ticket_id) == 1
    )


def convert_unpaid_requests(env):
    """Cancel the unpaid part of the posted requests, ask for it again by a draft request
    where the ticket still waits for its deposit. :return: (converted moves, moves kept)"""
    converted = env["account.move"]
    kept = env["account.move"]
    for move in posted_unpaid_requests(env):
        ticket = move.line_ids.rsb_deposit_ticket_id
        rest = move.amount_residual
        try:
            with env.cr.savepoint():
                ticket._rsb_cancel_unpaid_part(move, REASON)
                body = REASON + "."
                if not ticket.stage_id.closed and not ticket.rsb_settled:
                    draft = ticket._rsb_create_deposit_document(
                        ticket._prepare_rsb_deposit_invoice_values(amount=rest), rest
                    )
                    ticket.rsb_deposit_move_id = draft
                    body = REASON + ", and asked again by a new request, not booked until paid."
                move.message_post(body=body, subtype_xmlid="mail.mt_note")
            converted |= move
        except (UserError, ValidationError) as error:
            _logger.warning("Deposit request %s left as it is: %s", move.display_name, error)
            kept |= move
    return converted, kept


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    converted, kept = convert_unpaid_requests(env)
    _logger.info(
        "Deposit requests: unpaid part of %s posted requests cancelled, %s left as they are",
        len(converted),
        len(kept),
    )
    tickets = converted.line_ids.rsb_deposit_ticket_id
    if tickets:
        env.add_to_compute(tickets._fields["rsb_deposit_state"], tickets)
        env.flush_all()
