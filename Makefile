# tipgate — see README.md. Every tool this file uses is installed by it,
# at a pinned version, into ./.tools.

GO            ?= go
BIN           := bin/tipgate
TOOLS         := $(CURDIR)/.tools
STATICCHECK   := $(TOOLS)/staticcheck
STATICCHECK_VERSION := v0.8.2
DATA          ?= ./tipgate-data
ROWS          ?= 1000000
N             ?= 100000
FUZZTIME      ?= 10s
BENCH_ROWS    ?= 10000000
BENCH_REPS    ?= 5
# tipgate --version: the commit (and -dirty for uncommitted changes).
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: soak test-trino-conformance help build demo test test-go test-browser test-streamlit test-scim web web-check fuzz lint bench oracle tools clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/tipgate
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tipgate

demo: build ## generate demo data into $(DATA), apply the reference policies, show what each user sees, then serve (Ctrl-C stops); TLS=1 serves HTTPS with a local CA
	$(BIN) demo --data-dir $(DATA) --rows $(ROWS) $(if $(PASSWORD),--demo-password $(PASSWORD)) $(if $(TLS),--tls)

test: lint web-check test-go test-browser test-streamlit test-scim fuzz ## everything CI runs: lint, the frontend build check, all Go tests, browser tests (dashboard, Streamlit example), scim2-tester, short fuzz runs

test-go: ## all Go tests (semantics suite, attack corpus, differential oracle, crash test, ...)
	scripts/sdk-deps.sh
	scripts/streamlit-deps.sh
	scripts/postgres-deps.sh
	scripts/haproxy-deps.sh
	scripts/trino/fetch.sh >/dev/null
	$(GO) test -count=1 -timeout 20m ./...

web: ## build the dashboard frontend (web/ → internal/web/dist, embedded in the binary; needs node and npm)
	scripts/web-deps.sh
	cd web && npm run --silent check && npm run --silent build

web-check: web ## rebuild the frontend and fail if the committed build (internal/web/dist) differs from its source
	@if [ -n "$$(git status --porcelain -- internal/web/dist)" ]; then \
	  echo "internal/web/dist is not the build of web/: commit the output of make web"; git status --short -- internal/web/dist; exit 1; fi

test-browser: build ## end-to-end tests of the dashboard in headless Chromium (Debian's chromium, playwright-core, axe-core), on the three engines (Trino: a coordinator and a worker), and through HAProxy to three replicas
	scripts/browser-deps.sh
	TIPGATE_BIN=$(CURDIR)/$(BIN) ARTIFACTS=$(CURDIR)/test-artifacts/browser node tests/browser/run.mjs
	scripts/postgres-deps.sh
	TIPGATE_BIN=$(CURDIR)/$(BIN) ARTIFACTS=$(CURDIR)/test-artifacts/browser-postgres scripts/browser-postgres.sh
	scripts/trino/fetch.sh >/dev/null
	TIPGATE_BIN=$(CURDIR)/$(BIN) ARTIFACTS=$(CURDIR)/test-artifacts/browser-trino scripts/browser-trino.sh
	scripts/haproxy-deps.sh
	TIPGATE_BIN=$(CURDIR)/$(BIN) ARTIFACTS=$(CURDIR)/test-artifacts/browser-replicas scripts/browser-replicas.sh

test-streamlit: build ## the Streamlit example (examples/streamlit) against demo --tls in headless Chromium, signing in through its Okta popup (needs port 8501 free)
	scripts/browser-deps.sh
	scripts/streamlit-deps.sh
	TIPGATE_BIN=$(CURDIR)/$(BIN) ARTIFACTS=$(CURDIR)/test-artifacts/streamlit node tests/browser/streamlit.mjs

test-scim: build ## scim2-tester (PyPI, pinned in tests/scim/requirements.txt) against a real tipgate serve: every check for Users and Groups
	TIPGATE_BIN=$(CURDIR)/$(BIN) scripts/scim-tester.sh

test-trino-conformance: ## CI's second step, after make test (about 17 min at load 17-31 on 2 cores, the oracle 11 of them; too long for make test's 30-minute budget): the shared conformance harness (semantics, attacks with the Trino class, oracle of 2,000 queries) on a Trino cluster
	scripts/postgres-deps.sh
	scripts/trino/fetch.sh >/dev/null
	TIPGATE_TRINO_CONFORMANCE=1 $(GO) test -count=1 -timeout 60m -run '^TestConformance$$' -v ./internal/engine/trino

soak: ## not in make test: PostgreSQL, three replicas behind HAProxy, SOAK_SESSIONS (200) sessions for SOAK_TIME (10m), a replica killed and restarted every minute (internal/server TestSoak)
	scripts/postgres-deps.sh
	scripts/haproxy-deps.sh
	TIPGATE_SOAK=1 TIPGATE_SOAK_DURATION=$(or $(SOAK_TIME),10m) TIPGATE_SOAK_SESSIONS=$(or $(SOAK_SESSIONS),200) $(GO) test -count=1 -timeout 30m -run '^TestSoak$$' -v ./internal/server

fuzz: ## short runs of every fuzz target
	scripts/fuzz.sh ./internal/sqlscan FuzzSplit $(FUZZTIME)
	scripts/fuzz.sh ./internal/policy/ddl FuzzParse $(FUZZTIME)
	scripts/fuzz.sh ./internal/policy/desired FuzzParse $(FUZZTIME)
	scripts/fuzz.sh ./internal/expect FuzzParse $(FUZZTIME)
	scripts/fuzz.sh ./internal/engine/duckdb FuzzGuard $(FUZZTIME)
	scripts/fuzz.sh ./internal/engine/trino FuzzGuard $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity FuzzVerify $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity FuzzStrictObject $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity FuzzStrictObjectDifferential $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity FuzzClaimReaders $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity FuzzVerifySignatureDifferential $(FUZZTIME)
	scripts/fuzz.sh ./internal/identity/tokenapi FuzzTokenForm $(FUZZTIME)
	scripts/fuzz.sh ./internal/idp FuzzParseUsers $(FUZZTIME)
	scripts/fuzz.sh ./internal/awsapi FuzzDataAPIRequest $(FUZZTIME)
	scripts/fuzz.sh ./internal/awsapi FuzzTarget $(FUZZTIME)
	scripts/fuzz.sh ./internal/awsapi/sts FuzzParseForm $(FUZZTIME)
	scripts/fuzz.sh ./internal/restapi FuzzExecuteBody $(FUZZTIME)
	scripts/fuzz.sh ./internal/dataapi FuzzParseDecimal $(FUZZTIME)
	scripts/fuzz.sh ./internal/dataapi FuzzAppendTimestamp $(FUZZTIME)
	scripts/fuzz.sh ./internal/dataapi FuzzCSVFieldJSON $(FUZZTIME)
	scripts/fuzz.sh ./internal/dataapi FuzzAppendDecimal $(FUZZTIME)
	scripts/fuzz.sh ./internal/web FuzzSafeReturn $(FUZZTIME)
	scripts/fuzz.sh ./internal/web FuzzParseFilters $(FUZZTIME)
	scripts/fuzz.sh ./internal/scim FuzzRequest $(FUZZTIME)

oracle: ## long differential-oracle run: make oracle N=100000 [SEED=n] [ORACLE_ROWS=n] [ORACLE_WORKERS=n] (N queries over all principals on a 1M-row warehouse: about 0.5 core-seconds a query, 100000 take ~15 h on 2 cores)
	TIPGATE_ORACLE_N=$(N) TIPGATE_ORACLE_SEED=$(or $(SEED),1) TIPGATE_ORACLE_ROWS=$(or $(ORACLE_ROWS),1000000) TIPGATE_ORACLE_WORKERS=$(or $(ORACLE_WORKERS),1) $(GO) test -count=1 -timeout 72h -run '^TestConformance$$/^oracle$$' -v ./internal/engine/duckdb

lint: $(STATICCHECK) ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*')); \
	  if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

bench: build ## enforcement overhead vs raw DuckDB and vs Trino queried directly on $(BENCH_ROWS) rows, Data API bindings (and through HAProxy to 1 and 3 replicas on a PostgreSQL store), token verification, dashboard load (server and Chromium); appends to bench/RESULTS.md
	$(GO) run ./bench/enforce --rows $(BENCH_ROWS) --reps $(BENCH_REPS) --results bench/RESULTS.md
	scripts/postgres-deps.sh
	scripts/trino/fetch.sh >/dev/null
	scripts/trino/with-cluster.sh '$(GO) run ./bench/enforce --engine trino --dsn "$$TIPGATE_TRINO_DSN" --rows $(BENCH_ROWS) --reps $(BENCH_REPS) --results bench/RESULTS.md'
	$(GO) run ./bench/dataapi --results bench/RESULTS.md
	scripts/postgres-deps.sh
	scripts/haproxy-deps.sh
	$(GO) run ./bench/dataapi --only replicas --tipgate $(BIN) --rows 10000 --results bench/RESULTS.md
	$(GO) run ./bench/identity --results bench/RESULTS.md
	$(GO) run ./bench/dashboard --rows $(BENCH_ROWS) --reps $(BENCH_REPS) --results bench/RESULTS.md

tools: $(STATICCHECK) ## install pinned tools

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

clean: ## remove build output and demo data
	rm -rf bin $(DATA)
