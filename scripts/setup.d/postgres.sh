#!/usr/bin/env bash
# PostgreSQL server binaries for the tests: the test harness (@lightspeed/testkit startPostgres)
# runs its own throwaway cluster in a temp dir, so Debian's default cluster service is not needed.
set -euo pipefail

have_server() {
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1
}

if ! have_server; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # postgresql-common would create and start a default cluster; nothing here needs it.
  mkdir -p /etc/postgresql-common
  if [ ! -e /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  fi
  apt-get install -y --no-install-recommends postgresql
fi

# PostgreSQL refuses to run as root; tests running as root start it as this unprivileged account.
if [ "$(id -u)" = 0 ] && ! id -u lightspeed-test >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin lightspeed-test
fi

# A cluster service started by the package is not used; stop it so it holds no port or memory.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | grep -q online; then
  (command -v service >/dev/null 2>&1 && service postgresql stop) || true
fi
exit 0
