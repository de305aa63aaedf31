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
"""

import argparse
import cProfile
import logging
import os
import pstats
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

sys.path.insert(0, os.path.dirname(__file__))
import bench_settle  # tools/ is not a package

_logger = logging.getLogger("rsb.bench")

# the n-th clone's name: the template's sequence prefix and number + n, zero-padded to 5 digits
SEQ_NAME = (
    "t.sequence_prefix || lpad((v.g + t.sequence_number)::text, "
    "greatest(5, length((v.g + t.sequence_number)::text)), '0')"
)


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
        help="profile the serial execution and the fee invoicing (cProfile stats to FILE)",
    )
    parser.add_argument("--worker-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.invoices <= 100_000:
        parser.error("--invoices must be between 1 and 100,000")
    args.clients = args.clients or max(1, args.invoices // 5)
    return args


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cr.fetchall()]


def clone(cr, table, template_id, overrides, arrays):
    """INSERT copies of row `template_id` of `table`, one per element of the `arrays`
    (unnest: {alias: (sql type, values)}), the `overrides` {column: SQL expression over
    the aliases} replacing the template's values. Returns the new ids in order."""
    cols = columns(cr, table)
    select = [SQL(overrides[c]) if c in overrides else SQL.identifier("t", c) for c in cols]
    aliases = list(arrays)
    unnest = SQL(", ").join(SQL("%s::" + arrays[a][0] + "[]", arrays[a][1]) for a in aliases)
    query = SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s t, unnest(%s) WITH ORDINALITY AS v(%s, g) "
        "WHERE t.id = %s ORDER BY v.g RETURNING id",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(c) for c in cols),
        SQL(", ").join(select),
        SQL.identifier(table),
        unnest,
        SQL(", ").join(SQL.identifier(a) for a in aliases),
        template_id,
    )
    cr.execute(query)
    return [r[0] for r in cr.fetchall()]


@contextmanager
def bulk_load(cr, tables):
    """Bulk load, as pg_restore does: no foreign key triggers while inserting rows whose
    references are valid by construction (session_replication_role = replica: the per-row
    FOR KEY SHARE checks on the fresh clients took most of the seeding time), and the GIN
    (trigram) indexes of `tables` rebuilt once afterwards instead of updated row by row."""
    cr.execute("SET LOCAL session_replication_role = replica")
    cr.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexdef LIKE '%% USING gin %%'",
        [list(tables)],
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    for _name, definition in indexes:
        cr.execute(definition)
    cr.execute("SET LOCAL session_replication_role = DEFAULT")


def seed(env, n_clients, n_invoices, today):
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
    )
    product = env["product.product"].create(
        {"name": "Bench hour", "type": "service", "list_price": 100.0, "taxes_id": [(5, 0, 0)]}
    )
    template_partner = env["res.partner"].create(
        {
            "name": "Bench template",
            "is_company": True,
            "email": "tmpl@bench.example",
            "mobile": "+15550100",
            "street": "1 Bench St",
            "city": "Springfield",
        }
    )
    template_move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "journal_id": journal.id,
            "invoice_date": today - timedelta(days=90),
            "invoice_date_due": today,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": 100.0,
                        "tax_ids": [(5, 0, 0)],
                    },
                )
            ],
        }
    )
    template_move.action_post()
    env.flush_all()
    lines = template_move.line_ids
    product_line = lines.filtered(lambda line: line.display_type == "product")
    receivable_line = lines.filtered(lambda line: line.display_type == "payment_term")
    assert len(lines) == 2, lines
    # Commit the templates: the foreign key checks of the bulk inserts lock the referenced
    # rows (FOR KEY SHARE); on rows this transaction wrote, each lock adds to a multixact,
    # which made the 100,000-invoice insert superlinear (minutes instead of seconds).
    cr.commit()

    t0 = time.perf_counter()
    # clients
    partner_ids = clone(
        cr,
        "res_partner",
        template_partner.id,
        {
            "name": "'Bench client ' || v.g",
            "complete_name": "'Bench client ' || v.g",
            "email": "'client' || v.g || '@bench.example'",
        },
        {"k": ("int", list(range(n_clients)))},
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )
    cr.commit()  # same reason
    t_partners = time.perf_counter() - t0

    # invoices: round robin over clients, amounts from 40 to 1,030
    # each client is as late as a random number of days (their highest level), their
    # invoices up to 3 weeks less (never more than 3 days before due: all are dunned)
    rng = random.Random(42)
    lateness = [rng.randint(-3, 60) for _c in range(n_clients)]
    parts = [partner_ids[i % n_clients] for i in range(n_invoices)]
    dues = [
        today - timedelta(days=max(-3, lateness[i % n_clients] - rng.randint(0, 21)))
        for i in range(n_invoices)
    ]
    amounts = [float(rng.randint(40, 1030)) for _i in range(n_invoices)]
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'account_move' AND column_name LIKE 'amount%%' AND data_type = 'numeric'"
    )
    amount_cols = {c: "0" if "tax" in c else "v.amount" for (c,) in cr.fetchall()}
    t0 = time.perf_counter()
    with bulk_load(cr, ["account_move", "account_move_line"]):
        move_ids = clone(
            cr,
            "account_move",
            template_move.id,
            {
                **amount_cols,
                # named in the journal's sequence after the template (INV/2026/00002...),
                # as real invoices are: the sequence look-up of new invoices stays an
                # index scan of the prefix
                "name": SEQ_NAME,
                "payment_reference": SEQ_NAME,
                "sequence_number": "v.g + t.sequence_number",
                "partner_id": "v.partner",
                "commercial_partner_id": "v.partner",
                "invoice_date_due": "v.due",
                "access_token": "NULL",
            },
            {"partner": ("int", parts), "due": ("date", dues), "amount": ("numeric", amounts)},
        )
        t_moves = time.perf_counter() - t0
        t0 = time.perf_counter()
        common = {"move_id": "v.move", "partner_id": "v.partner"}
        clone(
            cr,
            "account_move_line",
            product_line.id,
            {
                **common,
                "debit": "0",
                "credit": "v.amount",
                "balance": "-v.amount",
                "amount_currency": "-v.amount",
                "price_unit": "v.amount",
                "price_subtotal": "v.amount",
                "price_total": "v.amount",
                "amount_residual": "0",
                "amount_residual_currency": "0",
            },
            {"move": ("int", move_ids), "partner": ("int", parts), "amount": ("numeric", amounts)},
        )
        clone(
            cr,
            "account_move_line",
            receivable_line.id,
            {
                **common,
                "debit": "v.amount",
                "credit": "0",
                "balance": "v.amount",
                "amount_currency": "v.amount",
                "amount_residual": "v.amount",
                "amount_residual_currency": "v.amount",
                "date_maturity": "v.due",
                "price_unit": "-v.amount",
                "price_subtotal": "-v.amount",
                "price_total": "-v.amount",
                "name": "(SELECT m.name FROM account_move m WHERE m.id = v.move)",
            },
            {
                "move": ("int", move_ids),
                "partner": ("int", parts),
                "due": ("date", dues),
                "amount": ("numeric", amounts),
            },
        )
    t_lines = time.perf_counter() - t0
    cr.execute("ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line")
    env.invalidate_all()
    _logger.warning(
        "seed: partners %.2fs, moves %.2fs, move lines %.2fs", t_partners, t_moves, t_lines
    )
    return move_ids, receivable_line.account_id


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
        t0 = time.perf_counter()
        env["rsb.dunning.run"].browse(args.worker_run)._rsb_execute_worker()
        print(f"{time.perf_counter() - t0:.3f} {counter.count}", flush=True)


def run_workers(args, run):
    """Execute `run` with args.workers processes of this script (--worker-run)."""
    cmd = [sys.executable, __file__, "-c", args.config, "-d", args.database]
    procs = [
        subprocess.Popen([*cmd, "--worker-run", str(run.id)], stdout=subprocess.PIPE, text=True)
        for _i in range(args.workers)
    ]
    queries = 0
    for proc in procs:
        out, _err = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"worker failed ({proc.returncode}): see the log")
        queries += int(out.split()[-1])
    return queries


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
        print(
            f"Dunning benchmark: {args.invoices:,} invoices, {args.clients:,} clients, "
            f"{len(levels)} levels ({'no fees' if args.no_fees else 'fee at 30 days'}), "
            f"date {today}, {args.workers} worker(s), {os.cpu_count()} CPUs, "
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            file=out,
        )

        t0 = time.perf_counter()
        _move_ids, receivable = seed(env, args.clients, args.invoices, today)
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
        run.action_preview()
        env.flush_all()
        t_preview = time.perf_counter() - t0
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
            if args.workers > 1:
                queries = run_workers(args, run)
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
            t0 = time.perf_counter()
            counter = QueryCounter(cr)
            with profiled(args.profile, "fees"):
                fee_moves = env["rsb.dunning.fee"]._rsb_invoice_pending(commit=True)
            t_fees = time.perf_counter() - t0
            if fee_moves:
                print(
                    line(
                        "fee invoicing (batches of 500)",
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
        # -- settle-up of N tickets in one batch
        if args.settle:
            t0 = time.perf_counter()
            tickets = bench_settle.seed_tickets(env, args.settle)
            cr.commit()
            t_seed_tickets = time.perf_counter() - t0
            print(
                line(
                    "settle-up seed (ORM)",
                    t_seed_tickets,
                    args.settle / t_seed_tickets,
                    unit="tickets/s",
                    note=f"({args.settle:,} tickets, paid deposits, 2-4 timesheet lines)",
                ),
                file=out,
            )
            counter = QueryCounter(cr)
            t0 = time.perf_counter()
            with profiled(args.profile, "settle"):
                tickets.action_rsb_settle()
                env.flush_all()
            t_settle = time.perf_counter() - t0
            cr.commit()
            print(
                line(
                    "settle-up (one batch)",
                    t_settle,
                    args.settle / t_settle,
                    unit="tickets/s",
                    note=f"({len(tickets.rsb_settlement_move_ids):,} documents, "
                    f"{counter.count / args.settle:.1f} queries per ticket)",
                ),
                file=out,
            )
            if args.settle >= 1000:
                verdict = "met" if t_settle < 30 else "NOT met"
                print(f"target (1,000 tickets settled in < 30 s): {verdict}", file=out)
        if args.invoices >= 100_000 and not args.skip_execute:
            verdict = "met" if t_exec < 60 else "NOT met"
            print(f"target (100,000 invoices executed in < 60 s): {verdict}", file=out)


if __name__ == "__main__":
    main()
