#!/usr/bin/env bash
# Installs the AWS SDKs that internal/server/sdk_test.go drives: the AWS SDK
# for JavaScript v3 (npm, pinned by tests/sdk/js/package-lock.json) into
# tests/sdk/js/node_modules, and boto3 (PyPI, pinned by
# tests/sdk/python/requirements.txt) into the virtualenv .cache/sdk-venv.
# Idempotent: when both are already installed at the pinned versions it
# touches no network. Needs node (>= 20), npm and python3 (>= 3.9).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
js=$root/tests/sdk/js
py=$root/tests/sdk/python
venv=$root/.cache/sdk-venv

die() { echo "sdk-deps: $*" >&2; exit 1; }
for tool in node npm python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (needed for the SDK tests in internal/server/sdk_test.go)"
done
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
	die "node $(node --version) is too old: the AWS SDK for JavaScript v3 needs node >= 20"

# JavaScript: npm ci only when node_modules does not match the lock file
# (npm writes node_modules/.package-lock.json; compare it with a stamp).
stamp=$js/node_modules/.tipgate-lock.sha256
want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$js/node_modules/@aws-sdk/client-sts" ]; then
	echo "sdk-deps: JavaScript SDK up to date"
else
	echo "sdk-deps: npm ci (tests/sdk/js)"
	npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
fi

# Python: a virtualenv with the pinned requirements.
stamp=$venv/.tipgate-requirements.sha256
want=$( (sha256sum "$py/requirements.txt"; python3 --version) | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "sdk-deps: boto3 virtualenv up to date"
else
	echo "sdk-deps: virtualenv .cache/sdk-venv"
	rm -rf "$venv"
	mkdir -p "$(dirname "$venv")"
	python3 -m venv "$venv" || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$py/requirements.txt"
	echo "$want" >"$stamp"
fi
"$venv/bin/python" -c 'import boto3, sys; print("sdk-deps: boto3", boto3.__version__, "on python", sys.version.split()[0])'
node -e 'const p=require(process.argv[1]); console.log("sdk-deps: @aws-sdk/client-sts", p.version, "on node", process.version)' "$js/node_modules/@aws-sdk/client-sts/package.json"
