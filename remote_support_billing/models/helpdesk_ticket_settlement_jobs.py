"""Settle-up of many tickets in the background, on OCA queue_job (the same engine rule as the
dunning runs, `queue_engine`): the list's Settle Up on more tickets than a chunk becomes one
job per chunk on the channel root.rsb_settle, each with an identity key (a chunk is never
enqueued twice), run as the user who clicked, committed by queue_job job by job. A ticket that
cannot be settled is reported (note and activity) while the others of its chunk are settled; a
job hitting a PostgreSQL concurrency error is retried by queue_job and finds what was settled
already (settling again creates, charges and refunds nothing). Card charges and refunds leave
after each job's commit (`rsb.money.out`). Without queue_job the batch runs in the user's
transaction, as always."""

from odoo import _, api, models
from odoo.tools import split_every

from .. import queue_engine
from ..feedback import notification


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # tickets per settle-up job: a few hundred documents per transaction at most
    _rsb_settle_chunk = 50

    @api.model
    def _rsb_settle_in_background(self, tickets):
        """Whether this batch goes to queue_job jobs (more tickets than one chunk)."""
        return len(tickets) > self._rsb_settle_chunk and queue_engine.use_queue_job(self.env)

    def _rsb_enqueue_settle(self):
        """One job per chunk of tickets (ids in order): the identity key is the chunk's
        tickets, so a second click while the jobs wait enqueues nothing new.
        :return: the number of jobs"""
        channel = queue_engine.ensure_channel(self.env, "rsb_settle")
        chunks = list(split_every(self._rsb_settle_chunk, sorted(self.ids), list))
        for chunk in chunks:
            self.browse(chunk).with_delay(
                channel=channel,
                identity_key="rsb_settle:" + ",".join(map(str, chunk)),
                description=_(
                    "Settle up %(count)s tickets from %(first)s",
                    count=len(chunk),
                    first=self.browse(chunk[0]).number,
                ),
            )._rsb_job_settle()
        return len(chunks)

    def _rsb_job_settle(self):
        """queue_job job: settle these tickets (the user's access checked again, as the job
        runs as the user who asked). A ticket that cannot be settled is set aside with its
        reason (a note and an activity for its technician) and the others are settled.
        :return: the job's result (what was settled, what was not)"""
        tickets = self.exists()
        tickets.check_access("write")
        refused = {}
        summaries = tickets.sudo()._rsb_settle(refused=refused) if tickets else {}
        for ticket, reason in refused.items():
            ticket._rsb_notify_team(
                _("Settle-up failed"),
                _("The background settle-up could not settle this ticket: %s", reason),
            )
        result = _(
            "%(settled)s tickets settled, %(refused)s not: %(tickets)s",
            settled=len(summaries),
            refused=len(refused),
            tickets=", ".join(t.number for t in refused) or "-",
        )
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning" if refused else "success",
                "title": _("Settle-up"),
                "message": result,
            },
        )
        return result

    def _rsb_settle_background_notification(self, jobs):
        return notification(
            _("Settle-up"),
            _(
                "%(count)s tickets are being settled in the background (%(jobs)s jobs). Each "
                "ticket's chatter shows its settle-up; you get a message when a job is done.",
                count=len(self),
                jobs=jobs,
            ),
            kind="info",
        )
