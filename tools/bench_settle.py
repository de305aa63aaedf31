"""Settle-up benchmark (tools/bench_dunning.py --settle N, or run alone): N tickets of 50
clients, each with a paid $129 deposit and 2 to 4 timesheet lines, then all settled up in one
batch as the Settle Up button does, timed with its queries per ticket.

The seed is batched (deposit invoices created and posted in one batch per chunk, paid by one
payment per client through the payment register, timesheets in one create) and committed in
chunks with a fresh transaction each; the deposit request emails are not sent (they are not
what is measured) and the sessions count as scheduled (their activity closed). The settle-up
runs in a fresh transaction with a user's context (tracking and chatter on), as a request
would.

Alone: python tools/bench_settle.py -c .run/odoo.conf -d DB --settle 1000 [--profile FILE]
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time

import odoo
from odoo import SUPERUSER_ID, Command, api

SEED_CHUNK = 100


def _setup(env, taxed=False):
    """The team, product, project and 50 clients of the benchmark; the hourly product taxed
    with the company's default sale tax if `taxed`. :return: (team, clients)"""
    company = env.company
    hour = env.ref("uom.product_uom_hour")
    product = env["product.product"].create(
        {
            "name": "Bench remote support (hour)",
            "type": "service",
            "uom_id": hour.id,
            "uom_po_id": hour.id,
            "list_price": 86.0,
            "taxes_id": [Command.set(company.account_sale_tax_id.ids if taxed else [])],
        }
    )
    project = env["project.project"].create(
        {"name": "Bench remote support", "allow_timesheets": True, "company_id": company.id}
    )
    if not env.user.employee_id:
        env["hr.employee"].create(
            {"name": env.user.name, "user_id": env.user.id, "company_id": company.id}
        )
    team = env["helpdesk.ticket.team"].create(
        {
            "name": "Bench remote support",
            "user_ids": [Command.set(env.user.ids)],
            "allow_timesheet": True,
            "default_project_id": project.id,
            "rsb_service_product_id": product.id,
            "rsb_deposit_default": 129.0,
            "rsb_rounding_minutes": 15,
            "rsb_minimum_minutes": 30,
            "rsb_free_minutes": 5,
            "company_id": company.id,
        }
    )
    clients = env["res.partner"].create(
        [
            {
                "name": f"Bench settle client {i}",
                "is_company": True,
                "email": f"settle{i}@bench.example",
                "street": "1 Main St",
                "city": "Springfield",
                "zip": "12345",
                "country_id": env.ref("base.us").id,
            }
            for i in range(50)
        ]
    )
    return team, clients


def seed_tickets(env, count, seed=7, team=None, clients=None, start=0):
    """Create `count` tickets ready to settle (in `env`'s transaction). :return: tickets"""
    rng = random.Random(seed + start)
    if not team:
        team, clients = _setup(env)
    project = team.default_project_id
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": f"Bench ticket {start + i}",
                "description": "Remote session",
                "team_id": team.id,
                "partner_id": clients[(start + i) % len(clients)].id,
                "project_id": project.id,
            }
            for i in range(count)
        ]
    )
    # the deposit requests, as Request Deposit books them (without the emails): their lines
    # carry the tickets' deposit tags, which only the addon's own code may write
    from odoo.addons.remote_support_billing import ledger_guard

    deposits = (
        ledger_guard.ledger_writer(env["account.move"])
        .create([ticket._prepare_rsb_deposit_invoice_values() for ticket in tickets])
        .with_env(env)
    )
    deposits.action_post()
    for ticket, deposit in zip(tickets, deposits, strict=True):
        ticket.rsb_deposit_move_id = deposit
    bank = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(env.company), ("type", "=", "bank")],
        limit=1,
    )
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=deposits.ids
    ).create({"journal_id": bank.id, "group_payment": True})._create_payments()
    # the sessions were scheduled (that closes the "schedule the session" activity)
    tickets._rsb_close_activities("Deposit paid: schedule the session")
    env["account.analytic.line"].create(
        [
            {
                "name": f"Remote session {n}",
                "ticket_id": ticket.id,
                "project_id": project.id,
                "unit_amount": rng.choice((10, 25, 40, 55, 70)) / 60.0,
            }
            for ticket in tickets
            for n in range(rng.randint(2, 4))
        ]
    )
    env.flush_all()
    return tickets


def seed(registry, count, taxed=False):
    """Seed `count` tickets in committed chunks, each in a fresh transaction (one long
    transaction accumulates environments that slow every later ORM call). :return: ids"""
    ids, team_id, client_ids = [], None, None
    for start in range(0, count, SEED_CHUNK):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            team = env["helpdesk.ticket.team"].browse(team_id)
            clients = env["res.partner"].browse(client_ids)
            if not team_id:
                team, clients = _setup(env, taxed)
                team_id, client_ids = team.id, clients.ids
            tickets = seed_tickets(
                env, min(SEED_CHUNK, count - start), team=team, clients=clients, start=start
            )
            ids += tickets.ids
            cr.commit()
    return ids


def settle(registry, ids, profile=None):
    """Settle the tickets in one batch, in a fresh transaction with a user's context.

    :return: (seconds, cpu seconds of this process, queries, documents)
    """
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        tickets = env["helpdesk.ticket"].browse(ids)
        start = cr.sql_log_count
        prof = cProfile.Profile() if profile else None
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        tickets.action_rsb_settle()
        env.flush_all()
        if prof:
            prof.disable()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        queries = cr.sql_log_count - start
        documents = len(tickets.rsb_settlement_move_ids)
        cr.commit()
    if prof:
        prof.dump_stats(f"{profile}.settle")
        with open(f"{profile}.settle.txt", "w") as out:
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(80)
    return seconds, cpu, queries, documents


def _line(label, seconds, rate, note):
    return f"{label:<34} {seconds:8.2f} s  {rate:10,.1f} tickets/s  {note}"


def run(registry, count, out=sys.stdout, profile=None, taxed=False):
    """Seed and settle `count` tickets (their time taxed if `taxed`); print the figures.
    :return: the settle-up's seconds"""
    t0 = time.perf_counter()
    ids = seed(registry, count, taxed)
    t_seed = time.perf_counter() - t0
    print(
        _line(
            "settle-up seed (batched ORM)",
            t_seed,
            count / t_seed,
            f"({count:,} {'taxed ' if taxed else ''}tickets, paid deposits, 2-4 timesheet lines)",
        ),
        file=out,
    )
    load = os.getloadavg()
    seconds, cpu, queries, documents = settle(registry, ids, profile)
    print(
        _line(
            "settle-up (one batch)",
            seconds,
            count / seconds,
            f"({documents:,} documents, {1000 * seconds / count:.1f} ms and "
            f"{queries / count:.1f} queries per ticket; Odoo process CPU {cpu:.1f} s; "
            f"load {load[0]:.2f})",
        ),
        file=out,
    )
    if count >= 1000 and not taxed:
        verdict = "met" if seconds < 30 else "NOT met"
        print(f"target (1,000 tickets settled in < 30 s): {verdict}", file=out)
    return seconds


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--settle", type=int, default=200, help="tickets (default 200)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile of the settle-up to FILE")
    parser.add_argument("--taxed", action="store_true", help="time taxed (company's sale tax)")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    run(registry, args.settle, profile=args.profile, taxed=args.taxed)


if __name__ == "__main__":
    main()
