#!/usr/bin/env bash
# make readme: remote_support_billing/README.rst and static/description/index.html generated from
# remote_support_billing/readme/*.md the OCA way (tools/gen_addon_readme.py, OCA's format).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# pandoc converts the Markdown fragments; pypandoc-binary ships it inside its wheel
"$PY" -c 'import pypandoc' 2>/dev/null || "$VENV/bin/pip" install -q --disable-pip-version-check pypandoc-binary==1.17
website=$("$PY" -c 'import ast, sys; print(ast.literal_eval(open(sys.argv[1]).read())["website"])' "$ADDON/__manifest__.py")
org=$(basename "$(dirname "$website")")
repo=$(basename "$website")
"$PY" tools/gen_addon_readme.py --org-name "$org" --repo-name "$repo" --branch 18.0 --addon-dir "$ADDON"
