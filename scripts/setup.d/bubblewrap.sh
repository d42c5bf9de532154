#!/usr/bin/env bash
# bubblewrap isolates environment commands (packages/environments): the isolation tests need bwrap.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends bubblewrap
fi
exit 0
