#!/usr/bin/env bash
# The whole test suite: lint, unit, transcript, storage on SQLite and PostgreSQL,
# integration on a real Synapse. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  echo "==> installing PostgreSQL 15 (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
  else
    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15
  fi
fi
if ! fc-list :lang=ko 2>/dev/null | grep -qi nanum; then
  echo "==> installing a font with Hangul for the collaboration map (Debian fonts-nanum)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-nanum fontconfig
  else
    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-nanum fontconfig
  fi
fi
echo "==> making sure Synapse is installed in its own venv"
.venv/bin/python -c 'from pathlib import Path; from bot.devserver import default_synapse_venv, ensure_synapse_venv; print(ensure_synapse_venv(default_synapse_venv(Path.cwd())))'
echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
