"""Dunning runs: which client reaches which level on a date (one set-based query), the
preview and its execution in batches."""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

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
    # Clients per batch of the cron, which commits after each batch.
    _rsb_batch_size = 200

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
            self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id)
            run.line_ids.unlink()
            run._rsb_create_lines()
            run.state = "preview"
        return True

    def action_execute(self):
        """Execute the run now (in this transaction): for every client of the preview, the
        level's actions on the invoices as they are now (paid or paused since the preview
        are skipped)."""
        for run in self:
            if run.state == "done":
                raise UserError(_("Run %s is already executed.", run.name))
            self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id)
            if run.state == "draft":
                run._rsb_create_lines()
            run.state = "running"
            run._rsb_execute_lines(run.line_ids.filtered(lambda line: line.state == "to_do"))
            run._rsb_finish()
        return True

    def action_execute_background(self):
        """Large runs: let the dunning cron execute the run in committed batches now."""
        for run in self:
            if run.state != "preview":
                raise UserError(_("Preview run %s before executing it.", run.name))
            self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id)
            run.state = "running"
        self.env.ref("remote_support_billing.ir_cron_rsb_dunning")._trigger()
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "remote_support_billing.rsb_dunning_run_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_level": 1}
        return action

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_run_dunning(self):
        """Daily: per company with dunning levels, resume the run a crash left unfinished or
        create today's, then execute it in batches of clients, committing after each batch
        so that a run that dies halfway restarts where it stopped (the per-invoice level
        history makes every batch idempotent) and a long run does not hold one transaction
        for an hour. Also lifts the credit holds of clients who paid."""
        companies = self.env["rsb.dunning.level"]._read_group([], ["company_id"])
        for (company,) in companies:
            # a run left running (crashed, or sent to the background by an accountant)
            # first, else a preview of the cron's own
            run = self.search(
                [
                    ("company_id", "=", company.id),
                    "|",
                    ("state", "=", "running"),
                    "&",
                    ("state", "=", "preview"),
                    ("is_cron", "=", True),
                ],
                order="id",
                limit=1,
            )
            try:
                if not run:
                    run = self.with_company(company).create(
                        {
                            "company_id": company.id,
                            "is_cron": True,
                            "user_id": self.env.ref("base.user_root").id,
                        }
                    )
                    self.env["rsb.dunning.lock"]._rsb_acquire(company)
                    run._rsb_create_lines()
                    run.state = "running"
                    # the preview is kept if a later batch dies (daily cron, batched)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                run.state = "running"
                run._rsb_execute_in_batches()
            except UserError as err:
                self.env.cr.rollback()
                _logger.warning("Dunning of %s skipped: %s", company.name, err)
        self.env["res.partner"]._rsb_lift_paid_credit_holds()

    def _rsb_execute_in_batches(self):
        """Execute the to-do lines by batches, one transaction (and one lock) per batch."""
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        done = 0
        while True:
            self.env["rsb.dunning.lock"]._rsb_acquire(self.company_id)
            lines = Line.search(
                [("run_id", "=", self.id), ("state", "=", "to_do")],
                limit=self._rsb_batch_size,
                order="id",
            )
            if not lines:
                break
            self._rsb_execute_lines(lines)
            done += len(lines)
            remaining = Line.search_count([("run_id", "=", self.id), ("state", "=", "to_do")])
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            # Commit the batch: its emails, fees and history are final, and the lock is
            # released between batches (it is taken again for the next one). Only the cron
            # and background runs come here; a manual run executes in its own transaction.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self._rsb_finish()
        self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ business
    def _rsb_plan(self, partner_ids=None):
        """Set-based level assignment: one SQL query returns every open customer invoice of
        the company that reached a level at the run's date, with its highest level reached,
        whether that level was already done (history), and the invoice and client pauses.

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
                   m.invoice_date_due AS date_due,
                   %(date)s::date - m.invoice_date_due AS days_late,
                   m.amount_residual_signed AS residual,
                   m.amount_residual AS residual_currency,
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
              -- only clients who owe something by the first level's horizon, their credits
              -- netted (res.partner._rsb_receivable_position_sql): a credit note that covers
              -- the late invoice means nothing to dun
              JOIN (%(owing)s) owing ON owing.partner_id = m.commercial_partner_id
                                    AND owing.overdue > 0
              JOIN LATERAL (
                    SELECT l.id, l.days
                      FROM rsb_dunning_level l
                     WHERE l.company_id = m.company_id AND l.active
                       AND l.days <= %(date)s::date - m.invoice_date_due
                  ORDER BY l.days DESC
                     LIMIT 1
                   ) lvl ON TRUE
             WHERE m.company_id = %(company)s
               -- the invoices that count as owed (res.partner._rsb_owed_invoice_domain)
               AND m.id IN %(owed)s
               AND m.amount_residual > 0
               AND m.invoice_date_due <= %(date)s::date - %(min_days)s
               %(partner_filter)s
          ORDER BY m.commercial_partner_id, m.invoice_date_due, m.id
            """,
            date=self.date,
            company=self.company_id.id,
            min_days=min_days,
            partner_filter=partner_filter,
            owed=self._rsb_owed_invoices_query(),
            # the client's dunning pause is per company (jsonb column)
            p_pause_reason=partners._field_to_sql("p", "rsb_dunning_pause_reason"),
            p_pause_until=partners._field_to_sql("p", "rsb_dunning_pause_until"),
            owing=self.env["res.partner"]._rsb_receivable_position_sql(
                self.company_id,
                # items due by the run's date less the first level's days, as selected here
                fields.Date.add(self.date, days=1 - min_days),
                partner_ids,
            ),
        )
        self.env.cr.execute(query)
        plan = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            plan[row["partner_id"]].append(row)
        return plan

    def _rsb_owed_invoices_query(self):
        """Sub-select of the company's invoices that count as owed (one definition)."""
        domain = self.env["res.partner"]._rsb_owed_invoice_domain(self.company_id)
        return self.env["account.move"].sudo()._search(domain).subselect()

    def _rsb_levels(self):
        """The company's levels by id (one query, prefetched)."""
        levels = self.env["rsb.dunning.level"].search([("company_id", "=", self.company_id.id)])
        levels.mapped("name")
        return {level.id: level for level in levels}

    def _rsb_evaluate_client(self, rows, levels):
        """What happens to one client, from their plan rows: the values of a run line plus
        the new (invoice, level) rows and their fees. Shared by the preview and the
        execution (which re-reads the rows per batch)."""
        currency = self.company_id.currency_id
        partner_paused = rows[0]["partner_paused"]
        active = [r for r in rows if not r["move_paused"]]
        new = [r for r in active if not r["done"]]
        paused_new = [r for r in rows if r["move_paused"] and not r["done"]]
        fees = self.env["rsb.dunning.run.line"]._rsb_compute_fees(new, levels, self.date)
        level = max((levels[r["level_id"]] for r in new), key=lambda lv: lv.days, default=None)
        values = {
            "partner_id": rows[0]["partner_id"],
            "level_id": level.id
            if level
            else max((levels[r["level_id"]] for r in rows), key=lambda lv: lv.days).id,
            "move_ids": [fields.Command.set([r["move_id"] for r in active])],
            "paused_move_ids": [fields.Command.set([r["move_id"] for r in paused_new])],
            "amount_due": currency.round(sum(r["residual"] for r in active)),
            "fee_amount": self.env["rsb.dunning.run.line"]._rsb_fee_total(
                fees, self.company_id, self.date
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
        values.update(state="to_do", actions=", ".join(level._rsb_action_labels()))
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
        vals_list = []
        for rows in plan.values():
            values, _new, _fees = self._rsb_evaluate_client(rows, levels)
            if values:
                values.update(run_id=self.id, company_id=self.company_id.id)
                vals_list.append(values)
        return self.env["rsb.dunning.run.line"].create(vals_list)

    def _rsb_execute_lines(self, lines):
        """Execute the lines (clients) of this run, on the invoices as they are now."""
        self.ensure_one()
        self.check_access("write")  # who may execute the run may dun its clients
        levels = self._rsb_levels()
        plan = self._rsb_plan(partner_ids=lines.partner_id.ids)
        history_vals, level_updates, invoice_notes = [], [], []
        today = self.date
        to_apply = []
        for line in lines:
            rows = plan.get(line.partner_id.id)
            if not rows:
                line.write({"state": "skipped", "result": _("Nothing overdue any more (paid).")})
                continue
            values, new, fees = self._rsb_evaluate_client(rows, levels)
            if not values:
                line.write({"state": "skipped", "result": _("Nothing new since the last run.")})
                continue
            line.write(values)
            if values["state"] != "paused":
                to_apply.append((line, new, fees))
        # the fee invoices of the batch in one create and one post
        Line = self.env["rsb.dunning.run.line"]
        Line._rsb_charge_fees({line: fees for line, _new, fees in to_apply if fees})
        emails = Line.browse(
            [line.id for line, _new, _fees in to_apply if line.level_id.send_email]
        )._rsb_render_emails()
        for line, new, _fees in to_apply:
            done_labels = line._rsb_apply_level(emails.get(line.id))
            line.write({"state": "done", "result": "\n".join(done_labels)})
            level = line.level_id
            for row in new:
                row_level = levels[row["level_id"]]
                history_vals.append(
                    {
                        "move_id": row["move_id"],
                        "partner_id": row["partner_id"],
                        "level_id": row_level.id,
                        "run_id": self.id,
                        "company_id": self.company_id.id,
                        "date": today,
                        "amount_residual": row["residual"],
                    }
                )
                level_updates.append((row["move_id"], row_level.id))
                invoice_notes.append(
                    (
                        row["move_id"],
                        Markup("%s<br/>%s")
                        % (
                            _(
                                "Dunning level reached: %(level)s (%(days)s days overdue), "
                                "run %(run)s.",
                                level=row_level.name,
                                days=row["days_late"],
                                run=self.name,
                            ),
                            _(
                                "Client communication at level %(level)s: %(actions)s",
                                level=level.name,
                                actions=", ".join(done_labels),
                            ),
                        ),
                    )
                )
        self.env["rsb.dunning.history"].create(history_vals)
        self._rsb_update_invoice_levels(level_updates)
        self._rsb_post_invoice_notes(invoice_notes)

    def _rsb_update_invoice_levels(self, level_updates):
        """Set the invoices' current level and date in one statement (no per-invoice ORM
        write: account.move.write re-checks the accounting of every invoice)."""
        if not level_updates:
            return
        self.env.cr.execute(
            SQL(
                """
            UPDATE account_move m
               SET rsb_dunning_level_id = v.level_id, rsb_dunning_date = %(date)s
              FROM unnest(%(moves)s::int[], %(levels)s::int[]) AS v(move_id, level_id)
             WHERE m.id = v.move_id
            """,
                date=self.date,
                moves=[m for m, _l in level_updates],
                levels=[lv for _m, lv in level_updates],
            )
        )
        self.env["account.move"].invalidate_model(["rsb_dunning_level_id", "rsb_dunning_date"])

    def _rsb_post_invoice_notes(self, notes):
        """Post the level reached in each invoice's chatter, in one batched create."""
        if not notes:
            return
        subtype = self.env.ref("mail.mt_note")
        author = self.env.user.partner_id
        self.env["mail.message"].create(
            [
                {
                    "model": "account.move",
                    "res_id": move_id,
                    "message_type": "comment",
                    "subtype_id": subtype.id,
                    "author_id": author.id,
                    "body": body,
                }
                for move_id, body in notes
            ]
        )

    def _rsb_finish(self):
        self.ensure_one()
        self.state = "done"
        self.message_post(
            body=_(
                "Dunning run done: %(done)s clients dunned, %(paused)s paused.",
                done=self.done_count,
                paused=self.paused_count,
            )
        )
