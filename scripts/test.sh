#!/usr/bin/env bash
# Installs the project with its test extra into .venv (created if missing) and runs lint, type checks and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy bot  # incremental: .mypy_cache makes a second run take seconds
.venv/bin/python -m pytest "$@"
