#!/usr/bin/env bash
# make bench [BENCH_ARGS="--invoices 100000 --clients 20000"]: dunning benchmark.
# A dedicated database rsb_bench = the test template + the addon + OCA account_credit_control
# (the installed state is cached in rsb_bench_tmpl while the addon does not change), seeded
# with N overdue invoices; times our level assignment, preview and execution, then OCA's
# credit line generation on the same data. Arguments go to tools/bench_dunning.py (--help).
#   --shop         on the shop install profile (tools/lib.sh SHOP_MODULES: a chart of accounts
#                  with a sales tax on fees and time, sale_timesheet, account_credit_control),
#                  database rsb_bench_shop; the run is executed with 1 and then 2 workers
#                  (each on a fresh copy with the same seed) and the targets of issue 20.6 are
#                  checked from the figures (tools/bench_targets.py)
#   --workers N[,M...]  the worker counts to measure (default 1; 1,2 with --shop)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
profile=bare workers="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shop) profile=shop ;;
    --workers) workers=$2; shift ;;
    --workers=*) workers=${1#--workers=} ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ "$profile" = shop ]; then
  BENCH_DB=${BENCH_DB:-rsb_bench_shop}
  workers=${workers:-1,2}
  base=$(ensure_base_db all shop)
  modules=$ADDON # account_credit_control is in the shop template
  args+=(--shop)
else
  BENCH_DB=${BENCH_DB:-rsb_bench}
  workers=${workers:-1}
  base=$(ensure_base_db all)
  modules="$ADDON,account_credit_control"
fi
tmpl="${BENCH_DB}_tmpl"
stamp="$RUN_DIR/$tmpl.addon-hash"
if ! db_exists "$tmpl" || [ "$(cat "$stamp" 2>/dev/null)" != "$(addon_hash)@$base" ]; then
  say "building $tmpl: $base + $modules (about a minute, once)"
  copy_db "$base" "$tmpl"
  log="$RUN_DIR/logs/$tmpl-install.log"
  odoo -d "$tmpl" -i "$modules" --without-demo=all --stop-after-init \
    --log-level=warn >"$log" 2>&1 || { tail -60 "$log" >&2; drop_db "$tmpl"; exit 1; }
  check_log "$log" || { drop_db "$tmpl"; exit 1; }
  echo "$(addon_hash)@$base" >"$stamp"
fi
mkdir -p "$ROOT/bench-results"
stamp_now=$(date -u +%Y%m%dT%H%M%S)
out="$ROOT/bench-results/bench-$profile-$stamp_now.txt"
figures=()
first=1
IFS=, read -r -a counts <<<"$workers"
for n in "${counts[@]}"; do
  say "fresh benchmark database $BENCH_DB ($profile profile, $n worker(s))"
  copy_db "$tmpl" "$BENCH_DB"
  extra=()
  # OCA and the settle-up do not depend on the workers: measured once, with the first count
  if [ $first = 0 ]; then extra=(--skip-oca --settle 0); fi
  json="$RUN_DIR/bench-$profile-$stamp_now-$n.json"
  TZ=UTC "$PY" "$ROOT/tools/bench_dunning.py" -c "$CONF" -d "$BENCH_DB" --workers "$n" \
    --figures "$json" "${args[@]}" "${extra[@]}" \
    2>>"$RUN_DIR/logs/$BENCH_DB.log" | tee -a "$out"
  figures+=("$json")
  first=0
done
if [ "$profile" = shop ] || [ ${#counts[@]} -gt 1 ]; then
  "$PY" "$ROOT/tools/bench_targets.py" "${figures[@]}" | tee -a "$out"
fi
say "figures in $out"
