#!/usr/bin/env bash
# Set up a virtualenv with everything the tests need, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt -e .
# System tools some tests drive for real (LibreOffice for the Excel round trip), when apt is usable.
if ! command -v soffice >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null) \
    || echo "warning: could not install LibreOffice" >&2
fi
exec .venv/bin/python -m pytest "$@"
