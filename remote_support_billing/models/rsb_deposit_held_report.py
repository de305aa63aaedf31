"""Money held for clients: deposits not applied, credits kept and payments not applied."""

from odoo import _, api, fields, models
from odoo.tools import SQL, format_amount


class RsbDepositHeldReport(models.Model):
    """Money held for clients, one row per document, in the company's currency:

    - deposits received but not applied yet: the paid part of the deposit requests (taxes
      included when deposits are taxed) of tickets not settled, less what their credit
      notes gave back (nothing for a request reversed in full) and what the ticket
      returned (a cancelled session's unused deposit, from its oldest requests first);
    - credits kept: what is left on posted customer credit notes (e.g. unused deposits
      kept as credit by the settle-up);
    - to be refunded: a credit note whose refund is on its way (a provider refund queued,
      sending or failed, or a draft refund payment waiting for an accountant): the money
      is held until it leaves, but the client is not keeping it as credit;
    - payments not applied: what is left open on the receivable account from customer
      payments (and bank statement lines) not yet reconciled with an invoice.

    Rows older than the company's "Flag Credits Older Than (months)" are flagged: unclaimed
    property (escheat) rules differ by state and country, the flag only says where to look.
    """

    _name = "rsb.deposit.held.report"
    _description = "Deposits and Credits Held"
    _auto = False
    _rec_name = "move_id"
    _order = "date, id"

    kind = fields.Selection(
        selection=[
            ("deposit", "Deposit Not Applied"),
            ("credit", "Credit Kept"),
            ("refund", "To Be Refunded"),
            ("payment", "Payment Not Applied"),
        ],
        readonly=True,
    )
    move_id = fields.Many2one(comodel_name="account.move", string="Document", readonly=True)
    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", string="Ticket", readonly=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    date = fields.Date(readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="max")
    amount = fields.Monetary(string="Held", readonly=True)
    older_than_threshold = fields.Boolean(
        readonly=True,
        help="Held longer than the company's threshold: check the unclaimed property rules "
        "of the client's state or country.",
    )

    _depends = {
        "account.move": [
            "move_type",
            "state",
            "commercial_partner_id",
            "company_id",
            "invoice_date",
            "date",
            "amount_total_signed",
            "amount_residual_signed",
            "reversed_entry_id",
            "rsb_deposit_ticket_id",
        ],
        "account.move.line": [
            "balance",
            "account_id",
            "move_id",
            "amount_residual",
            "reconciled",
            "partner_id",
            "rsb_deposit_role",
        ],
        "helpdesk.ticket": ["rsb_settled"],
        "rsb.money.out": ["move_id", "kind", "state"],
        "account.payment": ["state", "payment_type", "invoice_ids"],
        "res.company": ["rsb_unclaimed_credit_months"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        age = SQL("(%s::date - COALESCE(m.invoice_date, m.date))", today)
        old = SQL(
            """(company.rsb_unclaimed_credit_months > 0
                AND COALESCE(m.invoice_date, m.date)
                    < (%s::date
                       - make_interval(months => company.rsb_unclaimed_credit_months))::date)""",
            today,
        )
        return SQL(
            """
            SELECT d.id, 'deposit' AS kind, d.move_id, d.ticket_id, d.partner_id,
                   d.company_id, d.currency_id, d.date, d.age_days,
                   LEAST(d.paid, d.cumulative - d.returned) AS amount,
                   d.older_than_threshold
              FROM (
            SELECT m.id AS id,
                   m.id AS move_id,
                   m.rsb_deposit_ticket_id AS ticket_id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id AS company_id,
                   company.currency_id AS currency_id,
                   COALESCE(m.invoice_date, m.date) AS date,
                   %(age)s AS age_days,
                   m.amount_total_signed - given_back.amount - m.amount_residual_signed AS paid,
                   SUM(m.amount_total_signed - given_back.amount - m.amount_residual_signed)
                       OVER (PARTITION BY m.rsb_deposit_ticket_id ORDER BY m.id) AS cumulative,
                   returned.amount AS returned,
                   %(old)s AS older_than_threshold
              FROM account_move m
              JOIN res_company company ON company.id = m.company_id
              JOIN helpdesk_ticket ticket ON ticket.id = m.rsb_deposit_ticket_id
              -- what its posted credit notes gave back or cancelled: a request reversed in
              -- full holds nothing, one reversed in part holds the rest of what was paid
              -- (as account.move._rsb_is_full_reversal reads it)
              CROSS JOIN LATERAL (
                  SELECT COALESCE(-SUM(reversal.amount_total_signed), 0) AS amount
                    FROM account_move reversal
                   WHERE reversal.reversed_entry_id = m.id AND reversal.state = 'posted'
              ) given_back
              -- what the ticket's own documents returned of its deposit (a cancelled
              -- session's unused-deposit credit note, less its reversal if reversed), taken
              -- from its requests oldest first: a deposit returned is not held any more
              CROSS JOIN LATERAL (
                  SELECT COALESCE(-SUM(doc.amount_total_signed), 0) AS amount
                    FROM account_move doc
                   WHERE doc.state = 'posted'
                     AND doc.id IN (
                         SELECT line.move_id FROM account_move_line line
                          WHERE line.rsb_deposit_ticket_id = m.rsb_deposit_ticket_id
                            AND line.rsb_deposit_role = 'return'
                     )
                     -- a request's own reversal is counted above (given_back)
                     AND NOT EXISTS (
                         SELECT 1 FROM account_move_line request
                          WHERE request.move_id = doc.reversed_entry_id
                            AND request.rsb_deposit_role = 'request'
                     )
              ) returned
             WHERE m.move_type = 'out_invoice'
               AND m.state = 'posted'
               AND NOT COALESCE(ticket.rsb_settled, FALSE)
               AND m.amount_total_signed - given_back.amount - m.amount_residual_signed > 0
               -- a deposit request of the ledger (whatever account it was booked on, its
               -- taxes included when deposits are taxed)
               AND EXISTS (
                   SELECT 1 FROM account_move_line line
                    WHERE line.move_id = m.id AND line.rsb_deposit_role = 'request'
               )
              ) d
             WHERE LEAST(d.paid, d.cumulative - d.returned) > 0
            UNION ALL
            SELECT m.id AS id,
                   CASE WHEN EXISTS (
                            SELECT 1 FROM rsb_money_out mo
                             WHERE mo.move_id = m.id AND mo.kind = 'refund'
                               AND mo.state != 'done'
                        ) OR EXISTS (
                            SELECT 1 FROM account_move__account_payment rel
                              JOIN account_payment pay ON pay.id = rel.payment_id
                             WHERE rel.invoice_id = m.id AND pay.state = 'draft'
                               AND pay.payment_type = 'outbound'
                        )
                        THEN 'refund' ELSE 'credit' END AS kind,
                   m.id AS move_id,
                   NULL AS ticket_id,
                   m.commercial_partner_id AS partner_id,
                   m.company_id AS company_id,
                   company.currency_id AS currency_id,
                   COALESCE(m.invoice_date, m.date) AS date,
                   %(age)s AS age_days,
                   -m.amount_residual_signed AS amount,
                   %(old)s AS older_than_threshold
              FROM account_move m
              JOIN res_company company ON company.id = m.company_id
             WHERE m.move_type = 'out_refund'
               AND m.state = 'posted'
               AND m.amount_residual != 0
            UNION ALL
            SELECT m.id AS id,
                   'payment' AS kind,
                   m.id AS move_id,
                   NULL AS ticket_id,
                   partner.commercial_partner_id AS partner_id,
                   m.company_id AS company_id,
                   company.currency_id AS currency_id,
                   COALESCE(m.invoice_date, m.date) AS date,
                   %(age)s AS age_days,
                   -SUM(line.amount_residual) AS amount,
                   %(old)s AS older_than_threshold
              FROM account_move_line line
              JOIN account_move m ON m.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN res_company company ON company.id = m.company_id
             WHERE (m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL)
               AND line.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT line.reconciled
               AND line.amount_residual < 0
          GROUP BY m.id, company.id, partner.commercial_partner_id
            """,
            age=age,
            old=old,
        )

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action(name=self.move_id.display_name)

    def action_open_moves(self):
        return self.move_id._get_records_action(name=_("Deposits and Credits"))

    # ------------------------------------------------------------------ tie-out
    @api.model
    def _rsb_tie_out(self, company=None):
        """The deposits this report says are held against the Customer Deposits account's
        balance, today, in the company's currency: equal when every movement on the account
        is a ticket's deposit; else the difference and the journal items that explain it
        (entries on the account that no ticket's deposit tags: a manual entry, an import).

        An open request is not on the account (it is booked when paid, for what arrived). A
        posted request left with something to pay (its payment unreconciled since) puts on
        the account what is not held: listed apart, as ``unpaid_requests``.

        :return: {"account", "account_balance", "held", "unpaid_requests", "difference",
            "untagged_lines"}
        """
        company = company or self.env.company
        account = company._rsb_get_deposit_account()
        Line = self.env["account.move.line"].sudo()
        domain = [
            ("account_id", "=", account.id),
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
        ]
        lines = Line.search(domain)
        balance = -sum(lines.mapped("balance"))
        # a posted request with something left to pay: that part is on the account, not held
        unpaid = 0.0
        for move, move_lines in (
            lines.filtered(
                lambda line: line.rsb_deposit_role == "request"
                and line.move_id.move_type == "out_invoice"
            )
            .grouped("move_id")
            .items()
        ):
            if move.amount_total_signed:
                unpaid += (
                    -sum(move_lines.mapped("balance"))
                    * move.amount_residual_signed
                    / move.amount_total_signed
                )
        held = sum(
            self.sudo()
            .search([("company_id", "=", company.id), ("kind", "=", "deposit")])
            .mapped("amount")
        )
        currency = company.currency_id
        return {
            "account": account,
            "account_balance": currency.round(balance),
            "held": currency.round(held),
            "unpaid_requests": currency.round(unpaid),
            "difference": currency.round(balance - held - unpaid),
            "untagged_lines": lines.filtered(lambda line: not line.rsb_deposit_ticket_id),
        }

    @api.model
    def action_rsb_tie_out(self):
        """The tie-out of the current company, said in a notification; with a difference,
        the journal items that explain it are opened."""
        tie = self._rsb_tie_out()
        currency = self.env.company.currency_id
        figures = {
            "account": tie["account"].display_name,
            "balance": format_amount(self.env, tie["account_balance"], currency),
            "held": format_amount(self.env, tie["held"], currency),
            "difference": format_amount(self.env, tie["difference"], currency),
            "unpaid": format_amount(self.env, tie["unpaid_requests"], currency),
        }
        if currency.is_zero(tie["difference"]):
            message = _(
                "%(account)s: %(balance)s = deposits held %(held)s + requests not paid yet "
                "%(unpaid)s. They tie out.",
                **figures,
            )
            kind, following = "success", {"type": "ir.actions.act_window_close"}
        else:
            message = _(
                "%(account)s: %(balance)s, deposits held %(held)s, requests not paid yet "
                "%(unpaid)s: %(difference)s is not a ticket's deposit (the entries listed).",
                **figures,
            )
            kind = "warning"
            following = tie["untagged_lines"]._get_records_action(
                name=_("Customer Deposits not held for a ticket")
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Deposits Held tie-out"),
                "message": message,
                "type": kind,
                "sticky": kind == "warning",
                "next": following,
            },
        }
