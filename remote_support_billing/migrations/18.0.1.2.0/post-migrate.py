"""Deposit requests are booked when the money arrives (18.0.1.2.0): the open requests of a
database installed before, posted as receivables when they were asked, become drafts again.

Only a request nothing has been paid on is reset: a posted customer invoice whose deposit items
are all the request of one ticket, nothing reconciled with it. Through Odoo's own
`button_draft` (its checks apply: an entry in a locked period, or in a hashed journal, stays
posted and is logged), then its invoice date is cleared: posting dates it the day the client
pays. A request partly paid stays posted (money has arrived on it). The chatter says why.
Running it again changes nothing: the requests reset are drafts.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


def open_posted_requests(env):
    lines = env["account.move.line"].search(
        [
            ("rsb_deposit_role", "=", "request"),
            ("parent_state", "=", "posted"),
            ("move_id.move_type", "=", "out_invoice"),
        ]
    )
    return lines.move_id.filtered(
        lambda move: move.payment_state == "not_paid"
        and not move.currency_id.compare_amounts(move.amount_residual, move.amount_total)
        and set(move.line_ids.filtered("rsb_deposit_role").mapped("rsb_deposit_role"))
        == {"request"}
        and len(move.line_ids.rsb_deposit_ticket_id) == 1
    )


def reset_open_requests(env):
    """Reset the open posted requests to draft; the moves reset and those left posted."""
    reset = env["account.move"]
    kept = env["account.move"]
    for move in open_posted_requests(env):
        try:
            with env.cr.savepoint():
                move.button_draft()
                move.invoice_date = False
                move.message_post(
                    body=(
                        "Reset to draft by the upgrade: a deposit request is booked when the "
                        "client pays it (online, or by the accountant's Register Deposit "
                        "Payment), not when it is asked."
                    ),
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
            reset |= move
        except (UserError, ValidationError) as error:
            _logger.warning("Deposit request %s stays posted: %s", move.display_name, error)
            kept |= move
    return reset, kept


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    reset, kept = reset_open_requests(env)
    _logger.info(
        "Deposit requests: %s open requests reset to draft, %s left posted", len(reset), len(kept)
    )
    tickets = reset.line_ids.rsb_deposit_ticket_id
    if tickets:
        env.add_to_compute(tickets._fields["rsb_deposit_state"], tickets)
        env.flush_all()
