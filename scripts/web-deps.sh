#!/usr/bin/env bash
# Installs the dashboard frontend's build tools and libraries (npm, pinned
# by web/package-lock.json) into web/node_modules. Idempotent: when they
# already match the lock file it touches no network. Needs node >= 20.
set -euo pipefail
cd "$(dirname "$0")/../web"
die() { echo "web-deps: $*" >&2; exit 1; }
for tool in node npm; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (needed to build the dashboard in web/)"
done
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || die "node $(node --version) is too old: need >= 20"
stamp=node_modules/.tipgate-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "web-deps: web/node_modules up to date"
else
	echo "web-deps: npm ci (web)"
	npm ci --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
fi
