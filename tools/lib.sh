# Shared helpers of tools/*.sh (sourced, not run). tools/setup.sh has run before.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
RUN_DIR=${RUN_DIR:-$ROOT/.run}
PY="$VENV/bin/python"
CONF="$RUN_DIR/odoo.conf"
ADDON=remote_support_billing
# Modules the tests and the demo need beside the addon's own dependencies:
# payment_demo is the payment provider that pays deposits without a real card.
EXTRA_MODULES=${EXTRA_MODULES:-payment_demo,queue_job}
# The "shop" install profile (make test-shop, make bench --shop): what a real shop runs beside the
# addon. The generic chart of accounts (Odoo's chart for a US company; l10n_us adds the US bank
# fields) with a 10% sales tax as the company's default sale tax, sale_timesheet (time also billable
# through sale orders) and OCA account_credit_control (a second dunning module).
SHOP_MODULES=${SHOP_MODULES:-$EXTRA_MODULES,l10n_us,sale_timesheet,account_credit_control}
# Run in the shop template after its modules are installed (odoo shell): the sales tax on time.
SHOP_SETUP=tools/shop_profile.py
mkdir -p "$RUN_DIR/logs"

say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }
odoo() { TZ=UTC "$PY" -m odoo -c "$CONF" "$@"; }
db_exists() { [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }
filestore() { echo "$RUN_DIR/data/filestore/$1"; }
drop_db() {
  if db_exists "$1"; then dropdb --force "$1"; fi
  rm -rf "$(filestore "$1")"
}
copy_db() { # template new: a database copy with its filestore, as Odoo's "duplicate" does
  drop_db "$2"
  createdb -T "$1" "$2"
  if [ -d "$(filestore "$1")" ]; then mkdir -p "$(dirname "$(filestore "$2")")"; cp -a "$(filestore "$1")" "$(filestore "$2")"; fi
}
addon_depends() { # the addon's manifest dependencies, comma-separated
  "$PY" -c 'import ast,sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
    "$ROOT/$ADDON/__manifest__.py"
}
addon_hash() { # changes whenever a file of the addon changes
  (cd "$ROOT" && find "$ADDON" -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12
}
base_db_name() { # [profile]: a template database with the dependencies installed, named after what it holds
  local key
  # keyed on content only (not on the checkout's path): clones with the same dependencies share it
  if [ "${1:-}" = shop ]; then
    key=$( { addon_depends; echo "$SHOP_MODULES"; sha256sum <"$ROOT/$SHOP_SETUP"; sha256sum <"$ROOT/requirements.txt"; "$PY" -c 'import odoo.release as r; print(r.version)'; } | sha256sum | cut -c1-10)
    echo "rsb_shop_$key"
  else
    key=$( { addon_depends; echo "$EXTRA_MODULES"; sha256sum <"$ROOT/requirements.txt"; "$PY" -c 'import odoo.release as r; print(r.version)'; } | sha256sum | cut -c1-10)
    echo "rsb_base_$key"
  fi
}
check_log() { # fail on errors in an Odoo log
  if grep -E ' (ERROR|CRITICAL) ' "$1" >/dev/null; then
    grep -E -A15 ' (ERROR|CRITICAL) ' "$1" | head -60 >&2
    echo "Errors in $1" >&2
    return 1
  fi
}
ensure_base_db() { # [without_demo [profile]]: build the dependency template once; reuse it while nothing it holds changed
  local base modules list
  base=$(base_db_name "${2:-}")
  modules=$EXTRA_MODULES list="$RUN_DIR/templates"
  if [ "${2:-}" = shop ]; then modules=$SHOP_MODULES list="$RUN_DIR/templates.shop"; fi
  if ! db_exists "$base" || [ "$(psql -d "$base" -tAc "SELECT count(*) FROM ir_module_module WHERE name='base' AND state='installed'" 2>/dev/null)" != 1 ]; then
    say "building template database $base ($(addon_depends),$modules): a minute or two, once"
    drop_db "$base"
    odoo -d "$base" -i "$(addon_depends),$modules" --without-demo="${1:-all}" \
      --stop-after-init --log-level=warn >"$RUN_DIR/logs/$base.log" 2>&1 \
      || { tail -40 "$RUN_DIR/logs/$base.log" >&2; drop_db "$base"; return 1; }
    if [ "${2:-}" = shop ]; then
      TZ=UTC "$PY" -m odoo shell -c "$CONF" -d "$base" --no-http --log-level=warn <"$ROOT/$SHOP_SETUP" >>"$RUN_DIR/logs/$base.log" 2>&1 \
        || { tail -40 "$RUN_DIR/logs/$base.log" >&2; drop_db "$base"; return 1; }
    fi
    check_log "$RUN_DIR/logs/$base.log" || { drop_db "$base"; return 1; }
    # Templates this clone built for dependencies that changed since are not used any more;
    # templates other clones built are theirs to drop (they may still use them).
    touch "$list"
    for stale in $(grep -vx "$base" "$list" || true); do
      say "dropping stale template $stale (built by this clone)"
      drop_db "$stale"
    done
    echo "$base" >"$list"
  fi
  echo "$base"
}
conf_with_addons() { # out_conf first_path: the Odoo configuration with first_path in place of the checkout
  "$PY" - "$CONF" "$ROOT" "$1" "$2" <<'PY'
import configparser, os, sys
conf, root, out, first = sys.argv[1:]
parser = configparser.ConfigParser()
parser.read(conf)
paths = [p.strip() for p in parser["options"]["addons_path"].split(",") if p.strip()]
keep = [p for p in paths if os.path.realpath(p) != os.path.realpath(root)]
parser["options"]["addons_path"] = ",".join([first, *keep])
with open(out, "w") as f:
    parser.write(f)
PY
}
