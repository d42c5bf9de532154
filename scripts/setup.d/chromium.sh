#!/usr/bin/env bash
# Debian's chromium runs the web console's browser tests (packages/console/test, playwright-core):
# `npx playwright install` downloads its own browser build, which cannot be fetched here.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi
exit 0
