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

    _sql_constraints = [
        ("company_uniq", "UNIQUE(company_id)", "One dunning lock per company."),
    ]

    def _rsb_acquire(self, company):
        """Lock the company's row until the end of the current transaction, or raise a
        UserError if another transaction (another run) holds it."""
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
        return row[0]

    def _rsb_busy_message(self, company):
        return _(
            "A dunning run for %s is already in progress: try again when it is done.",
            company.name,
        )
