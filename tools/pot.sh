#!/usr/bin/env bash
# make pot: export the addon's translation template i18n/remote_support_billing.pot from a real
# install (a fresh database: the dependency template + the addon, no demo data), then merge it
# into every i18n/<lang>.po (msgmerge: new strings empty, changed ones fuzzy, removed ones gone).
# Re-run it whenever strings change; the suite's test_pot_is_current fails while it is stale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v msgmerge >/dev/null || { echo "msgmerge missing: make setup installs gettext" >&2; exit 1; }

db="${TEST_DB:-rsb_test}_pot" # created and dropped here only
trap 'drop_db "$db"' EXIT
base=$(ensure_base_db all)
say "installing $ADDON into a fresh database $db"
copy_db "$base" "$db"
log="$RUN_DIR/logs/$db.log"
odoo -d "$db" -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 \
  || { tail -60 "$log" >&2; exit 1; }
check_log "$log"

i18n="$ROOT/$ADDON/i18n"
pot="$i18n/$ADDON.pot"
mkdir -p "$i18n"
say "exporting $pot"
odoo -d "$db" --i18n-export="$pot" --modules="$ADDON" --stop-after-init --log-level=warn >>"$log" 2>&1 \
  || { tail -60 "$log" >&2; exit 1; }
check_log "$log"
# no creation dates (as in OCA's .pot files): re-running without changes leaves no diff
sed -i -e '/^"POT-Creation-Date: /d' -e '/^"PO-Revision-Date: /d' "$pot"
for po in "$i18n"/*.po; do
  [ -e "$po" ] || continue
  say "merging into $(basename "$po")"
  msgmerge --quiet --update --backup=none --no-wrap --sort-output "$po" "$pot"
  msgattrib --no-obsolete --no-wrap --sort-output --output-file="$po" "$po"
  sed -i -e '/^"POT-Creation-Date: /d' "$po"
done
