#!/usr/bin/env bash
# make demo: create (or update) the demo database with the addon and its demo story only, then
# serve Odoo on http://localhost:$PORT until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
DEMO_DB=${DEMO_DB:-rsb_demo}
PORT=${PORT:-8069}
# Links in emails and PDFs (portal, payment, unsubscribe) point at the server this demo runs.
BASE_URL=${BASE_URL:-http://localhost:$PORT}
stamp="$RUN_DIR/$DEMO_DB.addon-hash"
# PDFs: Odoo prints the company's header/footer and splits several records only with patched Qt
grep -q "with patched qt" <<<"$(wkhtmltopdf --version 2>/dev/null || true)" \
  || say "WARNING: $(wkhtmltopdf --version 2>/dev/null || echo 'wkhtmltopdf missing'), not the patched-Qt build: PDFs have no company header/footer (README: PDF documents)"
log="$RUN_DIR/logs/$DEMO_DB.log"

set_base_url() { # web.base.url = the served address, frozen so a first login does not rewrite it
  "$PY" - "$CONF" "$DEMO_DB" "$BASE_URL" <<'PY'
import sys
import odoo
from odoo.tools import config
conf, db, url = sys.argv[1:4]
config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
with odoo.modules.registry.Registry(db).cursor() as cr:
    params = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["ir.config_parameter"]
    params.set_param("web.base.url", url)
    params.set_param("web.base.url.freeze", "True")
PY
}

if ! db_exists "$DEMO_DB"; then
  say "creating demo database $DEMO_DB with the demo story (a few minutes, once)"
  # A copy of the dependency template (built without Odoo's generic demo data: no Deco Addict,
  # no sample teams), the addon, then the addon's own story (tools/demo_story.py).
  base=$(ensure_base_db all)
  copy_db "$base" "$DEMO_DB"
  { odoo -d "$DEMO_DB" -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn \
    && set_base_url && TZ=UTC "$PY" tools/demo_story.py "$CONF" "$DEMO_DB"; } >"$log" 2>&1 \
    || { tail -60 "$log" >&2; drop_db "$DEMO_DB"; exit 1; }
  check_log "$log" || { drop_db "$DEMO_DB"; exit 1; }
  addon_hash >"$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$(addon_hash)" ]; then
  say "updating the addon in $DEMO_DB"
  odoo -d "$DEMO_DB" -u "$ADDON" --stop-after-init --log-level=warn >"$log" 2>&1 \
    || { tail -60 "$log" >&2; exit 1; }
  check_log "$log"
  addon_hash >"$stamp"
fi

# every start: the port may differ from the last run's
set_base_url >>"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }

cat <<MSG

  Remote Support Billing demo: $BASE_URL  (database $DEMO_DB; links in its emails and PDFs too)
  Logins (password = login):
    admin       administrator: everything
    tech        Tina, technician (also sam, priya): tickets, timesheets, deposit requests
    manager     Marco, helpdesk manager: billing policy, deposit waivers
    accountant  Alice, accountant: Invoicing, dunning, payment plans, reports
    dana        Dana of Greenleaf Dental, portal client (new client: must prepay)
  Stop with Ctrl-C.

MSG
exec env TZ=UTC "$PY" -m odoo -c "$CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" \
  --http-port="$PORT" --log-level=info
