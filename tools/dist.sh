#!/usr/bin/env bash
# make dist: build the addon as a standard Odoo addon wheel (odoo-addon-remote_support_billing),
# the way OCA does: whool (fetched from PyPI by pip's isolated build) reads the manifest, and
# `depends` / `external_dependencies` become the wheel's requirements. Prints the wheel's path.
#   usage: tools/dist.sh [OUT_DIR]   (default dist/)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
out=${1:-$ROOT/dist}
mkdir -p "$out"
rm -f "$out"/odoo_addon_"$ADDON"-*.whl
# whool packages the files git tracks: commit new files before building.
"$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$out" "./$ADDON" >&2
wheel=$(ls "$out"/odoo_addon_"$ADDON"-*.whl)
say "built $wheel"
echo "$wheel"
