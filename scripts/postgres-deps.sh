#!/usr/bin/env bash
# Installs what internal/testenv/pgserver needs to start a real PostgreSQL
# per test binary: Debian's postgresql server package (initdb, pg_ctl and
# postgres under /usr/lib/postgresql/VERSION/bin) when no server of version
# 15 or newer is there, and, when running as root, the unprivileged OS user
# tipgate-pg that owns the test clusters (initdb refuses to run as root).
# Idempotent: when both are present it touches no network.
set -euo pipefail

die() { echo "postgres-deps: $*" >&2; exit 1; }

have_server() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] || continue
		[ "$(basename "$(dirname "$d")")" -ge 15 ] 2>/dev/null && return 0
	done
	return 1
}

if have_server; then
	echo "postgres-deps: PostgreSQL server present ($(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' '))"
else
	[ "$(id -u)" = 0 ] || die "no PostgreSQL >= 15 server under /usr/lib/postgresql and not root: apt-get install postgresql"
	echo "postgres-deps: apt-get install postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# The package's own cluster is not used by the tests; do not create one.
	mkdir -p /etc/postgresql-common/createcluster.d
	echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/tipgate-no-main.conf
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	have_server || die "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
fi

if [ "$(id -u)" = 0 ]; then
	if ! getent passwd tipgate-pg >/dev/null; then
		echo "postgres-deps: creating OS user tipgate-pg (test clusters run as it)"
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tipgate-pg
	fi
fi
