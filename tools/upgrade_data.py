"""make upgrade-test, the data side: `prepare` (run with the previous release's code) creates
data and changes configuration the way users do; `check` (run after `-u` to HEAD) verifies that
it all survived and that the deposit ledger still reads right.

    python upgrade_data.py prepare|check ODOO_CONF DB STATE_FILE
"""

import json
import sys

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

MODULE = "remote_support_billing"
FEE_PRICE = 17.5
SUBJECT = "Our own words: deposit for {{ object.number }}"
DEPOSIT = 129.0


def _env(cr):
    return api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def prepare(env):
    """What an accountant and a manager do on the previous release."""
    ref = env.ref
    company = env.company
    ref(f"{MODULE}.ir_cron_rsb_dunning").active = False  # README: accountants may switch it off
    ref(f"{MODULE}.product_rsb_dunning_fee").list_price = FEE_PRICE
    ref(f"{MODULE}.mail_template_rsb_deposit_request").subject = SUBJECT

    product = env["product.product"].create(
        {"name": "Remote support (hour)", "type": "service", "list_price": 86.0, "taxes_id": []}
    )
    project = env["project.project"].create({"name": "Remote support", "allow_timesheets": True})
    stage = env["helpdesk.ticket.stage"].create(
        {"name": "Scheduled", "sequence": 2, "rsb_requires_deposit": True}
    )
    team = env["helpdesk.ticket.team"].create(
        {
            "name": "Remote Support",
            "allow_timesheet": True,
            "default_project_id": project.id,
            "rsb_service_product_id": product.id,
            "rsb_deposit_default": DEPOSIT,
        }
    )
    client = env["res.partner"].create(
        {"name": "Greenleaf Dental", "is_company": True, "email": "billing@greenleaf.example"}
    )
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": name,
                "description": "Remote session",
                "team_id": team.id,
                "partner_id": client.id,
                "project_id": project.id,
            }
            for name in ("Paid deposit", "Requested deposit")
        ]
    )
    tickets.action_rsb_request_deposit()
    paid, requested = tickets
    bank = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
    )
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=paid.rsb_deposit_move_id.ids
    ).create({"journal_id": bank.id})._create_payments()
    paid.stage_id = stage  # the gate opens once the deposit is paid
    assert paid.rsb_deposit_state == "paid", paid.rsb_deposit_state
    assert requested.rsb_deposit_state == "requested", requested.rsb_deposit_state
    return {
        "paid": paid.id,
        "requested": requested.id,
        "stage": stage.id,
        "deposit_account": company._rsb_get_deposit_account().id,
        "version": env["ir.module.module"].search([("name", "=", MODULE)]).latest_version,
        "template_body": ref(f"{MODULE}.mail_template_rsb_deposit_request").body_html,
    }


def check(env, before):
    """After the upgrade to HEAD: data and configuration kept, ledger figures right."""
    ref = env.ref
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append(f"{what}: {got!r}, expected {want!r}")

    expect("daily dunning job active", ref(f"{MODULE}.ir_cron_rsb_dunning").active, False)
    expect("late-fee price", ref(f"{MODULE}.product_rsb_dunning_fee").list_price, FEE_PRICE)
    template = ref(f"{MODULE}.mail_template_rsb_deposit_request")
    expect("deposit request subject", template.subject, SUBJECT)
    module = env["ir.module.module"].search([("name", "=", MODULE)])
    expect("module state", module.state, "installed")
    manifest_version = odoo.modules.module.get_manifest(MODULE)["version"]
    expect("installed version", module.latest_version, manifest_version)

    paid = env["helpdesk.ticket"].browse(before["paid"]).exists()
    requested = env["helpdesk.ticket"].browse(before["requested"]).exists()
    expect("tickets kept", len(paid | requested), 2)
    if paid and requested:
        currency = paid.rsb_currency_id
        figures = (paid | requested)._rsb_get_deposit_figures()
        # held: the ticket's balance on Customer Deposits; available: received and not yet
        # applied or returned. The 18.0.1.2.0 migration resets the request nothing was paid on
        # (posted when asked by the previous release) to draft: it is no longer held.
        for ticket, state, want in (
            (
                paid,
                "paid",
                {"received": DEPOSIT, "unpaid": 0.0, "available": DEPOSIT, "held": DEPOSIT},
            ),
            (
                requested,
                "requested",
                {"received": 0.0, "unpaid": DEPOSIT, "available": 0.0, "held": 0.0},
            ),
        ):
            expect(f"{ticket.name}: state", ticket.rsb_deposit_state, state)
            want = {**want, "requested": DEPOSIT, "applied": 0.0, "returned": 0.0}
            for name, amount in want.items():
                got = figures[ticket.id][name]
                if currency.compare_amounts(got, amount):
                    errors.append(f"{ticket.name}: deposit {name} {got}, expected {amount}")
        expect("paid ticket's stage", paid.stage_id.id, before["stage"])
        expect("paid request", paid.rsb_deposit_move_id.state, "posted")
        expect("open request (booked when paid)", requested.rsb_deposit_move_id.state, "draft")
        # Customer Deposits holds the paid deposit only (issue 9's invariant: the account's
        # balance is what the tickets hold).
        account = env["account.account"].browse(before["deposit_account"])
        balance = -sum(
            env["account.move.line"]
            .search([("account_id", "=", account.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        if currency.compare_amounts(balance, DEPOSIT):
            errors.append(f"Customer Deposits balance {balance}, expected {DEPOSIT}")
    return errors


def main():
    phase, conf, db, state_file = sys.argv[1:5]
    config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        env = _env(cr)
        if phase == "prepare":
            state = prepare(env)
            with open(state_file, "w") as f:
                json.dump(state, f)
            cr.commit()  # a script of its own: the data must outlive it
            print(
                f"prepared on version {state['version']}: tickets {state['paid']}, "
                f"{state['requested']}"
            )
            return 0
        with open(state_file) as f:
            before = json.load(f)
        errors = check(env, before)
        for error in errors:
            print(f"upgrade check FAILED: {error}", file=sys.stderr)
        if not errors:
            print(f"upgrade {before['version']} -> HEAD kept data and configuration")
        return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
