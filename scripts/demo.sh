#!/usr/bin/env bash
# Set up a virtualenv and run `gleaner demo` on the bundled sample site (no network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt -e .
exec .venv/bin/gleaner demo "$@"
