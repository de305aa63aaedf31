#!/usr/bin/env bash
# make upgrade-test: an update from the previous release keeps users' data and configuration.
# Installs the addon as of UPGRADE_FROM (a git worktree of that commit) into a fresh database,
# creates data and changes configuration as users do (tools/upgrade_data.py prepare), updates
# to this checkout (-u, running migrations/ if any), and checks what survived (... check).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# The previous release: the commit of main that users run. Move it when a release ships.
UPGRADE_FROM=${UPGRADE_FROM:-bc416d2}

db="${TEST_DB:-rsb_test}_upgrade" # created and dropped here only
work=$(mktemp -d "${TMPDIR:-/tmp}/rsb-upgrade.XXXXXX")
previous="$work/previous"
cleanup() {
  drop_db "$db"
  git -C "$ROOT" worktree remove --force "$previous" >/dev/null 2>&1 || true
  git -C "$ROOT" worktree prune
  rm -rf "$work"
}
trap cleanup EXIT

if ! git -C "$ROOT" rev-parse --verify --quiet "$UPGRADE_FROM^{commit}" >/dev/null; then
  echo "commit $UPGRADE_FROM is not in this clone's history (a shallow clone? git fetch --unshallow)" >&2
  exit 1
fi
say "previous release $UPGRADE_FROM ($(git -C "$ROOT" log -1 --format=%s "$UPGRADE_FROM" | cut -c1-60))"
git -C "$ROOT" worktree add --quiet --detach "$previous" "$UPGRADE_FROM"
conf_with_addons "$work/previous.conf" "$previous"

base=$(ensure_base_db all)
log="$RUN_DIR/logs/$db.log"
: >"$log"
step() { # what, then the command; its output goes to the log, which must stay free of errors
  say "$1"
  shift
  "$@" >>"$log" 2>&1 || { tail -60 "$log" >&2; exit 1; }
  check_log "$log"
}
copy_db "$base" "$db"
step "installing $ADDON as of $UPGRADE_FROM into a fresh database $db" \
  env TZ=UTC "$PY" -m odoo -c "$work/previous.conf" -d "$db" -i "$ADDON" --without-demo=all \
  --stop-after-init --log-level=warn
step "creating data and changing configuration" \
  env TZ=UTC "$PY" tools/upgrade_data.py prepare "$work/previous.conf" "$db" "$work/state.json"
step "updating to this checkout (-u $ADDON)" \
  env TZ=UTC "$PY" -m odoo -c "$CONF" -d "$db" -u "$ADDON" --stop-after-init --log-level=warn
say "checking what survived"
TZ=UTC "$PY" tools/upgrade_data.py check "$CONF" "$db" "$work/state.json"
