#!/usr/bin/env bash
# Run Sotong for real. With no .env, first start a local Synapse with demo officials.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ ! -f .env ] || grep -q '^SOTONG_DEV=1' .env; then
  echo "==> dev mode: local Synapse on 127.0.0.1 (first time: installs it into .venv-synapse)"
  .venv/bin/sotong dev
  echo "==> provisioning the demo plan (plans/gov3.toml): spaces and a room per core task"
  .venv/bin/sotong provision plans/gov3.toml
  cat <<'TXT'

==> Sotong is starting. In another terminal, talk to it as a demo official:
      .venv/bin/sotong say --as lee '#demo:localhost' '!도움말'
      .venv/bin/sotong say --as kim '#demo:localhost' '!상태'
      .venv/bin/sotong say --as kim '#gov3-core-03:localhost' '!과제'
    Or point Element at the homeserver printed above (user kim, password sotong-demo).
    Stop with Ctrl-C; `.venv/bin/sotong dev --stop` stops the local Synapse.

TXT
fi
exec .venv/bin/sotong run
