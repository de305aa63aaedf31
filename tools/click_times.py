"""Time the README's buttons and portal pages on a running demo (`make demo`): from the request
to the answer, as the browser waits for it, over Odoo's JSON-RPC and HTTP, as each role.
Usage: .venv/bin/python tools/click_times.py [--url http://localhost:8069] [--db rsb_demo]

It acts on the demo as its users would (a deposit request, an hour logged and paid now, a payment
plan confirmed, a dunning run executed): run it on a fresh demo, once. Prints a Markdown table.
"""

import argparse
import datetime
import time

import requests


class Client:
    def __init__(self, url, db, login):
        self.url, self.session = url.rstrip("/"), requests.Session()
        answer = self.session.post(
            f"{self.url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": login}},
            timeout=60,
        ).json()
        if answer.get("error") or not answer["result"].get("uid"):
            raise SystemExit(f"cannot log in as {login}: {answer.get('error')}")

    def call(self, model, method, *args, **kwargs):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            },
            timeout=300,
        ).json()
        if answer.get("error"):
            raise SystemExit(f"{model}.{method}: {answer['error']['data']['message']}")
        return answer["result"]

    def timed(self, model, method, *args, **kwargs):
        start = time.perf_counter()
        result = self.call(model, method, *args, **kwargs)
        return time.perf_counter() - start, result

    def get(self, path):
        start = time.perf_counter()
        response = self.session.get(f"{self.url}{path}", timeout=120)
        response.raise_for_status()
        return time.perf_counter() - start

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        return self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )[0]["res_id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="rsb_demo")
    args = parser.parse_args()
    tech = Client(args.url, args.db, "tech")
    accountant = Client(args.url, args.db, "accountant")
    dana = Client(args.url, args.db, "dana")
    admin = Client(args.url, args.db, "admin")
    rows = []
    ref = admin.ref

    # technician: Request Deposit on Greenleaf's workstation ticket
    ticket = ref("remote_support_billing.demo_ticket_to_request")
    seconds, _ = tech.timed("helpdesk.ticket", "action_rsb_request_deposit", [ticket])
    rows.append(("technician", "*Request Deposit*", seconds))

    # technician: an hour more on Summit's printer, then Request Payment Now
    paid = ref("remote_support_billing.demo_ticket_paid")
    project = tech.call("helpdesk.ticket", "read", [paid], ["project_id"])[0]["project_id"][0]
    tech.call(
        "account.analytic.line",
        "create",
        [{"name": "Remote session", "ticket_id": paid, "project_id": project, "unit_amount": 1.0}],
    )
    seconds, action = tech.timed("helpdesk.ticket", "action_rsb_request_payment_now", [paid])
    rows.append(("technician", "*Request Payment Now* (the figures)", seconds))
    wizard = tech.call(
        "rsb.pay.now.wizard", "create", [{"ticket_id": paid}], context=action["context"]
    )
    seconds, _ = tech.timed("rsb.pay.now.wizard", "action_confirm", wizard)
    rows.append(("technician", "*Request Payment* (link, email, SMS)", seconds))

    # accountant: a payment plan of Summit's overdue invoices, Confirm
    summit = ref("remote_support_billing.demo_client_late")
    invoices = accountant.call(
        "account.move",
        "search",
        [
            ("partner_id", "=", summit),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ],
    )
    first = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    plan = accountant.call(
        "rsb.payment.plan",
        "create",
        [
            {
                "partner_id": summit,
                "invoice_ids": [(6, 0, invoices)],
                "instalment_count": 3,
                "first_date": first,
            }
        ],
    )
    seconds, _ = accountant.timed("rsb.payment.plan", "action_confirm", plan)
    rows.append(("accountant", "payment plan *Confirm* (3 invoices)", seconds))

    # accountant: a dunning run, Preview then Execute (the job runs after the answer)
    [run] = accountant.call("rsb.dunning.run", "create", [{}])
    seconds, _ = accountant.timed("rsb.dunning.run", "action_preview", [run])
    rows.append(("accountant", "dunning run *Preview*", seconds))
    start = time.perf_counter()
    accountant.call("rsb.dunning.run", "action_execute_in_background", [run])
    rows.append(("accountant", "dunning run *Execute* (the answer)", time.perf_counter() - start))
    while accountant.call("rsb.dunning.run", "read", [run], ["state"])[0]["state"] != "done":
        if time.perf_counter() - start > 300:
            raise SystemExit("the dunning run did not finish in 5 minutes")
        time.sleep(0.25)
    rows.append(
        ("accountant", "... until the run is *Done* (background)", time.perf_counter() - start)
    )

    # client: the portal pages (first load, then again)
    requested = ref("remote_support_billing.demo_ticket_requested")
    for label, path in (
        ("portal home", "/my"),
        ("ticket page (deposit, agreement)", f"/my/ticket/{requested}"),
        ("account summary", "/my/account-summary"),
        ("invoices", "/my/invoices"),
    ):
        first_load = dana.get(path)
        rows.append(("client", f"{label}, first / again", (first_load, dana.get(path))))

    print("| role | click | seconds |\n| --- | --- | --- |")
    for role, label, seconds in rows:
        shown = (
            " / ".join(f"{s:.2f}" for s in seconds)
            if isinstance(seconds, tuple)
            else f"{seconds:.2f}"
        )
        print(f"| {role} | {label} | {shown} |")


if __name__ == "__main__":
    main()
