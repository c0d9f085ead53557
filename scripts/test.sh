#!/usr/bin/env bash
# Install everything the tests need (Debian Chromium included, never a downloaded browser) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  # nginx: the reverse-proxy test; postgresql-15: the PostgreSQL store's tests start a throwaway cluster of their own
  # with its initdb and pg_ctl (tests/pg_cluster.py), never the system service
  $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium nginx postgresql-15
fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error  # fal's JavaScript client, for the snippet test
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_OFFLINE=1 NO_PROXY=127.0.0.1,localhost
.venv/bin/mypy  # the core --strict; the Gradio edge and app.py: every body checked (pyproject.toml)
.venv/bin/ruff check .  # bugbear and unused arguments beside pyflakes and import order (pyproject.toml)
# Most tests in parallel (3 workers: much of their time is waiting on servers); then, alone, the browser tests and
# the answers timed under load, which other workers would disturb. Exit 5 means a part selected no test.
part() { .venv/bin/python -m pytest -q "$@" || [ $? -eq 5 ]; }
part -n 3 --dist loadfile -m "not serial" "$@"
part -m serial "$@"
