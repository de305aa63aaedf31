"""What a client owes: the one definition (open, overdue, credit) read from posted journal items."""

from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ the rule
    @api.model
    def _rsb_receivable_position_sql(self, company, date, partner_ids=None):
        """The SQL of what clients owe `company` at `date`, one row per commercial partner:
        ``partner_id, balance, open, overdue, credit, open_count, oldest_due_date``
        (company currency).

        Read from the posted, unreconciled receivable journal items (``amount_residual``):

        - an unpaid deposit request is not a debt (money never received is not owed): the
          receivable items of customer invoices linked to a ticket's deposit are left out;
        - open credits (credit notes, payments not applied yet) are netted: ``credit`` is
          their total; ``open`` = what is due in total less the credits, ``overdue`` = the
          items due before `date` less the credits, neither below 0;
        - ``balance`` = open items less credits (negative: the client has credit).

        Shared by `_rsb_get_receivable_position` and the SQL reports (collections), so that
        every figure of what a client owes comes from this query.
        """
        partner_filter = (
            SQL("AND partner.commercial_partner_id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL()
        )
        return SQL(
            """
            SELECT partner_id,
                   debit - credit AS balance,
                   GREATEST(debit - credit, 0.0) AS open,
                   GREATEST(due - credit, 0.0) AS overdue,
                   credit,
                   open_count,
                   oldest_due_date
              FROM (
                SELECT partner.commercial_partner_id AS partner_id,
                       COALESCE(SUM(line.amount_residual)
                                FILTER (WHERE line.amount_residual > 0), 0.0) AS debit,
                       COALESCE(SUM(line.amount_residual)
                                FILTER (WHERE line.amount_residual > 0
                                          AND COALESCE(line.date_maturity, line.date)
                                              < %(date)s), 0.0) AS due,
                       COALESCE(-SUM(line.amount_residual)
                                FILTER (WHERE line.amount_residual < 0), 0.0) AS credit,
                       COUNT(DISTINCT line.move_id)
                                FILTER (WHERE line.amount_residual > 0) AS open_count,
                       MIN(COALESCE(line.date_maturity, line.date))
                                FILTER (WHERE line.amount_residual > 0
                                          AND COALESCE(line.date_maturity, line.date)
                                              < %(date)s) AS oldest_due_date
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN account_move move ON move.id = line.move_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE line.company_id = %(company)s
                   AND line.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND NOT line.reconciled
                   AND line.amount_residual != 0
                   AND %(not_deposit_request)s
                   %(partner_filter)s
              GROUP BY partner.commercial_partner_id
              ) owed
            """,
            company=company.id,
            date=date,
            partner_filter=partner_filter,
            not_deposit_request=self._rsb_not_deposit_request_sql("move"),
        )

    @api.model
    def _rsb_not_deposit_request_sql(self, move_alias):
        """SQL condition on an ``account_move`` row (aliased `move_alias`): it is not a deposit
        request. An unpaid deposit request is money never received, not a debt: every SQL
        figure of what clients owe (this position, the aging report) filters with it; the
        ORM callers use `_rsb_owed_invoice_domain`."""
        move = SQL.identifier(move_alias)
        return SQL(
            "NOT (%s.move_type = 'out_invoice' AND %s.rsb_deposit_ticket_id IS NOT NULL)",
            move,
            move,
        )

    def _rsb_get_receivable_position(self, company=None, date=None):
        """What these clients (all clients if empty) owe `company` (default: the current
        company) at `date` (default: today), in one query.

        :return: {commercial partner id: {"open", "overdue", "credit", "balance",
                  "open_count", "oldest_due_date"}}; clients with nothing open are absent
                  (see `_rsb_empty_position`).
        """
        company = company or self.env.company
        date = date or fields.Date.context_today(self)
        self.env.flush_all()
        partner_ids = self.commercial_partner_id.ids if self else None
        currency = company.currency_id  # read before the query: a cache miss is a query
        self.env.cr.execute(self._rsb_receivable_position_sql(company, date, partner_ids))
        rows = self.env.cr.dictfetchall()
        return {
            row["partner_id"]: {
                **row,
                "open": currency.round(row["open"]),
                "overdue": currency.round(row["overdue"]),
                "credit": currency.round(row["credit"]),
                "balance": currency.round(row["balance"]),
            }
            for row in rows
        }

    @api.model
    def _rsb_empty_position(self):
        return {
            "open": 0.0,
            "overdue": 0.0,
            "credit": 0.0,
            "balance": 0.0,
            "open_count": 0,
            "oldest_due_date": None,
        }

    @api.model
    def _rsb_owed_invoice_domain(self, company=None, overdue_date=None):
        """Domain of the customer invoices that count as owed (open, posted, not a deposit
        request), of these clients if any, of `company` if given; only those due before
        `overdue_date` if given. For the callers that list invoices (plans, write-off,
        dunning, dashboard, portal); the amounts come from `_rsb_get_receivable_position`.
        """
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("rsb_deposit_ticket_id", "=", False),
        ]
        if self:
            domain.append(("commercial_partner_id", "in", self.commercial_partner_id.ids))
        if company:
            domain.append(("company_id", "=", company.id))
        if overdue_date:
            domain.append(("invoice_date_due", "<", overdue_date))
        return domain

    def _rsb_owed_summary(self, company=None):
        """What the portal shows a client (one commercial partner) about their debt: the
        invoices they owe, read as the current user (record rules apply), and the open and
        overdue amounts net of their credits, in the company's currency."""
        self.ensure_one()
        company = company or self.env.company
        client = self.commercial_partner_id
        invoices = self.env["account.move"].search(
            client._rsb_owed_invoice_domain(company), order="invoice_date_due, id"
        )
        position = client._rsb_get_receivable_position(company).get(
            client.id, self._rsb_empty_position()
        )
        return {
            "invoices": invoices,
            "amount_open": position["open"],
            "amount_overdue": position["overdue"],
            "credit": position["credit"],
            "currency": company.currency_id,
        }
