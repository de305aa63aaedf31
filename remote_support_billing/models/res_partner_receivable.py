"""What a client owes: the one definition (open, overdue, credit) read from posted journal items."""

from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ the rule
    @api.model
    def _rsb_open_items_sql(self, company=None, partner_ids=None, as_of=None):
        """The SQL of the open receivable items (the one rule of what is owed and when), one
        row per posted, unreconciled receivable journal item of `company` (all companies if
        None), of these commercial partners if given:
        ``id, move_id, company_id, partner_id, date_due, date, residual, residual_currency,
        currency_id, allocated, net, net_currency, credits``.

        - ``date_due`` is the item's own maturity (``date_maturity``): each instalment of a
          payment term is an item, due on its date (not the invoice's last due date);
        - a deposit request is never a receivable (a draft until money arrives, posted for
          what arrived): nothing to leave out;
        - the client's open credits (credit notes, payments not applied yet) are allocated to
          their debts oldest first, first in first out, as a reconciliation would: a debit
          item's ``allocated`` is the credit it is covered by (company currency), ``credits``
          the credits covering it as ``[[credit date, amount], ...]`` (the date a credit
          stops interest); a credit item's ``allocated`` is the part of it used;
        - ``net`` = what is left of the item after the allocation (company currency,
          negative: credit left over), ``net_currency`` the same in the item's currency.

        :param as_of: a past date: the items as they were open at the end of that day (the
            items dated until then, less the reconciliations made until then, from the
            partial reconciliations' dates, as OCA partner_statement reads them); default:
            as they are open now
        """
        filters = [SQL("line.company_id = %s", company.id)] if company else []
        if partner_ids is not None:
            filters.append(SQL("partner.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if as_of:
            # what was open at `as_of`: the item's amount less what was reconciled with it
            # by then (as a debit or as a credit of the partial reconciliations)
            residual = SQL(
                """line.balance
                   - COALESCE((SELECT SUM(p.amount) FROM account_partial_reconcile p
                                WHERE p.debit_move_id = line.id AND p.max_date <= %(d)s), 0)
                   + COALESCE((SELECT SUM(p.amount) FROM account_partial_reconcile p
                                WHERE p.credit_move_id = line.id AND p.max_date <= %(d)s), 0)""",
                d=as_of,
            )
            residual_currency = SQL(
                """line.amount_currency
                   - COALESCE((SELECT SUM(p.debit_amount_currency)
                                 FROM account_partial_reconcile p
                                WHERE p.debit_move_id = line.id AND p.max_date <= %(d)s), 0)
                   + COALESCE((SELECT SUM(p.credit_amount_currency)
                                 FROM account_partial_reconcile p
                                WHERE p.credit_move_id = line.id AND p.max_date <= %(d)s), 0)""",
                d=as_of,
            )
            open_filter = SQL("AND line.date <= %s", as_of)
        else:
            residual = SQL("line.amount_residual")
            residual_currency = SQL("line.amount_residual_currency")
            open_filter = SQL("AND NOT line.reconciled")
        return SQL(
            """
            WITH line_open AS (
                SELECT line.id, line.move_id, line.company_id,
                       partner.commercial_partner_id AS partner_id,
                       COALESCE(line.date_maturity, line.date) AS date_due,
                       line.date,
                       %(residual)s AS residual,
                       %(residual_currency)s AS residual_currency,
                       line.currency_id
                  FROM account_move_line line
                  JOIN account_account account ON account.id = line.account_id
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE line.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   %(open_filter)s
                   %(filters)s
            ), item AS (
                SELECT * FROM line_open WHERE residual != 0
            ), debit AS (
                -- debts oldest due first, each the slice (upto - residual, upto] of the
                -- client's total debt
                SELECT id, company_id, partner_id, residual,
                       SUM(residual) OVER (PARTITION BY company_id, partner_id
                                           ORDER BY date_due, move_id, id) AS upto
                  FROM item WHERE residual > 0
            ), credit AS (
                -- credits oldest first, each the slice (upto - amount, upto] of the total
                SELECT id, company_id, partner_id, date, -residual AS amount,
                       SUM(-residual) OVER (PARTITION BY company_id, partner_id
                                            ORDER BY date, move_id, id) AS upto
                  FROM item WHERE residual < 0
            ), allocation AS (
                -- where the two slices overlap, that credit covers that debt
                SELECT d.id AS debit_id, c.id AS credit_id, c.date AS credit_date,
                       LEAST(d.upto, c.upto)
                       - GREATEST(d.upto - d.residual, c.upto - c.amount) AS amount
                  FROM debit d
                  JOIN credit c ON c.company_id = d.company_id
                               AND c.partner_id = d.partner_id
                               AND c.upto - c.amount < d.upto
                               AND d.upto - d.residual < c.upto
            ), covered AS (
                SELECT debit_id AS id, SUM(amount) AS allocated,
                       json_agg(json_build_array(credit_date, amount)
                                ORDER BY credit_date, credit_id) AS credits
                  FROM allocation GROUP BY debit_id
            ), used AS (
                SELECT credit_id AS id, SUM(amount) AS allocated
                  FROM allocation GROUP BY credit_id
            )
            SELECT item.*,
                   COALESCE(covered.allocated, used.allocated, 0.0) AS allocated,
                   item.residual - SIGN(item.residual)
                       * COALESCE(covered.allocated, used.allocated, 0.0) AS net,
                   item.residual_currency * (1 - COALESCE(covered.allocated, used.allocated,
                                                          0.0) / ABS(item.residual))
                       AS net_currency,
                   COALESCE(covered.credits, '[]'::json) AS credits
              FROM item
              LEFT JOIN covered ON covered.id = item.id
              LEFT JOIN used ON used.id = item.id
            """,
            filters=SQL(" ").join(SQL("AND %s", f) for f in filters),
            residual=residual,
            residual_currency=residual_currency,
            open_filter=open_filter,
        )

    @api.model
    def _rsb_receivable_position_sql(self, company, date, partner_ids=None, as_of=None):
        """The SQL of what clients owe `company` at `date`, one row per commercial partner:
        ``partner_id, balance, open, overdue, credit, open_count, oldest_due_date``
        (company currency).

        An aggregate of `_rsb_open_items_sql` (the one rule: per receivable item, credits
        allocated oldest debt first):

        - ``credit`` is the total of the open credits (credit notes, payments not applied
          yet); ``open`` = what is due in total less the credits, ``overdue`` = what is left
          of the items due before `date` once the credits are allocated (the oldest first,
          so: the items due less the credits), neither below 0;
        - ``balance`` = open items less credits (negative: the client has credit);
        - ``oldest_due_date`` is the due date of the oldest item still overdue net,
          ``oldest_move_id`` its journal entry (an invoice of which an instalment is late).

        Shared by `_rsb_get_receivable_position`, the dunning plan and the SQL reports
        (collections, aging), so that every figure of what a client owes comes from it.
        """
        return SQL(
            """
            SELECT partner_id,
                   debit - credit AS balance,
                   GREATEST(debit - credit, 0.0) AS open,
                   overdue,
                   credit,
                   open_count,
                   oldest_due_date,
                   oldest_move_id
              FROM (
                SELECT items.partner_id,
                       COALESCE(SUM(items.residual)
                                FILTER (WHERE items.residual > 0), 0.0) AS debit,
                       COALESCE(SUM(items.net)
                                FILTER (WHERE items.residual > 0
                                          AND items.date_due < %(date)s), 0.0) AS overdue,
                       COALESCE(-SUM(items.residual)
                                FILTER (WHERE items.residual < 0), 0.0) AS credit,
                       COUNT(DISTINCT items.move_id)
                                FILTER (WHERE items.residual > 0) AS open_count,
                       MIN(items.date_due)
                                FILTER (WHERE items.net > 0
                                          AND items.date_due < %(date)s) AS oldest_due_date,
                       (ARRAY_AGG(items.move_id ORDER BY items.date_due, items.move_id)
                                FILTER (WHERE items.net > 0
                                          AND items.date_due < %(date)s))[1] AS oldest_move_id
                  FROM (%(items)s) items
              GROUP BY items.partner_id
              ) owed
            """,
            date=date,
            items=self._rsb_open_items_sql(company, partner_ids, as_of=as_of),
        )

    def _rsb_get_receivable_position(self, company=None, date=None, as_of=False):
        """What these clients (all clients if empty) owe `company` (default: the current
        company) at `date` (default: today), in one query. With `as_of`, as the books
        stood at the end of `date` (a statement of a past period), else with today's
        reconciliations.

        :return: {commercial partner id: {"open", "overdue", "credit", "balance",
                  "open_count", "oldest_due_date", "oldest_move_id"}}; clients with nothing
                  open are absent (see `_rsb_empty_position`).
        """
        company = company or self.env.company
        date = date or fields.Date.context_today(self)
        self.env.flush_all()
        partner_ids = self.commercial_partner_id.ids if self else None
        currency = company.currency_id  # read before the query: a cache miss is a query
        self.env.cr.execute(
            self._rsb_receivable_position_sql(
                company, date, partner_ids, as_of=date if as_of else None
            )
        )
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
            "oldest_move_id": None,
        }

    @api.model
    def _rsb_owed_invoice_domain(self, company=None, overdue_date=None):
        """Domain of the customer invoices that count as owed (open, posted), of these
        clients if any, of `company` if given; only those with a receivable item (an
        instalment) due before `overdue_date` if given. For the callers that list invoices
        (plans, write-off, dunning, dashboard, portal); the amounts come from
        `_rsb_get_receivable_position`.
        """
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        if self:
            domain.append(("commercial_partner_id", "in", self.commercial_partner_id.ids))
        if company:
            domain.append(("company_id", "=", company.id))
        if overdue_date:
            # per receivable item (`_rsb_open_items_sql`): a late first instalment counts
            domain.append(
                (
                    "line_ids",
                    "any",
                    [
                        ("account_id.account_type", "=", "asset_receivable"),
                        ("reconciled", "=", False),
                        ("amount_residual", ">", 0),
                        ("date_maturity", "<", overdue_date),
                    ],
                )
            )
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
