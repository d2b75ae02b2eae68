#!/usr/bin/env bash
# The whole test suite: lint, unit, transcript, storage on SQLite and PostgreSQL,
# integration on a real Synapse, then the unit suite at three fixed dates
# (scripts/unit_at_dates.sh). Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Debian packages the tests use: PostgreSQL 15 (storage tests, standby), a Hangul font
# (collaboration-map PNG) and Chromium (the map page in a headless browser).
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql-15)
fc-list :lang=ko 2>/dev/null | grep -qi nanum || missing+=(fonts-nanum fontconfig)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
echo "==> making sure Synapse is installed in its own venv"
.venv/bin/python -c 'from pathlib import Path; from bot.dev.synapse import default_synapse_venv, ensure_synapse_venv; print(ensure_synapse_venv(default_synapse_venv(Path.cwd())))'
echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
# The default run (no arguments) also proves no test reads the wall clock: the unit suite
# again at three fixed dates far apart (New Year's Eve, Seollal, a leap day), side by side.
if [ $# -eq 0 ]; then
  bash scripts/unit_at_dates.sh
fi
