#!/usr/bin/env bash
# Installs what the dashboard's browser tests (tests/browser/) need:
# Debian's chromium package (the tests drive the system browser; nothing
# downloads a browser build of its own) and playwright-core + axe-core
# (npm, pinned by tests/browser/package-lock.json) into
# tests/browser/node_modules. Idempotent: when chromium is on PATH and
# node_modules matches the lock file it touches no network.
# Needs node (>= 20) and npm; apt-get (Debian 12) for chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=$root/tests/browser

die() { echo "browser-deps: $*" >&2; exit 1; }
for tool in node npm; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (needed for the browser tests in tests/browser)"
done
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
	die "node $(node --version) is too old: playwright-core needs node >= 20"

# Chromium: Debian's package, installed only when missing.
if command -v chromium >/dev/null 2>&1; then
	echo "browser-deps: chromium already installed"
else
	command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and there is no apt-get: install Chromium and put it on PATH as 'chromium' (or set CHROMIUM)"
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "chromium is not installed and installing it needs root (no sudo found)"
		sudo=(sudo)
	fi
	echo "browser-deps: apt-get install chromium"
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
	command -v chromium >/dev/null 2>&1 || die "apt-get installed chromium but it is not on PATH"
fi
echo "browser-deps: $(chromium --version 2>/dev/null || echo 'chromium (version unknown)')"

# npm: npm ci only when node_modules does not match the lock file (a stamp
# holds the lock file's hash). playwright-core downloads no browser on
# install; the variable makes sure of it.
stamp=$dir/node_modules/.tipgate-lock.sha256
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
	[ -f "$dir/node_modules/playwright-core/package.json" ] && [ -f "$dir/node_modules/axe-core/axe.min.js" ]; then
	echo "browser-deps: node modules up to date"
else
	echo "browser-deps: npm ci (tests/browser)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
fi
node -e 'for (const n of ["playwright-core", "axe-core"]) { const p = require(process.argv[1] + "/node_modules/" + n + "/package.json"); console.log("browser-deps:", n, p.version) } console.log("browser-deps: node", process.version)' "$dir"
