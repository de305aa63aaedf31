#!/usr/bin/env bash
# make test: a fresh test database (a copy of the dependency template + the addon, no demo
# data), then the whole suite through pytest-odoo. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# PDFs: Odoo prints the company's header/footer and splits several records only with patched Qt
grep -q "with patched qt" <<<"$(wkhtmltopdf --version 2>/dev/null || true)" \
  || say "WARNING: $(wkhtmltopdf --version 2>/dev/null || echo 'wkhtmltopdf missing'), not the patched-Qt build: PDFs have no company header/footer (README: PDF documents)"
base=$(ensure_base_db all)
say "fresh test database $TEST_DB"
copy_db "$base" "$TEST_DB"
log="$RUN_DIR/logs/$TEST_DB-install.log"
odoo -d "$TEST_DB" -i "$ADDON" --without-demo=all --stop-after-init --log-level=warn >"$log" 2>&1 \
  || { tail -60 "$log" >&2; exit 1; }
check_log "$log"

say "running the suite"
export RSB_BASE_DB="$base"
set +e
"$PY" -m pytest "$ADDON" -p no:cacheprovider \
  --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http --odoo-log-level=warn "$@"
rc=$?
set -e
exit $rc
