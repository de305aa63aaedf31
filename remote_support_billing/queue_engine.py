"""Which engine runs the addon's background work, and queue_job's channels: one rule for the
dunning runs and the settle-up batches.

OCA queue_job is not a dependency: without it (or with the cron engine chosen), dunning runs
go to the dunning cron and settle-ups run in the user's transaction, as they always did.
"""

from odoo.tools import config

ENGINE_PARAM = "remote_support_billing.dunning_engine"

try:
    from odoo.addons.queue_job.exception import RetryableJobError
except ImportError:  # queue_job is optional

    class RetryableJobError(Exception):
        def __init__(self, msg, seconds=None, ignore_retry=False):
            super().__init__(msg)


def use_queue_job(env):
    """Whether background work goes to OCA queue_job jobs: system parameter
    remote_support_billing.dunning_engine = `queue_job` (with queue_job installed), `cron`,
    or `auto` (the default: queue_job when it is installed and loaded as a server-wide
    module, i.e. its job runner is at work)."""
    installed = "queue.job" in env and "queue.job.channel" in env
    engine = env["ir.config_parameter"].sudo().get_param(ENGINE_PARAM, "auto")
    if engine == "auto":
        wide = config.get("server_wide_modules") or ""
        return installed and "queue_job" in [m.strip() for m in wide.split(",")]
    return installed and engine == "queue_job"


def ensure_channel(env, name):
    """The queue_job channel root.<name> (created once, in sudo; queue_job is not a
    dependency, so not in the addon's data files). :return: its complete name"""
    Channel = env["queue.job.channel"].sudo()
    complete = f"root.{name}"
    if not Channel.search([("complete_name", "=", complete)], limit=1):
        root = Channel.search([("complete_name", "=", "root")], limit=1)
        Channel.create({"name": name, "parent_id": root.id})
    return complete
