#!/usr/bin/env bash
# make peer-test: the test suites of the Odoo and OCA modules the addon extends, run through
# pytest-odoo on a database without the addon and on the same database with it installed;
# fails when a test that passes without the addon does not pass with it (tools/peer_compare.py).
# Odoo's own --test-tags would run the at_install tests before the addon is loaded, so pytest
# runs them on the finished registry. Extra arguments go to both pytest runs (e.g. -k portal).
# PEER_KEEP_DB=1 keeps the two databases for a look afterwards.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# What runs: <module>/<path in the module>. Whole test folders of the modules the addon
# extends, and the files of account's suite on what the addon overrides (invoices, payments,
# reconciliation, the portal, sending); account's whole suite takes too long for every push.
PEER_TESTS=(
  helpdesk_mgmt/tests
  helpdesk_mgmt_timesheet/tests
  hr_timesheet/tests
  account_payment/tests
  payment/tests
  account/tests/test_account_move_out_invoice.py
  account/tests/test_account_payment.py
  account/tests/test_account_payment_register.py
  account/tests/test_account_move_payments_widget.py
  account/tests/test_account_move_reconcile.py
  account/tests/test_account_move_send.py
  account/tests/test_portal_invoice.py
  account/tests/test_portal_attachment.py
)
# helpdesk_mgmt's Chromium tours hang under pytest-odoo.
PEER_IGNORE=(helpdesk_mgmt/tests/test_js.py)

module_paths() { # <module>/<path> ... -> the same, with the module's directory in front
  "$PY" - "$CONF" "$@" <<'PY'
import sys
import odoo
from odoo.modules.module import get_module_path
odoo.tools.config.parse_config(["-c", sys.argv[1]])
for spec in sys.argv[2:]:
    module, _, rest = spec.partition("/")
    path = get_module_path(module, display_warning=False)
    if not path:
        sys.exit(f"peer-test: module {module} is not in the addons path")
    print(f"{path}/{rest}")
PY
}
mapfile -t tests < <(module_paths "${PEER_TESTS[@]}")
mapfile -t ignored < <(module_paths "${PEER_IGNORE[@]}")
[ ${#tests[@]} = ${#PEER_TESTS[@]} ] && [ ${#ignored[@]} = ${#PEER_IGNORE[@]} ] || exit 1

without="${TEST_DB}_peer_without"
with="${TEST_DB}_peer_with"
out="$RUN_DIR/peer"
mkdir -p "$out"
rm -f "$out"/*.xml
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done # a run still going
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${PEER_KEEP_DB:-}" != 1 ]; then drop_db "$without"; drop_db "$with"; fi
}
trap cleanup EXIT

start_peer_tests() { # db label [pytest args]: in the background, its pid appended to pids;
  # the junit report goes to $out/<label>.xml, the log beside it
  local db=$1 label=$2
  shift 2
  # -c: this checkout's pytest settings, whatever directory the tests are in; --rootdir=/:
  # reports name each test by its full path, so the modules' own names show (two modules
  # have a test_account_payment.py). timeout passes a kill on to pytest.
  timeout "${PEER_TIMEOUT:-1200}" "$PY" -m pytest -c "$ROOT/pyproject.toml" --rootdir=/ \
    -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$db" --odoo-http \
    --odoo-log-level=warn --junitxml="$out/$label.xml" -q -rfE \
    "${ignored[@]/#/--ignore=}" "${tests[@]}" "$@" >"$out/$label.log" 2>&1 &
  pids+=($!)
}
finish_peer_tests() { # label pid
  local rc=0
  wait "$2" || rc=$?
  pids=("${pids[@]/#$2/}")
  # 0: all passed, 1: some tests failed (peer_compare decides); anything else: no valid run
  if [ $rc -gt 1 ]; then
    tail -40 "$out/$1.log" >&2
    say "the run $1 stopped (exit $rc, 124 = timeout): see $out/$1.log"
    return 1
  fi
  say "$1: $(tail -1 "$out/$1.log")"
}

base=$(ensure_base_db all)
say "databases $without (the dependencies) and $with (the same + $ADDON)"
copy_db "$base" "$without"
copy_db "$base" "$with"
# The run without the addon goes on while the addon installs and its run goes (2 cores).
say "peer tests without the addon (${#tests[@]} folders and files), in the background"
start_peer_tests "$without" without "$@"
log="$RUN_DIR/logs/$with-install.log"
say "installing $ADDON in $with"
odoo -d "$with" -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 \
  || { tail -60 "$log" >&2; exit 1; }
check_log "$log"
installed() { psql -d "$1" -tAc "SELECT count(*) FROM ir_module_module WHERE name = '$ADDON' AND state = 'installed'"; }
if [ "$(installed "$with")" != 1 ] || [ "$(installed "$without")" != 0 ]; then
  say "$ADDON should be installed in $with and not in $without"
  exit 1
fi
say "peer tests with the addon"
start_peer_tests "$with" with "$@"
finish_peer_tests without "${pids[0]}"
finish_peer_tests with "${pids[1]}"

"$PY" "$ROOT/tools/peer_compare.py" "$out/without.xml" "$out/with.xml"
