#!/usr/bin/env bash
# make test-shop: the "shop" install profile (tools/lib.sh SHOP_MODULES: the generic chart of
# accounts with a 10% sales tax on services, l10n_us, sale_timesheet, OCA account_credit_control
# beside the addon). A fresh database, a copy of the shop template (built once, like the bare one)
# + the addon, then the addon's money, settle-up, dunning and portal tests plus
# tests/test_shop_profile.py (what differs from the bare profile). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SHOP_DB=${SHOP_DB:-${TEST_DB:-rsb_test}_shop}
# The subset run on the shop profile (about 4 minutes on this 2-core machine).
SHOP_TESTS=${SHOP_TESTS:-test_shop_profile test_settle_up test_settle_up_batch test_deposit test_deposit_tax
  test_writeoff_tax test_owed test_dunning_run test_dunning_fee_reminders test_dunning_email
  test_deposit_portal test_dunning_portal test_portal_account test_install}

base=$(ensure_base_db all shop)
say "fresh shop-profile database $SHOP_DB (template $base)"
copy_db "$base" "$SHOP_DB"
log="$RUN_DIR/logs/$SHOP_DB-install.log"
odoo -d "$SHOP_DB" -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 \
  || { tail -60 "$log" >&2; exit 1; }
check_log "$log"

files=()
for name in $SHOP_TESTS; do files+=("$ADDON/tests/$name.py"); done
say "running ${#files[@]} test files on the shop profile"
export RSB_BASE_DB="$base" RSB_PROFILE=shop
start=$SECONDS
set +e
"$PY" -m pytest "${files[@]}" -p no:cacheprovider \
  --odoo-config="$CONF" --odoo-database="$SHOP_DB" --odoo-http --odoo-log-level=warn "$@"
rc=$?
set -e
say "shop profile: $((SECONDS - start)) s of tests (exit $rc)"
exit $rc
