"""Execution of a dunning run: workers claim chunks of client lines (FOR UPDATE SKIP LOCKED),
apply the levels set-based and commit each chunk; the last worker finishes the run and
invoices its fees in batches. Odoo's cron is the default engine, OCA queue_job an option."""

import logging

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, split_every

from .. import queue_engine
from ..queue_engine import RetryableJobError

_logger = logging.getLogger(__name__)

# Fields of a run line that the execution refreshes from the invoices as they are now.
_LINE_FIELDS = (
    "level_id",
    "move_ids",
    "paused_move_ids",
    "amount_due",
    "fee_amount",
    "days_late",
    "state",
    "pause_reason",
    "actions",
)


class RsbDunningRun(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ actions
    def action_execute(self):
        """Execute the run now (in this transaction): for every client of the preview, the
        level's actions on the invoices as they are now (paid or paused since the preview
        are skipped), then the fee invoices."""
        for run in self:
            if run.state == "done":
                raise UserError(_("Run %s is already executed.", run.name))
            self.env["rsb.dunning.lock"]._rsb_acquire(run.company_id, run=run)
            if run.state == "draft":
                run._rsb_create_lines()
            run.state = "running"
            run._rsb_execute_lines(run.line_ids.filtered(lambda line: line.state == "to_do"))
            run._rsb_finish()
        return True

    def action_execute_background(self):
        """Large runs: executed by background workers in committed chunks (OCA queue_job
        jobs when the addon is installed, else the dunning cron)."""
        for run in self:
            if run.state != "preview":
                raise UserError(_("Preview run %s before executing it.", run.name))
            # held across the workers' transactions until the run is done
            self.env["rsb.dunning.lock"]._rsb_hold(run)
            run.state = "running"
        if self._rsb_use_queue_job():
            for run in self:
                run._rsb_enqueue_chunks()
        else:
            self.env.ref("remote_support_billing.ir_cron_rsb_dunning")._trigger()
        return True

    # ------------------------------------------------------------------ engines
    @api.model
    def _rsb_use_queue_job(self):
        """Whether background runs are executed by OCA queue_job jobs (not a dependency):
        system parameter remote_support_billing.dunning_engine = `queue_job` (with queue_job
        installed), `cron`, or `auto` (the default: queue_job when it is installed and
        loaded as a server-wide module, i.e. its job runner is at work; else the cron)."""
        return queue_engine.use_queue_job(self.env)

    @api.model
    def _rsb_worker_count(self):
        """How many workers execute a run in the background (system parameter
        remote_support_billing.dunning_workers, default 2)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("remote_support_billing.dunning_workers", "2")
        )
        try:
            return max(1, int(value))
        except ValueError:
            return 2

    def _rsb_enqueue_chunks(self):
        """One queue_job job per chunk of client lines to do, on the channel
        root.rsb_dunning (its capacity: how many run at once, on any number of Odoo
        servers). Each chunk has an identity key (run, first line): it is never enqueued
        twice. Jobs do not commit (queue_job commits each job); a job that hits a
        PostgreSQL concurrency error is retried by queue_job; a job whose worker died is
        re-queued by the job runner and redoes its lines still to do (the per-invoice level
        history makes that idempotent)."""
        self.ensure_one()
        self._rsb_ensure_queue_channel()
        line_ids = (
            self.env["rsb.dunning.run.line"]
            .search([("run_id", "=", self.id), ("state", "=", "to_do")], order="id")
            .ids
        )
        if not line_ids:
            self._rsb_enqueue_finish()
        for chunk in split_every(self._rsb_batch_size, line_ids, list):
            self.with_delay(
                channel="root.rsb_dunning",
                identity_key=f"rsb_dunning_chunk:{self.id}:{chunk[0]}",
                description=_(
                    "Dunning run %(run)s: %(count)s clients from line %(first)s",
                    run=self.name,
                    count=len(chunk),
                    first=chunk[0],
                ),
            )._rsb_job_execute_chunk(chunk)

    def _rsb_enqueue_finish(self):
        """The job that finishes the run (its fee invoices), once."""
        self.ensure_one()
        self.with_delay(
            channel="root.rsb_dunning",
            identity_key=f"rsb_dunning_finish:{self.id}",
            description=_("Dunning run %s: fee invoices and summary", self.name),
        )._rsb_job_finish()

    def _rsb_job_execute_chunk(self, line_ids):
        """queue_job job: execute these lines still to do (locked: a worker still at work
        on them makes this wait, then finds them done); the last chunk queues the finish."""
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        Line.flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM rsb_dunning_run_line WHERE id = ANY(%s) AND run_id = %s "
                "AND state = 'to_do' ORDER BY id FOR UPDATE",
                list(line_ids),
                self.id,
            )
        )
        lines = Line.browse([row[0] for row in self.env.cr.fetchall()])
        if lines:
            lines.invalidate_recordset(["state"])
            self._rsb_execute_lines(lines)
        if self.state == "running" and not Line.search_count(
            [("run_id", "=", self.id), ("state", "=", "to_do"), ("id", "not in", lines.ids)],
            limit=1,
        ):
            self._rsb_enqueue_finish()
        return _("%s clients dunned", len(lines))

    def _rsb_job_finish(self):
        """queue_job job: finish the run if nothing is left to do (its fees invoiced)."""
        self.ensure_one()
        if self.state != "running":
            return _("Run already finished")
        if not self._rsb_finish_if_last():
            raise RetryableJobError(_("Clients are still being dunned"), seconds=30)
        return _("Run finished")

    @api.model
    def _rsb_ensure_queue_channel(self):
        """The queue_job channel root.rsb_dunning (created once, in sudo; queue_job is
        not a dependency, so not in the addon's data files)."""
        queue_engine.ensure_channel(self.env, "rsb_dunning")

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_run_dunning(self):
        """Daily: per company with dunning levels, resume the run a crash left unfinished or
        create today's, then execute it as one worker, committing after each chunk so that
        a run that dies halfway restarts where it stopped (the per-invoice level history
        makes every chunk idempotent) and a long run does not hold one transaction for an
        hour; then invoice the fees left. Also lifts the credit holds of clients who paid."""
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
                    self.env["rsb.dunning.lock"]._rsb_hold(run)
                    run._rsb_create_lines()
                    run.state = "running"
                    # the preview is kept if a later chunk dies (daily cron, batched)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                run.state = "running"
                run._rsb_execute_worker()
                # fees a finished run could not invoice (a crash, the lock busy): restartable
                self.env["rsb.dunning.lock"]._rsb_acquire(company, run=run)
                self.env["rsb.dunning.fee"]._rsb_invoice_pending(company=company, commit=True)
            except UserError as err:
                self.env.cr.rollback()
                _logger.warning("Dunning of %s skipped: %s", company.name, err)
        self.env["res.partner"]._rsb_lift_paid_credit_holds()

    # ------------------------------------------------------------------ workers
    def _rsb_claim_lines(self, limit):
        """Claim up to `limit` client lines still to do that no other worker holds: the
        rows stay locked until this transaction ends (FOR UPDATE SKIP LOCKED), so two
        workers never execute the same client, and a worker that dies releases its chunk
        (rolled back, still to do) for the next one."""
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        Line.flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT id FROM rsb_dunning_run_line
             WHERE run_id = %s AND state = 'to_do'
          ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
                self.id,
                limit,
            )
        )
        return Line.browse([row[0] for row in self.env.cr.fetchall()])

    def _rsb_execute_worker(self, commit=True):
        """One worker of a run: claim a chunk, execute it, commit; until nothing is left to
        claim. Any number of workers (processes, servers) may run this on the same run at
        once; the last one finishes the run. `commit=False`: one transaction (tests)."""
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        done = 0
        while True:
            lines = self._rsb_claim_lines(self._rsb_batch_size)
            if not lines:
                break
            self._rsb_execute_lines(lines)
            done += len(lines)
            if commit:
                remaining = Line.search_count([("run_id", "=", self.id), ("state", "=", "to_do")])
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                # The chunk is final: its emails, fees and history are committed together.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        finished = self._rsb_finish_if_last(commit=commit)
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return finished

    def _rsb_finish_if_last(self, commit=False):
        """Finish the run if no line is left to do (the last worker): the state changes in
        one statement, so that only one worker finishes. Lines held by a worker still at
        work are to do for this transaction: that worker finishes after its commit."""
        self.ensure_one()
        Line = self.env["rsb.dunning.run.line"]
        if Line.search_count([("run_id", "=", self.id), ("state", "=", "to_do")], limit=1):
            return False  # another worker is still at work (or died: the cron resumes)
        try:
            self.env["rsb.dunning.lock"]._rsb_acquire(self.company_id, run=self)
        except UserError:
            return False  # another worker is finishing it
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
            UPDATE rsb_dunning_run r SET state = 'done'
             WHERE r.id = %(run)s AND r.state = 'running'
               AND NOT EXISTS (SELECT 1 FROM rsb_dunning_run_line l
                                WHERE l.run_id = r.id AND l.state = 'to_do')
         RETURNING r.id
            """,
                run=self.id,
            )
        )
        if not self.env.cr.fetchone():
            return False
        self.invalidate_recordset(["state"])
        self._rsb_finish(commit=commit)
        return True

    def _rsb_finish(self, commit=False):
        """The run is done: invoice its fees (in batches) and post its summary."""
        self.ensure_one()
        self.state = "done"
        self.env["rsb.dunning.fee"]._rsb_invoice_pending(run=self, commit=commit)
        self.message_post(
            body=_(
                "Dunning run done: %(done)s clients dunned, %(paused)s paused.",
                done=self.done_count,
                paused=self.paused_count,
            )
        )

    # ------------------------------------------------------------------ one chunk
    def _rsb_execute_lines(self, lines):
        """Execute the lines (clients) of this run, on the invoices as they are now, with
        a number of queries that does not grow with the number of lines: the plan in one
        query, the actions in batched creates and writes, the fee and history rows, the
        invoices' levels and the lines' results each in one statement."""
        self.ensure_one()
        self.check_access("write")  # who may execute the run may dun its clients
        levels = self._rsb_levels()
        plan = self._rsb_plan(partner_ids=lines.partner_id.ids)
        lines.mapped("move_ids")  # prefetched: compared with the plan below
        lines.mapped("paused_move_ids")
        results = {}
        to_apply = self.env["rsb.dunning.run.line"]
        new_by_line, fees_by_line, memo = {}, {}, {}
        for line in lines:
            rows = plan.get(line.partner_id.id)
            if not rows:
                results[line.id] = ("skipped", _("Nothing overdue any more (paid)."))
                continue
            values, new, fees = self._rsb_evaluate_client(rows, levels, memo)
            if not values:
                results[line.id] = ("skipped", _("Nothing new since the last run."))
                continue
            changed = line._rsb_changed_values(values)
            if changed:
                line.write(changed)
            if values["state"] == "paused":
                continue
            to_apply |= line
            new_by_line[line.id] = new
            if fees:
                fees_by_line[line.id] = fees
        to_apply._rsb_record_fees(fees_by_line)
        history = [row for line in to_apply for row in new_by_line[line.id]]
        self._rsb_insert_history(history)
        # the levels reached and the pay links' access tokens in one pass over the invoices
        self._rsb_update_invoice_levels(
            [(row["move_id"], row["level_id"]) for row in history],
            token_moves=to_apply.filtered("level_id.send_email").move_ids,
        )
        labels = to_apply._rsb_apply_levels(fees_by_line)
        results.update({line.id: ("done", "\n".join(labels[line.id])) for line in to_apply})
        self._rsb_set_line_results(results)
        if to_apply:
            # the chunk's emails are queued (mail.mail): wake the mail queue's job, so that
            # they leave once the chunk is committed rather than at its next hourly run
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _rsb_insert_history(self, rows):
        """One history row per (invoice, level) reached, in one INSERT. The unique
        constraint makes a chunk that would repeat a level fail as a whole (nothing of it
        is sent)."""
        if not rows:
            return
        History = self.env["rsb.dunning.history"]
        History.flush_model()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO rsb_dunning_history (
                move_id, partner_id, level_id, amount_residual, run_id, company_id, date,
                create_uid, write_uid, create_date, write_date)
            SELECT v.*, %(run)s, %(company)s, %(date)s, %(uid)s, %(uid)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(moves)s::int[], %(partners)s::int[], %(levels)s::int[],
                          %(amounts)s::numeric[]) AS v
            """,
                run=self.id,
                company=self.company_id.id,
                date=self.date,
                uid=self.env.uid,
                moves=[r["move_id"] for r in rows],
                partners=[r["partner_id"] for r in rows],
                levels=[r["level_id"] for r in rows],
                amounts=[r["residual"] for r in rows],
            )
        )
        History.invalidate_model()

    def _rsb_update_invoice_levels(self, level_updates, token_moves=None):
        """Set the invoices' current level and date through account.move's ORM (its write
        override, computed fields and other modules' hooks run), one write per level
        reached; give `token_moves` that have none their portal access token with Odoo's
        own `_portal_ensure_token` (the pay links of the emails). Private: the caller
        checked that the user may execute the run.

        :param level_updates: [(invoice id, level id)]
        """
        Move = self.env["account.move"].sudo()
        by_level = {}
        for move_id, level_id in dict(level_updates).items():
            by_level.setdefault(level_id, []).append(move_id)
        for level_id, move_ids in by_level.items():
            Move.browse(move_ids).write(
                {"rsb_dunning_level_id": level_id, "rsb_dunning_date": self.date}
            )
        for move in (token_moves or Move).sudo().filtered(lambda m: not m.access_token):
            move._portal_ensure_token()

    def _rsb_set_line_results(self, results):
        """The lines' states and what was done, in one statement.

        :param results: {line id: (state, result text)}
        """
        if not results:
            return
        Line = self.env["rsb.dunning.run.line"]
        Line.flush_model()
        ids = list(results)
        self.env.cr.execute(
            SQL(
                """
            UPDATE rsb_dunning_run_line l
               SET state = v.state, result = v.result, write_uid = %(uid)s,
                   write_date = NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(ids)s::int[], %(states)s::varchar[], %(results)s::text[])
                   AS v(id, state, result)
             WHERE l.id = v.id
            """,
                uid=self.env.uid,
                ids=ids,
                states=[results[i][0] for i in ids],
                results=[results[i][1] for i in ids],
            )
        )
        Line.invalidate_model(["state", "result"])


class RsbDunningRunLine(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run.line"  # pylint: disable=consider-merging-classes-inherited

    def _rsb_changed_values(self, values):
        """The values of the evaluation (`_rsb_evaluate_client`) that differ from the
        line's (the preview's): usually none, so the line is not written."""
        self.ensure_one()
        changed = {}
        for fname in _LINE_FIELDS:
            if fname not in values:
                continue
            value, field = values[fname], self._fields[fname]
            current = self[fname]
            if field.type == "many2many":
                if set(value[0][2]) != set(current.ids):
                    changed[fname] = value
            elif field.type == "many2one":
                if value != current.id:
                    changed[fname] = value
            elif field.type == "monetary":
                if float_compare(value, current, precision_rounding=self.currency_id.rounding):
                    changed[fname] = value
            elif (value or False) != (current or False):
                changed[fname] = value
        return changed
