#!/usr/bin/env bash
# with-cluster.sh COMMAND... — runs COMMAND (from the repository root) with
# a Trino cluster (coordinator + worker, HTTPS, password authentication,
# file-based access control, Iceberg warehouse; internal/testenv/trinoserver)
# and TIPGATE_TRINO_DSN set to a trino engine DSN for it, then stops the
# cluster whatever happens. The cluster is the Go test helper's, started by
# its test binary (TestRunWithCluster). Needs scripts/trino/fetch.sh and
# scripts/postgres-deps.sh first. Example:
#
#   scripts/trino/with-cluster.sh 'go run ./bench/enforce --engine trino --dsn "$TIPGATE_TRINO_DSN"'
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { echo "usage: $0 COMMAND..." >&2; exit 2; }
TIPGATE_TRINO_RUN="$*" TIPGATE_TRINO_RUN_DIR=$PWD exec go test -count=1 -timeout "${TIPGATE_TRINO_TIMEOUT:-90m}" \
	-run '^TestRunWithCluster$' -v ./internal/testenv/trinoserver
