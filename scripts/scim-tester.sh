#!/usr/bin/env bash
# Runs scim2-tester (PyPI, pinned by tests/scim/requirements.txt, installed
# into the virtualenv .cache/scim-venv) against a real `tipgate serve`:
# every check it offers for Users and Groups must report no error.
# Idempotent installs: with the pinned versions present it touches no
# network. Needs python3 (>= 3.10) and bin/tipgate (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
req=$root/tests/scim/requirements.txt
venv=$root/.cache/scim-venv
bin=${TIPGATE_BIN:-$root/bin/tipgate}

die() { echo "scim-tester: $*" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
[ -x "$bin" ] || die "$bin is missing (make build)"

stamp=$venv/.tipgate-requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	echo "scim-tester: installing $(basename "$req") into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
	echo "$want" >"$stamp"
fi

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -m 700 "$tmp/data"
cat >"$tmp/tipgate.toml" <<CONF
[server]
listen = "127.0.0.1:$port"
public_url = "http://127.0.0.1:$port"
data_dir = "$tmp/data"
CONF
"$bin" scim-client create --data-dir "$tmp/data" --token-file "$tmp/token" scim2-tester
"$bin" serve --config "$tmp/tipgate.toml" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "tipgate serve exited"; }
	sleep 0.1
done
"$venv/bin/python" "$root/tests/scim/run.py" "http://127.0.0.1:$port/scim/v2" "$tmp/token"
