"""Settle-up benchmark data (used by tools/bench_dunning.py --settle N): N tickets of 50
clients, each with a paid $129 deposit and 2 to 4 timesheet lines, made through the ORM as
users would (deposit requested, paid by a batch payment registration)."""

import random

from odoo import Command


def seed_tickets(env, count, seed=7):
    """Create `count` tickets ready to settle. :return: helpdesk.ticket recordset"""
    rng = random.Random(seed)
    company = env.company
    hour = env.ref("uom.product_uom_hour")
    product = env["product.product"].create(
        {
            "name": "Bench remote support (hour)",
            "type": "service",
            "uom_id": hour.id,
            "uom_po_id": hour.id,
            "list_price": 86.0,
            "taxes_id": [Command.clear()],
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
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": f"Bench ticket {i}",
                "description": "Remote session",
                "team_id": team.id,
                "partner_id": clients[i % len(clients)].id,
                "project_id": project.id,
            }
            for i in range(count)
        ]
    )
    tickets.action_rsb_request_deposit()
    deposits = tickets.rsb_deposit_move_id
    bank = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
    )
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=deposits.ids
    ).create({"journal_id": bank.id, "group_payment": False})._create_payments()
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
