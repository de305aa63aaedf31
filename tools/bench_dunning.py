"""Dunning benchmark (run by tools/bench.sh, i.e. `make bench`).

Seeds N clients with M open customer invoices spread from 3 days before their due date to
60 days overdue (bulk SQL: one ORM-made template partner and invoice cloned with INSERT ...
SELECT), then times, on the same data:
  1. remote_support_billing: level assignment (the set-based plan query), the preview (run
     lines), and the execution with every action queued (emails in mail.mail, SMS in sms.sms,
     activities, fees, holds, trust, collections) in committed batches, as the cron does;
  2. OCA account_credit_control: credit.control.run generate_credit_lines().
Invoice and letter PDFs are not rendered (wkhtmltopdf per document would dominate and is
not what is compared); pass --with-pdf to include the invoice PDFs in the emails.

The execution runs in worker processes of this script (--workers N, each with its registry
loaded before the start signal, as a server's workers are), claiming chunks of the run as the
cron engine does (`_rsb_execute_worker`, the path queue_job's jobs take too): queue_job's job
runner is not started by the bench. Each worker reports its peak memory (ru_maxrss).
--shop (set by `make bench BENCH_ARGS=--shop`, on the shop profile's database) taxes the fees
and the settle-up time with the company's sales tax. --figures FILE writes what was measured
as JSON (tools/bench_targets.py reads it).
"""

import argparse
import cProfile
import json
import logging
import os
import pstats
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date

import odoo
from odoo import SUPERUSER_ID, api

sys.path.insert(0, os.path.dirname(__file__))
import bench_seed  # tools/ is not a package
import bench_settle

_logger = logging.getLogger("rsb.bench")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--invoices", type=int, default=10_000, help="max 100,000 (default 10,000)")
    parser.add_argument(
        "--clients",
        type=int,
        default=None,
        help="default: invoices / 5 (2,000 for 10,000 invoices)",
    )
    parser.add_argument(
        "--execute-clients",
        type=int,
        default=None,
        help="execute only this many clients (default: all)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="execute with N worker processes claiming chunks in parallel (default 1)",
    )
    parser.add_argument("--no-fees", action="store_true", help="a ladder without late fees")
    parser.add_argument("--skip-execute", action="store_true")
    parser.add_argument(
        "--skip-fee-invoicing", action="store_true", help="do not time the fee invoicing step"
    )
    parser.add_argument("--skip-oca", action="store_true")
    parser.add_argument(
        "--oca-email-clients",
        type=int,
        default=300,
        help="clients of OCA's email step timed (a sample: default 300; 0 to skip)",
    )
    parser.add_argument("--with-pdf", action="store_true")
    parser.add_argument(
        "--settle",
        type=int,
        default=200,
        help="tickets settled up in one batch (paid deposit, 2-4 timesheet lines; 0 to skip)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile the preview, the serial execution and the fee invoicing (cProfile "
        "stats to FILE.<step>)",
    )
    parser.add_argument(
        "--shop", action="store_true", help="shop profile: fees and settle-up time taxed"
    )
    parser.add_argument("--figures", metavar="FILE", help="write the measured figures (JSON)")
    parser.add_argument("--worker-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.invoices <= 100_000:
        parser.error("--invoices must be between 1 and 100,000")
    args.clients = args.clients or max(1, args.invoices // 5)
    return args


class QueryCounter:
    """Counts the queries of a cursor (odoo.sql_db.Cursor.sql_log_count)."""

    def __init__(self, cr):
        self.cr = cr
        self.start = cr.sql_log_count

    @property
    def count(self):
        return self.cr.sql_log_count - self.start


@contextmanager
def profiled(path, step):
    """cProfile the block into `path`.<step> (and its 40 costliest calls as text)."""
    if not path:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(f"{path}.{step}")
        with open(f"{path}.{step}.txt", "w") as out:
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)


def worker(args):
    """A worker process of --workers: claims and executes chunks of the run until none is
    left (the last one finishes the run and invoices the fees)."""
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        counter = QueryCounter(cr)
        # the fee invoices are timed apart, by the fee step
        type(env["rsb.dunning.fee"])._rsb_invoice_pending = lambda *a, **k: env["account.move"]
        # the clients this worker executes (memory against work done)
        Run = type(env["rsb.dunning.run"])
        claim, claimed = Run._rsb_claim_lines, []

        def counted_claim(run, limit):
            lines = claim(run, limit)
            claimed.append(len(lines))
            return lines

        Run._rsb_claim_lines = counted_claim
        # a worker of a running server has its registry loaded: wait for the others to be
        # ready too, then start together (the bench times from the start signal)
        print(f"ready {_peak_rss_mb():.1f}", flush=True)
        sys.stdin.readline()
        t0 = time.perf_counter()
        env["rsb.dunning.run"].browse(args.worker_run)._rsb_execute_worker()
        seconds = time.perf_counter() - t0
        print(f"{sum(claimed)} {seconds:.3f} {counter.count} {_peak_rss_mb():.1f}", flush=True)


def _peak_rss_mb():
    """This process's peak resident memory (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_workers(args, run):
    """Execute `run` with args.workers processes of this script (--worker-run), started
    together once each has loaded the registry (as the workers of a running server have).

    :return: (seconds from the start signal until the last worker is done, queries,
              [(peak MB with the registry loaded, peak MB at the end, clients) per worker])
    """
    cmd = [sys.executable, __file__, "-c", args.config, "-d", args.database]
    procs = [
        subprocess.Popen(
            [*cmd, "--worker-run", str(run.id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _i in range(args.workers)
    ]
    loaded = []
    for proc in procs:
        ready = proc.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise SystemExit("a worker failed to start: see the log")
        loaded.append(float(ready[1]))
    t0 = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    queries, memory = 0, []
    for proc, before in zip(procs, loaded, strict=True):
        out, _err = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"worker failed ({proc.returncode}): see the log")
        clients, _seconds, count, peak = out.split()[-4:]
        queries += int(count)
        memory.append((before, float(peak), int(clients)))
    return time.perf_counter() - t0, queries, memory


def line(label, seconds, rate=None, unit="invoices/s", note=""):
    rate_txt = f"{rate:10,.0f} {unit}" if rate is not None else " " * (11 + len(unit))
    return f"{label:<34} {seconds:8.2f} s  {rate_txt}  {note}".rstrip()


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    logging.getLogger("odoo").setLevel(logging.WARNING)
    if args.worker_run:
        return worker(args)
    registry = odoo.modules.registry.Registry(args.database)
    today = date.today()
    out = sys.stdout
    load = os.getloadavg()
    figures = {
        "profile": "shop" if args.shop else "bare",
        "invoices": args.invoices,
        "clients": args.clients,
        "workers": args.workers,
        "load_at_start": load[0],
    }
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        # the ladder: PDFs and letters off (see the module docstring), a fee at 30 days
        levels = env["rsb.dunning.level"].search([("company_id", "=", company.id)])
        levels.write({"attach_invoices": args.with_pdf, "send_letter": False})
        if not args.no_fees:
            levels.filtered(lambda lv: lv.days == 30).write(
                {"fee_type": "percent", "fee_percent": 5.0, "fee_min": 5.0, "fee_max": 50.0}
            )
        if args.shop:
            # the worst case of a shop: its late fees taxed like its time
            levels.fee_product_id.taxes_id = company.account_sale_tax_id
        taxes = ", ".join(f"{tax.name}" for tax in company.account_sale_tax_id)
        print(
            f"Dunning benchmark, {figures['profile']} profile"
            f"{f' (sales tax {taxes} on fees and time)' if args.shop else ''}: "
            f"{args.invoices:,} invoices, {args.clients:,} clients, "
            f"{len(levels)} levels ({'no fees' if args.no_fees else 'fee at 30 days'}), "
            f"date {today}, {args.workers} worker(s), {os.cpu_count()} CPUs, "
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            file=out,
        )

        t0 = time.perf_counter()
        _move_ids, receivable = bench_seed.seed(env, args.clients, args.invoices, today)
        cr.commit()
        t_seed = time.perf_counter() - t0
        print(line("seed (bulk SQL)", t_seed, args.invoices / t_seed), file=out)

        # -- ours: level assignment (plan) and preview
        Run = env["rsb.dunning.run"]
        run = Run.create({"date": today})
        env.flush_all()
        t0 = time.perf_counter()
        plan = run._rsb_plan()
        t_plan = time.perf_counter() - t0
        n_planned = sum(len(rows) for rows in plan.values())
        print(
            line(
                "level assignment (SQL plan)",
                t_plan,
                n_planned / t_plan,
                note=f"({n_planned:,} invoices, {len(plan):,} clients)",
            ),
            file=out,
        )
        t0 = time.perf_counter()
        with profiled(args.profile, "preview"):
            run.action_preview()
        env.flush_all()
        t_preview = time.perf_counter() - t0
        figures.update(plan_s=t_plan, preview_s=t_preview)
        n_lines = len(run.line_ids)
        print(
            line(
                "preview (assignment + run lines)",
                t_preview,
                n_planned / t_preview,
                note=f"({n_lines:,} run lines)",
            ),
            file=out,
        )
        cr.commit()

        # -- ours: execution by workers claiming chunks, as the cron / queue_job do
        if not args.skip_execute:
            if args.execute_clients:
                keep = run.line_ids[: args.execute_clients]
                (run.line_ids - keep).write({"state": "skipped"})
            to_do = run.line_ids.filtered(lambda ln: ln.state == "to_do")
            n_clients, n_exec_invoices = len(to_do), len(to_do.move_ids)
            mails_before = env["mail.mail"].search_count([])
            run.state = "running"
            cr.commit()
            # the fee invoices are timed apart: the workers leave them to the fee step
            Fee = type(env["rsb.dunning.fee"])
            invoice_pending = Fee._rsb_invoice_pending
            t0 = time.perf_counter()
            memory = []
            if not args.profile:
                t_exec, queries, memory = run_workers(args, run)
            else:
                Fee._rsb_invoice_pending = lambda *a, **k: env["account.move"]
                counter = QueryCounter(cr)
                try:
                    with profiled(args.profile, "execute"):
                        run._rsb_execute_worker()
                finally:
                    Fee._rsb_invoice_pending = invoice_pending
                queries = counter.count
                t_exec = time.perf_counter() - t0
            env.invalidate_all()
            mails = env["mail.mail"].search_count([]) - mails_before
            n_fees = env["rsb.dunning.fee"].search_count([])
            print(
                line(
                    "execute (actions queued)",
                    t_exec,
                    n_exec_invoices / t_exec,
                    note=f"({n_clients:,} clients, {1000 * t_exec / max(n_clients, 1):.1f} "
                    f"ms and {queries / max(n_clients, 1):.1f} queries per client; "
                    f"{mails:,} emails, {env['sms.sms'].search_count([]):,} SMS, "
                    f"{env['mail.activity'].search_count([]):,} activities, "
                    f"{n_fees:,} fees, "
                    f"{env['rsb.dunning.history'].search_count([]):,} history rows)",
                ),
                file=out,
            )
            print(f"  run state after the workers: {run.state}", file=out)
            for i, (before, peak, clients) in enumerate(memory, 1):
                print(
                    f"  worker {i}: {clients:,} clients, peak memory {peak:,.0f} MB "
                    f"({before:,.0f} MB with the registry loaded, before its first chunk)",
                    file=out,
                )
            figures.update(
                execute_s=t_exec,
                executed_clients=n_clients,
                executed_invoices=n_exec_invoices,
                queries_per_client=queries / max(n_clients, 1),
                emails=mails,
                fees=n_fees,
                run_state=run.state,
                worker_memory_mb=memory,
            )
        if not args.skip_execute and not args.skip_fee_invoicing:
            t0 = time.perf_counter()
            counter = QueryCounter(cr)
            with profiled(args.profile, "fees"):
                fee_moves = env["rsb.dunning.fee"]._rsb_invoice_pending(commit=True)
            t_fees = time.perf_counter() - t0
            figures.update(fee_invoicing_s=t_fees, fee_invoices=len(fee_moves))
            if fee_moves:
                print(
                    line(
                        "fee invoicing (batches of 5,000 fees)",
                        t_fees,
                        len(fee_moves) / t_fees,
                        unit="invoices/s",
                        note=f"({len(fee_moves):,} fee invoices posted, "
                        f"{counter.count / len(fee_moves):.1f} queries per invoice)",
                    ),
                    file=out,
                )
            cr.commit()

        # -- OCA account_credit_control on the same data
        if not args.skip_oca:
            policy = company.credit_policy_id or env.ref(
                "account_credit_control.credit_control_3_time"
            )
            policy.account_ids = [(4, receivable.id)]
            company.credit_policy_id = policy
            ccr = env["credit.control.run"].create(
                {"date": today, "policy_ids": [(6, 0, policy.ids)], "company_id": company.id}
            )
            env.flush_all()
            cr.commit()
            t0 = time.perf_counter()
            ccr.generate_credit_lines()
            env.flush_all()
            t_oca = time.perf_counter() - t0
            figures["oca_generate_s"] = t_oca
            oca_lines = env["credit.control.line"].search([("run_id", "=", ccr.id)])
            print(
                line(
                    "OCA credit.control.run generate",
                    t_oca,
                    args.invoices / t_oca,
                    note=f"({len(oca_lines):,} credit lines)",
                ),
                file=out,
            )
            print(
                f"ratio OCA generate / our preview: {t_oca / t_preview:6.1f}x "
                f"(our preview is {'faster' if t_preview < t_oca else 'SLOWER'})",
                file=out,
            )
            cr.commit()
            if args.oca_email_clients:
                email_lines = oca_lines.filtered(lambda ln: ln.channel == "email")
                partners = email_lines.partner_id[: args.oca_email_clients]
                sample = email_lines.filtered(lambda ln: ln.partner_id in partners)
                sample.write({"state": "to_be_sent"})
                env.flush_all()
                cr.commit()
                t0 = time.perf_counter()
                env["credit.control.emailer"].create(
                    {"line_ids": [(6, 0, sample.ids)]}
                )._send_emails()
                env.flush_all()
                t_mail = time.perf_counter() - t0
                figures["oca_email_ms_per_client"] = 1000 * t_mail / max(len(partners), 1)
                print(
                    line(
                        "OCA email step (sample)",
                        t_mail,
                        len(partners) / t_mail,
                        unit="clients/s",
                        note=f"({len(partners):,} clients, "
                        f"{1000 * t_mail / max(len(partners), 1):.1f} ms per client)",
                    ),
                    file=out,
                )
                cr.commit()
        # -- settle-up of N tickets in one batch (own transactions: tools/bench_settle.py)
        if args.settle:
            settle_s = bench_settle.run(registry, args.settle, out, args.profile, taxed=args.shop)
            figures.update(settle_tickets=args.settle, settle_s=settle_s)
        if args.invoices >= 100_000 and not args.skip_execute and not args.shop:
            verdict = "met" if t_exec < 60 else "NOT met"
            print(f"target (100,000 invoices executed in < 60 s): {verdict}", file=out)
    if args.figures:
        with open(args.figures, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
