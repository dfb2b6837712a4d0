#!/usr/bin/env bash
# Runs the dashboard's browser tests (tests/browser) once more with the demo
# on the PostgreSQL engine: starts a throwaway cluster (initdb into a
# temporary folder, as the unprivileged tipgate-pg when root; a free port;
# the socket in that folder), runs tests/browser/run.mjs with TIPGATE_DSN
# set, and stops the cluster whatever happens. Needs scripts/postgres-deps.sh
# and scripts/browser-deps.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "browser-postgres: $*" >&2; exit 1; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || die "no PostgreSQL server under /usr/lib/postgresql: run scripts/postgres-deps.sh"

dir=$(mktemp -d /tmp/tipgate-browser-pg-XXXXXX)
run=()
if [ "$(id -u)" = 0 ]; then
	getent passwd tipgate-pg >/dev/null || die "no OS user tipgate-pg: run scripts/postgres-deps.sh"
	chown tipgate-pg "$dir"
	run=(setpriv --reuid="$(id -u tipgate-pg)" --regid="$(id -g tipgate-pg)" --clear-groups --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
	"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT
env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
	--encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; die "initdb failed"; }
env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-p $port -k $dir -c listen_addresses='' -c fsync=off -c TimeZone=UTC" start >/dev/null || { cat "$dir/server.log"; die "postgres did not start"; }
"$bin/psql" -q "host=$dir port=$port user=postgres dbname=postgres" -c "CREATE DATABASE tipgate" >/dev/null
echo "browser-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $dir:$port"
TIPGATE_DSN="host=$dir port=$port user=postgres dbname=tipgate sslmode=disable" node tests/browser/run.mjs
