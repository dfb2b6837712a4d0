#!/usr/bin/env bash
# Runs the dashboard's browser tests (tests/browser) once more with the demo
# on the Trino engine: scripts/trino/with-cluster.sh starts a coordinator and
# a worker (and the PostgreSQL that holds the Iceberg and policy catalogs),
# tests/browser/run.mjs runs with TIPGATE_ENGINE=trino and TIPGATE_DSN set to
# the cluster's engine DSN, and the cluster stops whatever happens. Needs
# scripts/trino/fetch.sh, scripts/postgres-deps.sh and scripts/browser-deps.sh
# first.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo's COPY runs as batched INSERTs (an Iceberg commit per 1,000
# rows): 10,000 rows instead of 30,000 keep make test's time, and the demo
# gets time on a loaded machine.
exec scripts/trino/with-cluster.sh 'ROWS=${ROWS:-10000} DEMO_TIMEOUT_S=${DEMO_TIMEOUT_S:-900} TIPGATE_ENGINE=trino TIPGATE_DSN="$TIPGATE_TRINO_DSN" node tests/browser/run.mjs'
