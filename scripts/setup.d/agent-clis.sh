#!/usr/bin/env bash
# Provides the real coding-agent CLIs the `delegate` tool drives (docs/0026-delegation.md): the npm
# packages @anthropic-ai/claude-code and @openai/codex with their linux native binaries, installed
# from the npm registry into ${LIGHTSPEED_CACHE:-$HOME/.cache/lightspeed}/agent-clis/<name>-<version>.
# Not devDependencies: together they are ~800 MB of native binaries, and claude-code's postinstall
# (blocked by this repo's install-scripts policy) only copies the binary we call directly anyway.
# Idempotent: instant when both binaries answer --version.
set -euo pipefail

# Keep in sync with AGENT_CLI_VERSIONS in packages/tools/src/delegate/agent-cli-binaries.ts.
CLAUDE_CODE_VERSION="2.1.332"
CODEX_VERSION="0.171.0"

cache="${LIGHTSPEED_CACHE:-$(echo ~)/.cache/lightspeed}/agent-clis"
log() { echo "agent-clis.sh: $*" >&2; }

case "$(uname -m)" in
  x86_64) claude_pkg="claude-code-linux-x64"; codex_triple="x86_64-unknown-linux-musl"; codex_pkg="codex-linux-x64" ;;
  aarch64 | arm64) claude_pkg="claude-code-linux-arm64"; codex_triple="aarch64-unknown-linux-musl"; codex_pkg="codex-linux-arm64" ;;
  *) log "no agent CLI binaries for $(uname -m); the delegate tool's tests will say so"; exit 0 ;;
esac

install_one() { # dir, binary path inside it, npm package spec
  local dir="$1" bin="$2" spec="$3"
  if [ -x "$dir/$bin" ] && "$dir/$bin" --version >/dev/null 2>&1; then
    log "ready: $dir/$bin ($("$dir/$bin" --version | head -n1))"
    return 0
  fi
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  if [ ! -x "$dir/$bin" ]; then
    log "installing $spec into $dir"
    [ -f "$dir/package.json" ] || echo '{"name":"lightspeed-agent-cli-cache","private":true}' >"$dir/package.json"
    # --ignore-scripts: the platform binary arrives as an optional dependency; no install step runs.
    npm install --prefix "$dir" --no-audit --no-fund --no-save --ignore-scripts --loglevel=error "$spec" >&2
  fi
  "$dir/$bin" --version >/dev/null || { log "ERROR: $dir/$bin does not run"; exit 1; }
  log "installed: $dir/$bin ($("$dir/$bin" --version | head -n1))"
  exec 9>&-
}

install_one "$cache/claude-code-$CLAUDE_CODE_VERSION" "node_modules/@anthropic-ai/$claude_pkg/claude" "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
install_one "$cache/codex-$CODEX_VERSION" "node_modules/@openai/$codex_pkg/vendor/$codex_triple/bin/codex" "@openai/codex@$CODEX_VERSION"
