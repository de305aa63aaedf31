"""Dunning runs: which client reaches which level on a date (one set-based query) and the
preview; the execution is in rsb_dunning_run_execute.py."""

from collections import defaultdict
from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round

RUN_STATES = [
    ("draft", "Draft"),
    ("preview", "Previewed"),
    ("running", "Running"),
    ("done", "Done"),
]


class RsbDunningRun(models.Model):
    """A dunning run of a company on a date: the preview (one line per client: level
    reached, invoices, fee, actions that would happen), then the execution of the same
    logic. Executed by an accountant (Execute button) or by the daily cron."""

    _name = "rsb.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # Clients per chunk that a worker claims, executes and commits: a chunk has fixed costs
    # (the plan query, each template compiled, the email layout rendered) that 1,000
    # clients make small, and its transaction lasts a few seconds.
    _rsb_batch_size = 1000

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Invoices are dunned for their days overdue at this date.",
    )
    state = fields.Selection(
        RUN_STATES, default="draft", required=True, readonly=True, tracking=True, copy=False
    )
    user_id = fields.Many2one(
        "res.users", string="Run By", default=lambda self: self.env.user, readonly=True
    )
    line_ids = fields.One2many("rsb.dunning.run.line", "run_id", string="Clients", readonly=True)
    line_count = fields.Integer(compute="_compute_counts", string="Number of Clients")
    to_do_count = fields.Integer(compute="_compute_counts", string="To Do")
    paused_count = fields.Integer(compute="_compute_counts", string="Paused")
    done_count = fields.Integer(compute="_compute_counts", string="Done")
    amount_due = fields.Monetary(compute="_compute_counts", currency_field="currency_id")
    fee_amount = fields.Monetary(
        compute="_compute_counts", currency_field="currency_id", string="Late Fees"
    )
    is_cron = fields.Boolean(readonly=True, help="Created by the daily dunning cron.")

    @api.depends("date", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = _("Dunning %(date)s", date=run.date) if run.date else _("New dunning run")

    def _compute_counts(self):
        groups = self.env["rsb.dunning.run.line"]._read_group(
            [("run_id", "in", self.ids)],
            ["run_id", "state"],
            ["__count", "amount_due:sum", "fee_amount:sum"],
        )
        stats = defaultdict(lambda: defaultdict(float))
        for run, state, count, amount, fee in groups:
            stats[run.id][state] += count
            stats[run.id]["lines"] += count
            if state != "paused":
                stats[run.id]["amount"] += amount
                stats[run.id]["fee"] += fee
        for run in self:
            data = stats[run.id]
            run.line_count = int(data["lines"])
            run.to_do_count = int(data["to_do"])
            run.paused_count = int(data["paused"])
            run.done_count = int(data["done"])
            run.amount_due = data["amount"]
            run.fee_amount = data["fee"]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_executed(self):
        if any(run.state in ("running", "done") for run in self):
            raise UserError(_("An executed dunning run is its history: it cannot be deleted."))

    # ------------------------------------------------------------------ actions
    def action_preview(self):
        """(Re)compute the preview: who reaches which level, their invoices, fees and the
        actions that would happen. Nothing is sent or changed on invoices."""
        for run in self:
            if run.state in ("running", "done"):
                raise UserError(_("Run %s is already executed.", run.name))
            self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id, run=run)
            run.line_ids.unlink()
            run._rsb_create_lines()
            run.state = "preview"
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_dunning_run_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_level": 1}
        return action

    # ------------------------------------------------------------------ business
    def _rsb_plan(self, partner_ids=None):
        """Set-based level assignment: one SQL query returns every open customer invoice of
        the company that reached a level at the run's date, with its highest level reached,
        whether that level was already done (history), and the invoice and client pauses.

        What is overdue is the one rule (`res.partner._rsb_open_items_sql`): per receivable
        item (a late first instalment is dunned, the instalments not due yet are not),
        net of the client's open credits (credit notes, payments not applied yet, allocated
        to the oldest debts first). A row is an invoice with what is left of its items
        that reached the first level: ``residual`` (company currency) and
        ``residual_currency`` (the invoice's) are what the client is reminded of and what
        fees are computed on; ``date_due`` and ``days_late`` are those of its oldest such
        item; ``items`` (one per item: its due date, what is left of it, and the payments
        and credits that paid it, with their dates) let interest run on the balance
        outstanding day by day.

        :return: {commercial partner id: [row dict, ...]} ordered by due date
        """
        self.ensure_one()
        self.env.flush_all()
        min_days = (
            self.env["rsb.dunning.level"]
            .search([("company_id", "=", self.company_id.id)], order="days", limit=1)
            .days
        )
        partner_filter = (
            SQL("AND m.commercial_partner_id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL()
        )
        partners = self.env["res.partner"].sudo().with_company(self.company_id)
        query = SQL(
            """
            SELECT m.id AS move_id,
                   m.commercial_partner_id AS partner_id,
                   late.date_due AS date_due,
                   %(date)s::date - late.date_due AS days_late,
                   late.residual AS residual,
                   late.residual_currency AS residual_currency,
                   late.items AS items,
                   m.currency_id AS currency_id,
                   COALESCE(m.rsb_dunning_fee, FALSE) AS is_fee,
                   (SELECT MAX(f.interest_until) FROM rsb_dunning_fee f
                     WHERE f.move_id = m.id) AS interest_until,
                   lvl.id AS level_id,
                   lvl.days AS level_days,
                   (m.rsb_dunning_pause_reason IS NOT NULL
                    AND (m.rsb_dunning_pause_until IS NULL
                         OR m.rsb_dunning_pause_until >= %(date)s)) AS move_paused,
                   m.rsb_dunning_pause_reason AS move_pause_reason,
                   (%(p_pause_reason)s IS NOT NULL
                    AND (%(p_pause_until)s IS NULL
                         OR %(p_pause_until)s >= %(date)s)) AS partner_paused,
                   %(p_pause_reason)s AS partner_pause_reason,
                   EXISTS(SELECT 1 FROM rsb_dunning_history h
                           WHERE h.move_id = m.id AND h.level_id = lvl.id) AS done
              FROM account_move m
              JOIN res_partner p ON p.id = m.commercial_partner_id
              -- what is left of the invoice's receivable items that reached the first
              -- level, once the client's credits are allocated (the one rule:
              -- res.partner._rsb_open_items_sql): a credit note that covers the late
              -- invoice means nothing to dun
              JOIN (
                    SELECT items.move_id,
                           MIN(items.date_due) AS date_due,
                           SUM(items.net) AS residual,
                           SUM(items.net_currency) AS residual_currency,
                           json_agg(json_build_object(
                               'date_due', items.date_due,
                               'amount', items.net_currency,
                               -- company currency -> the item's currency
                               'ratio', items.residual_currency / items.residual,
                               'credits', items.credits,
                               'payments', COALESCE(paid.payments, '[]'::json)
                           ) ORDER BY items.date_due, items.id) AS items
                      FROM (%(items)s) items
                      LEFT JOIN LATERAL (
                            -- payments and credit notes reconciled with the item, with
                            -- their dates and amounts in the item's currency
                            SELECT json_agg(json_build_array(
                                       counterpart.date, partial.debit_amount_currency)
                                       ORDER BY counterpart.date, partial.id) AS payments
                              FROM account_partial_reconcile partial
                              JOIN account_move_line counterpart
                                ON counterpart.id = partial.credit_move_id
                             WHERE partial.debit_move_id = items.id
                           ) paid ON TRUE
                     WHERE items.net > 0
                       AND items.date_due <= %(date)s::date - %(min_days)s
                  GROUP BY items.move_id
                   ) late ON late.move_id = m.id
              JOIN LATERAL (
                    SELECT l.id, l.days
                      FROM rsb_dunning_level l
                     WHERE l.company_id = m.company_id AND l.active
                       AND l.days <= %(date)s::date - late.date_due
                  ORDER BY l.days DESC
                     LIMIT 1
                   ) lvl ON TRUE
             WHERE m.company_id = %(company)s
               -- the invoices that count as owed (res.partner._rsb_owed_invoice_domain)
               AND m.id IN %(owed)s
               -- a fee invoice is not reminded on the day it was issued (a second run
               -- the same day does not restart the ladder with a friendly reminder)
               AND NOT (COALESCE(m.rsb_dunning_fee, FALSE) AND m.invoice_date >= %(date)s)
               %(partner_filter)s
          ORDER BY m.commercial_partner_id, late.date_due, m.id
            """,
            date=self.date,
            company=self.company_id.id,
            min_days=min_days,
            partner_filter=partner_filter,
            owed=self._rsb_owed_invoices_query(),
            # the client's dunning pause is per company (jsonb column)
            p_pause_reason=partners._field_to_sql("p", "rsb_dunning_pause_reason"),
            p_pause_until=partners._field_to_sql("p", "rsb_dunning_pause_until"),
            items=self.env["res.partner"]._rsb_open_items_sql(self.company_id, partner_ids),
        )
        self.env.cr.execute(query)
        plan = defaultdict(list)
        # rounding of each currency read once (res.currency.round, without a record access
        # per row: the plan has a row per overdue invoice)
        rows = self.env.cr.dictfetchall()  # before any field read (a query of its own)
        roundings = {}
        company_rounding = self.company_id.currency_id.rounding
        for row in rows:
            currency_id = row["currency_id"]
            if currency_id not in roundings:
                roundings[currency_id] = self.env["res.currency"].browse(currency_id).rounding
            row["residual"] = float_round(row["residual"], precision_rounding=company_rounding)
            row["residual_currency"] = float_round(
                row["residual_currency"], precision_rounding=roundings[currency_id]
            )
            row["items"] = [self._rsb_plan_item(item) for item in row["items"]]
            plan[row["partner_id"]].append(row)
        return plan

    @staticmethod
    def _rsb_json_date(day):
        """A date of the plan's JSON (ISO text; `date.fromisoformat`, not strptime: one per
        receivable item and payment)."""
        return day if isinstance(day, date) else date.fromisoformat(day[:10])

    @api.model
    def _rsb_plan_item(self, item):
        """A receivable item of a plan row, read from its JSON: ``(due date, what is left of
        it, [(date, amount paid or credited that day)])``, amounts in the item's currency
        (billing_math.interest_on_balance)."""
        ratio = item["ratio"] or 1.0
        to_date = self._rsb_json_date
        paid = [(to_date(day), amount) for day, amount in item["payments"]]
        paid += [(to_date(day), amount * ratio) for day, amount in item["credits"]]
        return (to_date(item["date_due"]), item["amount"], sorted(paid))

    def _rsb_owed_invoices_query(self):
        """Sub-select of the company's invoices that count as owed (one definition)."""
        domain = self.env["res.partner"]._rsb_owed_invoice_domain(self.company_id)
        return self.env["account.move"].sudo()._search(domain).subselect()

    def _rsb_levels(self):
        """The company's levels by id (one query, prefetched)."""
        levels = self.env["rsb.dunning.level"].search([("company_id", "=", self.company_id.id)])
        levels.mapped("name")
        return {level.id: level for level in levels}

    def _rsb_evaluate_client(self, rows, levels, memo=None):
        """What happens to one client, from their plan rows: the values of a run line plus
        the new (invoice, level) rows and their fees. Shared by the preview and the
        execution (which re-reads the rows per batch).

        :param memo: a dict the caller keeps across the run's clients: each level's action
            text and the run's constants (read once, not once per client)
        """
        if memo is None:
            memo = {}
        if "days" not in memo:
            memo.update(
                currency=self.company_id.currency_id,
                company=self.company_id,
                date=self.date,
                days={level_id: level.days for level_id, level in levels.items()},
                labels={},
            )
        currency, days = memo["currency"], memo["days"]
        partner_paused = rows[0]["partner_paused"]
        active = [r for r in rows if not r["move_paused"]]
        new = [r for r in active if not r["done"]]
        paused_new = [r for r in rows if r["move_paused"] and not r["done"]]
        fees = self.env["rsb.dunning.run.line"]._rsb_compute_fees(new, levels, memo["date"], memo)
        # the highest level reached (the first of equal ones), by its days
        level_id = max((r["level_id"] for r in new), key=days.__getitem__, default=None)
        level = levels[level_id] if level_id else None
        values = {
            "partner_id": rows[0]["partner_id"],
            "level_id": level_id or max((r["level_id"] for r in rows), key=days.__getitem__),
            "move_ids": [fields.Command.set([r["move_id"] for r in active])],
            "paused_move_ids": [fields.Command.set([r["move_id"] for r in paused_new])],
            "amount_due": currency.round(sum(r["residual"] for r in active)),
            "fee_amount": self.env["rsb.dunning.run.line"]._rsb_fee_total(
                fees, memo["company"], memo["date"]
            ),
            "days_late": max((r["days_late"] for r in active), default=0),
        }
        if partner_paused:
            values.update(
                state="paused",
                pause_reason=rows[0]["partner_pause_reason"],
                actions=_("Client paused"),
            )
            return values, [], []
        if not new:
            if paused_new:
                values.update(
                    state="paused",
                    pause_reason=paused_new[0]["move_pause_reason"],
                    actions=_("Invoices paused"),
                )
                return values, [], []
            return None, [], []
        labels = memo["labels"]
        if level.id not in labels:
            labels[level.id] = ", ".join(level._rsb_action_labels())
        values.update(state="to_do", actions=labels[level.id])
        return values, new, fees

    def _rsb_create_lines(self):
        """The preview: one line per client with something new (or paused)."""
        self.ensure_one()
        levels = self._rsb_levels()
        if not levels:
            raise UserError(
                _(
                    "Company %s has no dunning level: create them under Invoicing > "
                    "Configuration > Dunning levels.",
                    self.company_id.name,
                )
            )
        plan = self._rsb_plan()
        vals_list, memo = [], {}
        for rows in plan.values():
            values, _new, _fees = self._rsb_evaluate_client(rows, levels, memo)
            if values:
                vals_list.append(values)
        return self._rsb_insert_lines(vals_list)

    def _rsb_insert_lines(self, vals_list):
        """Insert the run lines of the evaluation (`_rsb_evaluate_client`) and their
        invoices in one INSERT per table (the ORM's create costs more than the whole level
        assignment at 100,000 invoices).

        :return: the new lines
        """
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        if not vals_list:
            return Line
        Line.flush_model()
        cr, now, uid = self.env.cr, self.env.cr.now(), self.env.uid
        # the ids first: the rows of the relations below are known before the INSERT
        cr.execute(
            SQL(
                "SELECT nextval('rsb_dunning_run_line_id_seq') FROM generate_series(1, %s)",
                len(vals_list),
            )
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """
            INSERT INTO rsb_dunning_run_line (
                id, partner_id, level_id, amount_due, fee_amount, days_late, state,
                pause_reason, actions, run_id, company_id, writeoff_proposed,
                create_uid, write_uid, create_date, write_date)
            SELECT v.*, %(run)s, %(company)s, FALSE, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(ids)s::int[], %(partners)s::int[], %(levels)s::int[],
                          %(amounts)s::numeric[], %(fees)s::numeric[], %(days)s::int[],
                          %(states)s::varchar[], %(reasons)s::varchar[],
                          %(actions)s::varchar[]) AS v
            """,
                run=self.id,
                company=self.company_id.id,
                uid=uid,
                now=now,
                ids=ids,
                partners=[vals["partner_id"] for vals in vals_list],
                levels=[vals["level_id"] for vals in vals_list],
                amounts=[vals["amount_due"] for vals in vals_list],
                fees=[vals["fee_amount"] for vals in vals_list],
                days=[vals["days_late"] for vals in vals_list],
                states=[vals["state"] for vals in vals_list],
                reasons=[vals.get("pause_reason") or None for vals in vals_list],
                actions=[vals.get("actions") or None for vals in vals_list],
            )
        )
        for fname, table in (
            ("move_ids", "rsb_dunning_run_line_move_rel"),
            ("paused_move_ids", "rsb_dunning_run_line_paused_move_rel"),
        ):
            pairs = [
                (line_id, move_id)
                for line_id, vals in zip(ids, vals_list, strict=True)
                for move_id in vals[fname][0][2]
            ]
            if pairs:
                cr.execute(
                    SQL(
                        "INSERT INTO %s (line_id, move_id) "
                        "SELECT * FROM unnest(%s::int[], %s::int[])",
                        SQL.identifier(table),
                        [line_id for line_id, _m in pairs],
                        [move_id for _l, move_id in pairs],
                    )
                )
        Line.invalidate_model()
        self.invalidate_recordset(["line_ids"])
        return Line.browse(ids)
