#!/usr/bin/env bash
# Runs the dashboard's browser tests (tests/browser) through a load
# balancer: a throwaway PostgreSQL cluster holds the warehouse and the
# replicas' shared store; three `tipgate demo` replicas (--store-dsn,
# --public-url) serve behind HAProxy round robin, /idp going to the first
# (the embedded development IdP keeps sign-in flows in one process). After
# the tests, HAProxy's log must show every call to the replicas on another
# replica than the call before, and all three serving. Needs
# scripts/postgres-deps.sh, scripts/haproxy-deps.sh and
# scripts/browser-deps.sh first; TIPGATE_BIN (default bin/tipgate).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "browser-replicas: $*" >&2; exit 1; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || die "no PostgreSQL server under /usr/lib/postgresql: run scripts/postgres-deps.sh"
command -v haproxy >/dev/null || die "haproxy is not installed: run scripts/haproxy-deps.sh"
tipgate=$(realpath "${TIPGATE_BIN:-bin/tipgate}")
[ -x "$tipgate" ] || die "$tipgate does not exist: make build"
rows=${ROWS:-30000}

dir=$(mktemp -d /tmp/tipgate-browser-replicas-XXXXXX)
chmod 755 "$dir"
run=()
if [ "$(id -u)" = 0 ]; then
	getent passwd tipgate-pg >/dev/null || die "no OS user tipgate-pg: run scripts/postgres-deps.sh"
	mkdir "$dir/pg"
	chown tipgate-pg "$dir/pg"
	run=(setpriv --reuid="$(id -u tipgate-pg)" --regid="$(id -g tipgate-pg)" --clear-groups --)
else
	mkdir "$dir/pg"
fi
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
lbpid=
stop() {
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -n "$lbpid" ] && { kill "$lbpid" 2>/dev/null || true; wait "$lbpid" 2>/dev/null || true; }
	"${run[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT

port=$(free)
env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "${run[@]}" "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust \
	--encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; die "initdb failed"; }
env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 "${run[@]}" "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
	-o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC" start >/dev/null || { cat "$dir/pg/server.log"; die "postgres did not start"; }
for db in tipgate store; do
	"$bin/psql" -q "host=$dir/pg port=$port user=postgres dbname=postgres" -c "CREATE DATABASE $db" >/dev/null
done
wh="host=$dir/pg port=$port user=postgres dbname=tipgate sslmode=disable"
store="postgres://postgres@127.0.0.1:$port/store?sslmode=disable"
echo "browser-replicas: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $dir/pg:$port"

lb=$(free)
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
servers=
# One at a time: the first loads the warehouse, makes the store's schema,
# keys and client secrets; each provisions the demo users over SCIM.
for i in 1 2 3; do
	p=$(free)
	"$tipgate" demo --engine postgres --dsn "$wh" --data-dir "$dir/r$i" --rows "$rows" --seed 7 --listen "127.0.0.1:$p" \
		--okta-listen 127.0.0.1:0 --demo-password "$password" --store-dsn "$store" --replica-id "r$i" \
		--public-url "http://127.0.0.1:$lb" >"$dir/r$i.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 600); do
		[ -f "$dir/r$i/demo.env" ] && break
		kill -0 "${pids[-1]}" 2>/dev/null || { tail -30 "$dir/r$i.log"; die "replica r$i ended"; }
		sleep 0.2
	done
	[ -f "$dir/r$i/demo.env" ] || { tail -30 "$dir/r$i.log"; die "replica r$i never became ready"; }
	servers+="  server r$i 127.0.0.1:$p check"$'\n'
	[ "$i" = 1 ] && idp="127.0.0.1:$p"
	echo "browser-replicas: replica r$i at 127.0.0.1:$p"
done

cat >"$dir/haproxy.cfg" <<EOF
global
  log stdout format raw local0
defaults
  mode http
  log global
  log-format "%rt %b %s %HM %HU %ST"
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
  retry-on conn-failure
frontend lb
  bind 127.0.0.1:$lb
  use_backend idp if { path_beg /idp/ }
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  default-server inter 300ms fall 2 rise 1
$servers
backend idp
  server r1 $idp
EOF
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
lbpid=$!
sleep 2
echo "browser-replicas: HAProxy at http://127.0.0.1:$lb"

rc=0
TIPGATE_URL="http://127.0.0.1:$lb" TIPGATE_DEMO_PASSWORD="$password" TIPGATE_CSV="$dir/r1/s3/tipgate-demo/sales_data.csv" ROWS="$rows" \
	node tests/browser/run.mjs || rc=$?

# Every call to the replicas, in the order HAProxy took them (%rt).
python3 - "$dir/haproxy.log" <<'EOF' || rc=1
import sys
calls = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 6 and f[1] == "replicas" and f[0].isdigit():
        calls.append((int(f[0]), f[2]))
calls.sort()
servers = [s for _, s in calls]
same = [i for i in range(1, len(servers)) if servers[i] == servers[i - 1]]
print(f"browser-replicas: {len(servers)} calls to the replicas: " + ", ".join(f"{s} {servers.count(s)}" for s in sorted(set(servers))))
if len(set(servers) - {"<NOSRV>"}) != 3 or "<NOSRV>" in servers:
    sys.exit("browser-replicas: the calls did not go to all three replicas (or some found none)")
if same:
    sys.exit(f"browser-replicas: {len(same)} calls went to the same replica as the call before (first: call {same[0] + 1})")
print("browser-replicas: every call on another replica than the call before")
EOF
if [ "$rc" != 0 ]; then
	for i in 1 2 3; do echo "--- r$i (tail)"; tail -20 "$dir/r$i.log"; done
	echo "--- haproxy (tail)"; tail -20 "$dir/haproxy.log"
fi
exit "$rc"
