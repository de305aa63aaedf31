"""A dunning run's progress while background workers execute it (clients done and remaining),
and the form's Execute button that hands the run to them instead of freezing the screen."""

from collections import Counter

from odoo import _, api, fields, models


class RsbDunningRun(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run"  # pylint: disable=consider-merging-classes-inherited

    progress_done = fields.Integer(
        string="Clients Processed",
        compute="_compute_progress",
        help="Clients of the run already executed: dunned, or skipped because they paid "
        "or have nothing new since the preview.",
    )
    progress_remaining = fields.Integer(
        string="Clients Remaining",
        compute="_compute_progress",
        help="Clients the workers have still to execute.",
    )
    progress_percent = fields.Float(
        string="Progress",
        compute="_compute_progress",
        help="Share of the run's clients already executed.",
    )

    @api.depends("line_ids.state")
    def _compute_progress(self):
        """From the lines' states, in one grouped query for all the runs: a worker changes a
        chunk's states when it commits it (rsb_dunning_run_execute.py), so the figures
        follow the workers chunk by chunk. Paused clients are not work: left out."""
        counts = Counter()
        for run, state, count in self.env["rsb.dunning.run.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        ):
            counts[run.id, state] = count
        for run in self:
            done = counts[run.id, "done"] + counts[run.id, "skipped"]
            remaining = counts[run.id, "to_do"]
            run.progress_done = done
            run.progress_remaining = remaining
            run.progress_percent = 100.0 * done / (done + remaining) if done + remaining else 0.0

    # ------------------------------------------------------------------ actions
    def action_execute_in_background(self):
        """The form's Execute button: the run is handed to the background workers (the
        dunning job, or queue_job's) and the button returns at once; rendering the invoice
        PDFs and the emails takes seconds per client. The form then shows the progress and
        refreshes by itself until the run is done."""
        self.action_execute_background()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Dunning run started"),
                "message": _(
                    "%(count)s clients are executed in the background: their emails, "
                    "letters, fees and holds follow in a moment. This page shows the "
                    "progress; you may leave it.",
                    count=sum(self.mapped("progress_remaining")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
