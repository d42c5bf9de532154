#!/usr/bin/env bash
# Provides a real Temporal server for tests and benchmarks: builds the official Temporal CLI, whose
# `temporal server start-dev` is Temporal's dev server, from the Go module proxy, and caches the
# binary at ${LIGHTSPEED_CACHE:-$HOME/.cache/lightspeed}/temporal/<version>/temporal.
# Idempotent: instant when the cached binary exists. Installs a Go toolchain (from the Go module
# proxy) only when no Go >= the CLI's minimum is on PATH. See docs/0004-temporal-restate-servers.md.
set -euo pipefail

# Keep in sync with TEMPORAL_CLI_VERSION in packages/testkit/src/temporal.ts.
# v1.5.1 is the newest CLI whose module builds from the proxy alone: from v1.6.0 on, its go.mod
# replaces github.com/temporalio/cli/cliext with ./cliext, a nested module the proxy zip omits.
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEMPORAL_CLI_MODULE="github.com/temporalio/cli"
GO_MIN_VERSION="1.25.0"      # the CLI's go.mod `go` line
GO_FALLBACK_VERSION="1.26.8" # fetched when the installed Go is missing or older

# `~` falls back to the passwd entry when HOME is unset, as Node's os.homedir() does.
cache="${LIGHTSPEED_CACHE:-$(echo ~)/.cache/lightspeed}"
dest_dir="$cache/temporal/$TEMPORAL_CLI_VERSION"
dest="$dest_dir/temporal"

log() { echo "temporal.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ -x "$dest" ] && "$dest" --version >/dev/null 2>&1; then
  log "ready: $dest ($("$dest" --version | head -n1))"
  exit 0
fi

mkdir -p "$dest_dir"
# One build at a time (parallel test setups on one machine share the cache).
exec 9>"$dest_dir/.lock"
flock 9
if [ -x "$dest" ] && "$dest" --version >/dev/null 2>&1; then
  log "ready: $dest (built by a concurrent run)"
  exit 0
fi

apt_install() {
  command -v apt-get >/dev/null || die "need $* but apt-get is unavailable; install them and rerun"
  log "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

version_at_least() { # $1 >= $2 (dotted versions)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

go_bin=""
if command -v go >/dev/null; then
  have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  if [ -n "$have" ] && version_at_least "$have" "$GO_MIN_VERSION"; then
    go_bin="$(command -v go)"
    log "using installed Go $have"
  else
    log "installed Go ${have:-?} is older than $GO_MIN_VERSION"
  fi
fi

if [ -z "$go_bin" ]; then
  case "$(uname -m)" in
    x86_64) go_arch=amd64 ;;
    aarch64 | arm64) go_arch=arm64 ;;
    *) die "unsupported machine $(uname -m)" ;;
  esac
  go_root="$cache/go/go$GO_FALLBACK_VERSION"
  if [ ! -x "$go_root/bin/go" ]; then
    command -v curl >/dev/null || apt_install curl ca-certificates
    command -v unzip >/dev/null || apt_install unzip
    # The Go toolchain is itself published on the module proxy as golang.org/toolchain.
    proxy="$(printf '%s' "${GOPROXY:-https://proxy.golang.org}" | cut -d, -f1 | cut -d'|' -f1)"
    case "$proxy" in direct | off | "") proxy="https://proxy.golang.org" ;; esac
    zip_name="v0.0.1-go$GO_FALLBACK_VERSION.linux-$go_arch.zip"
    tmp_zip="$(mktemp)"
    log "downloading Go $GO_FALLBACK_VERSION from $proxy"
    curl -fsSL --retry 3 -o "$tmp_zip" "$proxy/golang.org/toolchain/@v/$zip_name" || die "could not download the Go toolchain"
    tmp_root="$(mktemp -d)"
    unzip -q "$tmp_zip" -d "$tmp_root"
    rm -f "$tmp_zip"
    mkdir -p "$(dirname "$go_root")"
    rm -rf "$go_root"
    mv "$tmp_root/golang.org/toolchain@v0.0.1-go$GO_FALLBACK_VERSION.linux-$go_arch" "$go_root"
    rm -rf "$tmp_root"
  fi
  go_bin="$go_root/bin/go"
  "$go_bin" version >/dev/null || die "the downloaded Go toolchain does not run"
fi

# Module and build caches live in a scratch dir removed afterwards: they are gigabytes, and the
# cached binary is all the tests need.
work="$(mktemp -d)"
heartbeat=""
cleanup() {
  [ -z "$heartbeat" ] || kill "$heartbeat" 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log "building $TEMPORAL_CLI_MODULE/cmd/temporal@$TEMPORAL_CLI_VERSION (several minutes on 2 cores)"
started=$(date +%s)
(while sleep 60; do log "still building ($(($(date +%s) - started))s)"; done) &
heartbeat=$!
env GOTOOLCHAIN=local GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod" GOCACHE="$work/gocache" \
  GOBIN="$work/bin" GOFLAGS="-modcacherw -buildvcs=false -trimpath" CGO_ENABLED=0 \
  "$go_bin" install -ldflags="-s -w -X $TEMPORAL_CLI_MODULE/temporalcli.Version=${TEMPORAL_CLI_VERSION#v}" \
  "$TEMPORAL_CLI_MODULE/cmd/temporal@$TEMPORAL_CLI_VERSION" 2>&1 \
  | grep -v '^go: downloading' >&2 || true
[ -x "$work/bin/temporal" ] || die "go install of the Temporal CLI failed (see above)"
"$work/bin/temporal" --version >/dev/null || die "the built Temporal CLI does not run"

mv "$work/bin/temporal" "$dest.tmp"
mv "$dest.tmp" "$dest"
log "built in $(($(date +%s) - started))s: $dest ($("$dest" --version | head -n1))"
