#!/usr/bin/env bash
# make bench [BENCH_ARGS="--invoices 100000 --clients 20000"]: dunning benchmark.
# A dedicated database rsb_bench = the test template + the addon + OCA account_credit_control
# (the installed state is cached in rsb_bench_tmpl while the addon does not change), seeded
# with N overdue invoices; times our level assignment, preview and execution, then OCA's
# credit line generation on the same data. Arguments go to tools/bench_dunning.py (--help).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
BENCH_DB=${BENCH_DB:-rsb_bench}
tmpl="${BENCH_DB}_tmpl"
stamp="$RUN_DIR/$tmpl.addon-hash"
base=$(ensure_base_db all)
if ! db_exists "$tmpl" || [ "$(cat "$stamp" 2>/dev/null)" != "$(addon_hash)@$base" ]; then
  say "building $tmpl: $base + $ADDON + account_credit_control (about a minute, once)"
  copy_db "$base" "$tmpl"
  log="$RUN_DIR/logs/$tmpl-install.log"
  odoo -d "$tmpl" -i "$ADDON,account_credit_control" --without-demo=all --stop-after-init \
    --log-level=warn >"$log" 2>&1 || { tail -60 "$log" >&2; drop_db "$tmpl"; exit 1; }
  check_log "$log" || { drop_db "$tmpl"; exit 1; }
  echo "$(addon_hash)@$base" >"$stamp"
fi
say "fresh benchmark database $BENCH_DB"
copy_db "$tmpl" "$BENCH_DB"
mkdir -p "$ROOT/bench-results"
TZ=UTC "$PY" "$ROOT/tools/bench_dunning.py" -c "$CONF" -d "$BENCH_DB" "$@" \
  2>"$RUN_DIR/logs/$BENCH_DB.log" | tee "$ROOT/bench-results/bench-$(date -u +%Y%m%dT%H%M%S).txt"
