#!/usr/bin/env bash
# tmux drives `lightspeed chat` interactively in the CLI's terminal test (packages/cli/test).
set -euo pipefail
if ! command -v tmux >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends tmux
fi
exit 0
