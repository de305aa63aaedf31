"""The targets of `make bench --shop` (issue 20.6), checked from the figures the runs measured
(tools/bench_dunning.py --figures, one JSON file per worker count; run by tools/bench.sh).

Targets, on this 2-core machine, 100,000 overdue invoices of 20,000 clients, shop profile:
  - the whole run (execution: emails, SMS, activities, holds, history; then the fee invoices)
    under 10 minutes with 2 workers;
  - per client, at least 20x faster than OCA account_credit_control's email step;
  - the preview at least 10x faster than OCA's generate;
  - the settle-up of 1,000 taxed tickets under 2 minutes;
  - memory per worker flat in N, under 1.5 GB at 100,000 invoices.
At a smaller scale the size-dependent figures are extrapolated linearly (said on the line).

Usage: python tools/bench_targets.py FIGURES.json [FIGURES.json ...]
"""

import json
import sys

FULL_INVOICES, FULL_CLIENTS = 100_000, 20_000
CHUNK = 1000  # clients per chunk of a worker (rsb.dunning.run._rsb_batch_size)


def whole_run(fig):
    return fig.get("execute_s", 0.0) + fig.get("fee_invoicing_s", 0.0)


def verdict(ok):
    return "met" if ok else "not met"


def main(paths):
    runs = [json.load(open(path)) for path in paths]
    by_workers = {fig["workers"]: fig for fig in runs}
    first = runs[0]
    invoices, clients = first["invoices"], first["clients"]
    full = invoices >= FULL_INVOICES and clients >= FULL_CLIENTS
    scale = invoices and FULL_INVOICES / invoices
    at = f"at {invoices:,} invoices / {clients:,} clients"
    extrapolated = "" if full else f" ({at}, extrapolated linearly to 100,000 / 20,000)"
    print(f"\nSummary, {first['profile']} profile, {at}:")
    print("  workers  execute    fee invoices  whole run  per client  peak memory per worker")
    for n, fig in sorted(by_workers.items()):
        per_client = 1000 * whole_run(fig) / max(fig.get("executed_clients", 0), 1)
        memory = ", ".join(
            f"{peak:,.0f} MB ({clients:,} clients)"
            for _before, peak, clients in fig.get("worker_memory_mb", [])
        )
        print(
            f"  {n:>7}  {fig.get('execute_s', 0):7.1f} s  {fig.get('fee_invoicing_s', 0):10.1f} s"
            f"  {whole_run(fig):7.1f} s  {per_client:7.2f} ms  {memory or '-'}"
            f"  (load at start {fig['load_at_start']:.2f})"
        )
    oca = next((fig for fig in runs if "oca_generate_s" in fig), {})
    settle = next((fig for fig in runs if fig.get("settle_tickets")), {})

    # 1. the whole run with 2 workers
    two = by_workers.get(2)
    if two and "execute_s" in two:
        seconds = whole_run(two) * (1 if full else scale)
        print(
            f"target (whole run of 100,000 invoices / 20,000 clients under 10 min with 2 "
            f"workers): {verdict(seconds < 600)} ({seconds:,.0f} s{extrapolated})"
        )
    else:
        print("target (whole run under 10 min with 2 workers): not met (not measured: 2 workers)")

    # 2. per client against OCA's email step (a ratio: no extrapolation)
    one = by_workers.get(1) or first
    if "oca_email_ms_per_client" in oca and one.get("executed_clients"):
        ours = 1000 * whole_run(one) / one["executed_clients"]
        ratio = oca["oca_email_ms_per_client"] / ours
        print(
            "target (per client at least 20x faster than OCA's email step): "
            f"{verdict(ratio >= 20)} "
            f"({ratio:.1f}x: our whole run {ours:.2f} ms per client with 1 worker, OCA's email "
            f"step {oca['oca_email_ms_per_client']:.1f} ms per client; {at})"
        )
    else:
        print(
            "target (per client at least 20x faster than OCA's email step): not met (not measured)"
        )

    # 3. the preview against OCA's generate
    if "oca_generate_s" in oca:
        ratio = oca["oca_generate_s"] / oca["preview_s"]
        print(
            f"target (preview at least 10x faster than OCA's generate): {verdict(ratio >= 10)} "
            f"({ratio:.1f}x: preview {oca['preview_s']:.2f} s, OCA generate "
            f"{oca['oca_generate_s']:.2f} s; {at})"
        )
    else:
        print("target (preview at least 10x faster than OCA's generate): not met (not measured)")

    # 4. the settle-up of 1,000 taxed tickets
    if settle:
        n = settle["settle_tickets"]
        seconds = settle["settle_s"] * max(1.0, 1000 / n)
        how = "" if n >= 1000 else f" (at {n:,} tickets, extrapolated linearly to 1,000)"
        taxed = "taxed " if settle["profile"] == "shop" else "untaxed (bare profile) "
        print(
            f"target (settle-up of 1,000 {taxed}tickets under 2 min): {verdict(seconds < 120)} "
            f"({seconds:,.1f} s{how})"
        )
    else:
        print("target (settle-up of 1,000 taxed tickets under 2 min): not met (not measured)")

    # 5. memory per worker: flat in N (the growth over the loaded registry of a worker that
    # executed all clients against one that executed about half of them, each in chunks of
    # 1,000 clients), under 1.5 GB at 100,000 invoices
    mem1 = (by_workers.get(1) or {}).get("worker_memory_mb")
    mem2 = (by_workers.get(2) or {}).get("worker_memory_mb")
    if mem1 and mem2:
        before, peak1, clients1 = mem1[0]
        before2, peak2, clients2 = max(mem2, key=lambda m: m[2])
        growth1, growth2 = peak1 - before, peak2 - before2
        if clients2 < CHUNK or clients1 < 2 * CHUNK:
            print(
                "target (memory per worker flat in N, under 1.5 GB at 100,000 invoices): not met "
                f"(not measurable {at}: a worker must execute several chunks of {CHUNK:,} "
                f"clients; peak {peak1:,.0f} MB, {growth1:,.0f} MB over the loaded registry)"
            )
            return
        flat = growth1 <= 1.25 * growth2 + 20
        # flat: the peak does not depend on N; otherwise the growth per client, linearly
        at_full = peak1 if flat or full else before + growth1 * FULL_CLIENTS / clients1
        print(
            f"target (memory per worker flat in N, under 1.5 GB at 100,000 invoices): "
            f"{verdict(flat and at_full < 1536)} ({'flat' if flat else 'grows with N'}: "
            f"{growth1:,.0f} MB over the loaded registry for {clients1:,} clients, "
            f"{growth2:,.0f} MB for {clients2:,}; peak {peak1:,.0f} MB, {at_full:,.0f} MB at "
            f"100,000{'' if full or flat else ' extrapolated linearly'}; {at})"
        )
    else:
        print("target (memory per worker flat in N, under 1.5 GB): not met (needs 1 and 2 workers)")


if __name__ == "__main__":
    main(sys.argv[1:])
