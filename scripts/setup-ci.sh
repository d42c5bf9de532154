#!/usr/bin/env bash
# Installs the system components the test suite needs (servers the tests start themselves).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for script in "$here"/setup.d/*.sh; do
  [ -e "$script" ] || continue
  echo "setup: $(basename "$script")"
  bash "$script"
done
