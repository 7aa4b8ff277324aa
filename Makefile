# relance — `make run` starts the whole system on embedded defaults; `make test` runs every test.

TEMPORAL_CLI_VERSION := v1.5.1
BIN := $(CURDIR)/bin
# The Temporal CLI on PATH if there is one, otherwise the one this Makefile installs into ./bin.
TEMPORAL := $(or $(shell command -v temporal 2>/dev/null),$(BIN)/temporal)
GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: run build temporal temporal-server test bench-smoke vet fmt-check bench bench-scale bench-cluster bench-memory registry web-assets screenshots docker clean histories

run: build temporal ## Start everything: Temporal dev server + UI, database, worker, API
	TEMPORAL_CLI=$(TEMPORAL) $(BIN)/relance dev

build: ## Build the relance binary into ./bin
	go build -o $(BIN)/relance ./cmd/relance

temporal: $(TEMPORAL) ## Install the Temporal CLI (dev server) when none is on PATH

$(BIN)/temporal:
	@echo "Installing the Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (about 10 minutes the first time, cached after)"
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

temporal-server: ## Install the real Temporal server, its SQL tool and PostgreSQL schema into ./bin (for the cluster tests)
	./scripts/temporal-server.sh

test: temporal vet fmt-check ## Unit, store, workflow and end-to-end tests, then every benchmark once at a tiny size
	TEMPORAL_CLI=$(TEMPORAL) go test $(GO_TEST_FLAGS) ./...
	$(MAKE) bench-smoke

bench-smoke: temporal ## Every benchmark once at a tiny size (about 30 s), so that none breaks unseen: they are not tests
	BENCH_SCALE=1 BENCH_SCALE_SIZES=200 BENCH_SCALE_REPS=1 BENCH_DOSSIERS=4 BENCH_CONCURRENCY=2 \
		TEMPORAL_CLI=$(TEMPORAL) go test -run '^$$' -bench . -benchtime 1x -timeout 10m ./...

vet:
	go vet ./...

fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on: $$unformatted"; exit 1; fi

bench: temporal ## Throughput and latency of guichet dossiers, call applications and Axe 1 ballots on the real stack
	TEMPORAL_CLI=$(TEMPORAL) go test -run '^$$' -bench . -benchtime 1x -timeout 30m ./e2e/

bench-scale: ## p50/p99 per page of the inbox and dossier list at 10,000 and 100,000 seeded dossiers (PostgreSQL, TEST_DATABASE_URL)
	BENCH_SCALE=1 go test -run '^$$' -bench BenchmarkReadPath -benchtime 1x -timeout 60m ./store/

bench-memory: temporal ## Resident memory of relance api + worker with BENCH_MEMORY_DOSSIERS open dossiers (default 10,000), cache larger then smaller (PostgreSQL, TEST_DATABASE_URL)
	BENCH_MEMORY=1 TEMPORAL_CLI=$(TEMPORAL) go test -run '^$$' -bench BenchmarkOpenDossiersMemory -benchtime 1x -timeout 120m ./e2e/

bench-cluster: temporal temporal-server ## The benchmarks on the dev server, then on the production shape (real server on PostgreSQL, api + 2 workers)
	TEMPORAL_CLI=$(TEMPORAL) go test -run '^$$' -bench . -benchtime 1x -timeout 30m ./e2e/
	BENCH_SHAPE=cluster TEMPORAL_SERVER=$(BIN)/temporal-server go test -run '^$$' -bench . -benchtime 1x -timeout 30m ./e2e/

registry: ## Regenerate the embedded registry from @etalab/decoupage-administratif
	./scripts/gen-registry.sh

web-assets: ## Vendor DSFR, htmx (and axe-core for the browser tests) into web/ from npm
	./scripts/vendor-web.sh

screenshots: temporal ## Save the workspace's main pages, as the browser tests walk them, into docs/screenshots
	SCREENSHOTS=$(CURDIR)/docs/screenshots REQUIRE_BROWSER=1 TEMPORAL_CLI=$(TEMPORAL) go test -count=1 -run 'TestWorkspace' ./e2e/

docker: ## Build the production image
	docker build -t relance:latest .

clean:
	rm -rf $(BIN)

histories: temporal ## Record workflow histories for the replay tests into workflows/testdata
	mkdir -p workflows/testdata
	RECORD_HISTORIES=$(CURDIR)/workflows/testdata TEMPORAL_CLI=$(TEMPORAL) go test -count=1 -run 'TestGuichetEndToEnd|TestCallForProjectsEndToEnd|TestStuckDossiersFoundAndUnstuck|TestPrefectoralEndToEnd|TestCampaignPhasesEndToEnd|TestProposalsEndToEnd|TestCandidateServicesAndVoteEndToEnd' ./e2e/
