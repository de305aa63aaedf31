"""A per-company lock so that two dunning runs never execute at once (FOR UPDATE NOWAIT)."""

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import _, fields, models
from odoo.exceptions import UserError


class RsbDunningLock(models.Model):
    """One row per company that a dunning run locks (SELECT ... FOR UPDATE NOWAIT) while it
    works: a second run at the same time is refused instead of sending twice.

    A dedicated row, not the company's: locking res_company would block every insert that
    references the company (foreign keys) for the duration of a batch."""

    _name = "rsb.dunning.lock"
    _description = "Dunning Run Lock"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    run_id = fields.Many2one(
        "rsb.dunning.run",
        ondelete="set null",
        help="The run executing in the background (its workers commit chunk by chunk): the "
        "company's lock is held for it until it is done, across those transactions.",
    )

    _sql_constraints = [
        ("company_uniq", "UNIQUE(company_id)", "One dunning lock per company."),
    ]

    def _rsb_acquire(self, company, run=None):
        """Lock the company's row until the end of the current transaction, or raise a
        UserError if another transaction (another run) holds it, or if another run is
        executing in the background (the row's run, still running: see `_rsb_hold`).

        :param run: the run acting (it may go on with its own background execution)
        """
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    "SELECT id FROM rsb_dunning_lock WHERE company_id = %s FOR UPDATE NOWAIT",
                    [company.id],
                )
                row = cr.fetchone()
                if not row:
                    # First run of the company: the new row stays invisible (so locked) to
                    # other transactions until this one commits.
                    cr.execute(
                        "INSERT INTO rsb_dunning_lock (company_id) VALUES (%s) "
                        "ON CONFLICT (company_id) DO NOTHING RETURNING id",
                        [company.id],
                    )
                    row = cr.fetchone()
        except (LockNotAvailable, SerializationFailure) as err:
            # locked by another run, or (first run of the company) created by another run
            # since this transaction started
            raise UserError(self._rsb_busy_message(company)) from err
        if not row:
            raise UserError(self._rsb_busy_message(company))
        self.env["rsb.dunning.run"].flush_model(["state"])
        cr.execute(
            "SELECT l.run_id FROM rsb_dunning_lock l "
            "JOIN rsb_dunning_run r ON r.id = l.run_id AND r.state = 'running' "
            "WHERE l.id = %s",
            [row[0]],
        )
        holder = cr.fetchone()
        if holder and holder[0] != (run.id if run else None):
            raise UserError(self._rsb_busy_message(company))
        return row[0]

    def _rsb_hold(self, run):
        """Keep the company's lock for `run` beyond this transaction, until the run is done
        (its background workers commit chunk by chunk): acquired first."""
        lock_id = self._rsb_acquire(run.company_id, run=run)
        self.env.cr.execute(
            "UPDATE rsb_dunning_lock SET run_id = %s WHERE id = %s", [run.id, lock_id]
        )
        self.invalidate_model(["run_id"])

    def _rsb_busy_message(self, company):
        return _(
            "A dunning run for %s is already in progress: try again when it is done.",
            company.name,
        )
