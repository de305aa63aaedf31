"""Tag the deposit items of databases installed before the deposit ledger (18.0.1.1.0) with their
ticket and role, so that each ticket's deposit figures are read from its journal items.

Before the ledger, a deposit was found through its documents: the request invoice linked from
the ticket (`helpdesk_ticket.rsb_deposit_move_id`, `account_move.rsb_deposit_ticket_id`) and the
settle-up documents (`rsb_ticket_settlement_move_rel`). Their deposit lines are the product lines
on a current liability account (the Customer Deposits account they were booked on, even if the
company's setting changed since). Tagged here, in this order:

* request: the lines of the deposit invoices;
* apply: the lines of the settle-up invoices (the deposit deducted);
* return: the lines of the settle-up credit notes (the unused deposit);
* a reversal of any of these gets the tags of the document it reverses (as Odoo's reversals
  copy them today).

Only untagged lines of documents linked to exactly one ticket are tagged: running it again
changes nothing. The tickets' stored deposit state is then recomputed from the books.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

_logger = logging.getLogger(__name__)

REQUESTS = SQL(
    """
    SELECT link.move_id, MIN(link.ticket_id) AS ticket_id, 'request' AS role
      FROM (
            SELECT m.id AS move_id, m.rsb_deposit_ticket_id AS ticket_id
              FROM account_move m
             WHERE m.rsb_deposit_ticket_id IS NOT NULL
             UNION
            SELECT t.rsb_deposit_move_id, t.id
              FROM helpdesk_ticket t
             WHERE t.rsb_deposit_move_id IS NOT NULL
           ) link
      JOIN account_move m ON m.id = link.move_id
     WHERE m.move_type = 'out_invoice' AND m.reversed_entry_id IS NULL
  GROUP BY link.move_id
    HAVING COUNT(DISTINCT link.ticket_id) = 1
    """
)


def _settlement_documents(move_type, role):
    return SQL(
        """
        SELECT rel.move_id, MIN(rel.ticket_id) AS ticket_id, %(role)s AS role
          FROM rsb_ticket_settlement_move_rel rel
          JOIN account_move m ON m.id = rel.move_id
         WHERE m.move_type = %(move_type)s AND m.reversed_entry_id IS NULL
      GROUP BY rel.move_id
        HAVING COUNT(DISTINCT rel.ticket_id) = 1
        """,
        role=role,
        move_type=move_type,
    )


REVERSALS = SQL(
    """
    SELECT r.id AS move_id, MIN(l.rsb_deposit_ticket_id) AS ticket_id,
           MIN(l.rsb_deposit_role) AS role
      FROM account_move r
      JOIN account_move_line l
        ON l.move_id = r.reversed_entry_id AND l.rsb_deposit_ticket_id IS NOT NULL
                                           AND l.rsb_deposit_role IS NOT NULL
     GROUP BY r.id
    HAVING COUNT(DISTINCT (l.rsb_deposit_ticket_id, l.rsb_deposit_role)) = 1
    """
)


def _tag(cr, documents):
    """Tag the untagged deposit lines of the documents.

    :param documents: SQL selecting (move_id, ticket_id, role), one row per document
    :return: the ids of the tickets whose lines were tagged
    """
    cr.execute(
        SQL(
            """
            UPDATE account_move_line aml
               SET rsb_deposit_ticket_id = doc.ticket_id, rsb_deposit_role = doc.role
              FROM (%(documents)s) doc, account_account account
             WHERE aml.move_id = doc.move_id
               AND account.id = aml.account_id
               AND aml.rsb_deposit_ticket_id IS NULL
               AND aml.display_type = 'product'
               AND account.account_type = 'liability_current'
         RETURNING aml.rsb_deposit_ticket_id
            """,
            documents=documents,
        )
    )
    return {row[0] for row in cr.fetchall()}


def tag_deposit_lines(cr):
    """Tag the deposit lines of the documents of every ticket. :return: the tickets' ids"""
    if not (
        table_exists(cr, "rsb_ticket_settlement_move_rel")
        and column_exists(cr, "helpdesk_ticket", "rsb_deposit_move_id")
        and column_exists(cr, "account_move_line", "rsb_deposit_role")
    ):
        return set()
    tickets = _tag(cr, REQUESTS)
    tickets |= _tag(cr, _settlement_documents("out_invoice", "apply"))
    tickets |= _tag(cr, _settlement_documents("out_refund", "return"))
    # a reversal of a reversal is tagged on a second pass
    for _pass in range(2):
        tickets |= _tag(cr, REVERSALS)
    return tickets


def migrate(cr, version):
    if not version:
        return
    ticket_ids = tag_deposit_lines(cr)
    _logger.info("Deposit ledger: tagged the deposit items of %s tickets", len(ticket_ids))
    if not ticket_ids:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    tickets = env["helpdesk.ticket"].with_context(active_test=False).browse(sorted(ticket_ids))
    env.invalidate_all()
    env.add_to_compute(tickets._fields["rsb_deposit_state"], tickets)
    env.flush_all()
