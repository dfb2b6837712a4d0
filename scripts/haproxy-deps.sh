#!/usr/bin/env bash
# Installs the load balancer the replica tests (internal/server
# TestReplicas) put in front of three tipgate servers: Debian's haproxy
# package. Idempotent: when haproxy is on PATH it touches no network.
set -euo pipefail

die() { echo "haproxy-deps: $*" >&2; exit 1; }

if command -v haproxy >/dev/null 2>&1; then
	echo "haproxy-deps: $(haproxy -v | head -1)"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "haproxy is not installed and not root: apt-get install haproxy"
echo "haproxy-deps: apt-get install haproxy"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends haproxy >/dev/null
# The package's own service is not used by the tests.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now haproxy >/dev/null 2>&1 || true; fi
command -v haproxy >/dev/null 2>&1 || die "haproxy installed but not on PATH"
echo "haproxy-deps: $(haproxy -v | head -1)"
