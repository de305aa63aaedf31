#!/usr/bin/env bash
# make wheel-test: the wheel installs and works the way integrators use it. Builds it (make dist),
# installs it into a fresh virtualenv next to Odoo, checks that odoo.addons.remote_support_billing
# is imported from that virtualenv, then installs the module from the wheel's addons path (the
# checkout is not on it) into a fresh database copied from the dependency template.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

db="${TEST_DB:-rsb_test}_wheel" # created and dropped here only
work=$(mktemp -d "${TMPDIR:-/tmp}/rsb-wheel.XXXXXX")
cleanup() {
  drop_db "$db"
  rm -rf "$work"
}
trap cleanup EXIT

wheel=$(bash tools/dist.sh "$work/dist" | tail -1)

say "fresh virtualenv next to Odoo: $work/venv"
"$PY" -m venv --system-site-packages "$work/venv"
vpy="$work/venv/bin/python"
# Next to Odoo: the new venv also sees the project's venv (Odoo, the OCA dependencies), after
# its own site-packages, as the venv of an integrator's Odoo server would.
purelib=$("$vpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$PY" -c 'import site; print("\n".join(f"import site; site.addsitedir({p!r})" for p in site.getsitepackages()))' \
  >"$purelib/rsb-project-venv.pth"
# --no-index: every requirement of the wheel (Odoo 18.0, the OCA addons it depends on) must be
# satisfied by what is installed already; nothing is fetched.
"$vpy" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"

# The project's Odoo configuration, with the checkout replaced by the wheel's addons path.
conf_with_addons "$work/odoo.conf" "$purelib/odoo/addons"

# With that configuration, odoo.addons.remote_support_billing resolves to the wheel (not to the
# checkout), both for Python's import and for Odoo's module loader.
read -r location found < <("$vpy" - "$work/odoo.conf" "$ADDON" <<'PY'
import importlib, os, sys
from odoo.modules.module import get_module_path, initialize_sys_path
from odoo.tools import config
config.parse_config(["-c", sys.argv[1], "--log-level=warn"])
initialize_sys_path()
module = importlib.import_module(f"odoo.addons.{sys.argv[2]}")
print(os.path.dirname(module.__file__), get_module_path(sys.argv[2]))
PY
)
for where in "$location" "$found"; do
  if [[ "$where" != "$purelib/odoo/addons/$ADDON" ]]; then
    echo "odoo.addons.$ADDON resolves to $where, not to the wheel in $purelib" >&2
    exit 1
  fi
done
say "odoo.addons.$ADDON resolves to the wheel: $location"

base=$(ensure_base_db all)
say "installing $ADDON from the wheel into a fresh database $db"
copy_db "$base" "$db"
log="$RUN_DIR/logs/$db-install.log"
TZ=UTC "$vpy" -m odoo -c "$work/odoo.conf" -d "$db" -i "$ADDON" --without-demo=all \
  --stop-after-init --log-level=warn >"$log" 2>&1 || { tail -60 "$log" >&2; exit 1; }
check_log "$log"
state=$(psql -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name = '$ADDON'")
[ "$state" = installed ] || { echo "$ADDON is '$state' after the install" >&2; exit 1; }
say "wheel test passed: $(basename "$wheel") installed into a fresh virtualenv and database"
