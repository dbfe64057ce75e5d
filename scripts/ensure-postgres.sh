#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed, so that the tests can
# start a throwaway server of their own (tests/daily/pgserver.py); CI runs this before the tests.
# Found on PATH or under /usr/lib/postgresql/<version>/bin: nothing to do. Else Debian's `postgresql`
# package is installed with apt-get, non-interactively (as root, or through `sudo -n`), without creating or
# starting the package's own cluster: the tests need only the binaries.
set -euo pipefail

have_binaries() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

if have_binaries; then
  echo "PostgreSQL server binaries found"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "error: PostgreSQL is not installed and this user cannot install it; run: apt-get install -y postgresql" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: PostgreSQL is not installed and there is no apt-get; install the server binaries (initdb, pg_ctl)" >&2
  exit 1
fi
echo "installing PostgreSQL (apt-get install postgresql)"
conf=/etc/postgresql-common/createcluster.conf
if [ ! -e "$conf" ]; then  # the package would otherwise create and start a 'main' cluster on port 5432
  "${as_root[@]}" mkdir -p "$(dirname "$conf")"
  echo "create_main_cluster = false" | "${as_root[@]}" tee "$conf" >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q </dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql </dev/null
have_binaries || { echo "error: postgresql was installed but initdb is still missing" >&2; exit 1; }
