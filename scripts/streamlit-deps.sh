#!/usr/bin/env bash
# Installs what the Streamlit example's tests need: a virtualenv
# .cache/streamlit-venv with examples/streamlit/requirements.txt (every
# package pinned: Streamlit, streamlit-oauth, boto3, pydeck, requests), used
# by cmd/tipgate/okta_python_test.go (the requests-only Okta client) and
# tests/streamlit (the app in Chromium). Idempotent: when the virtualenv
# already has the pinned requirements it touches no network.
# Needs python3 (>= 3.10) with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
req=$root/examples/streamlit/requirements.txt
venv=$root/.cache/streamlit-venv

die() { echo "streamlit-deps: $*" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || die "python3 is not installed (needed for the Streamlit example's tests)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
	die "python3 $(python3 --version 2>&1) is too old: the pinned Streamlit needs Python >= 3.10"

stamp=$venv/.tipgate-requirements.sha256
want=$( (sha256sum "$req"; python3 --version) | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "streamlit-deps: virtualenv up to date"
else
	echo "streamlit-deps: virtualenv .cache/streamlit-venv"
	rm -rf "$venv"
	mkdir -p "$(dirname "$venv")"
	python3 -m venv "$venv" || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
	echo "$want" >"$stamp"
fi
"$venv/bin/python" -c 'import streamlit, streamlit_oauth, boto3, pydeck, requests, sys; print("streamlit-deps: streamlit", streamlit.__version__, "boto3", boto3.__version__, "requests", requests.__version__, "on python", sys.version.split()[0])'
