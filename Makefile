# Min side — the two commands are `make run` and `make test`; everything else supports them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
PG_DSN ?= $(MINSIDE_TEST_POSTGRES_DSN)
BIN := bin/minside
TEST_LOG := $(or $(TMPDIR),/tmp)/minside-go-test.log

.PHONY: run test bench build pwa go-test fuzz js-test e2e locales-check vet tools clean deploy-check

## run: build the PWA and the binary, then start the portal on http://localhost:8080 with demo data
run: build
	./$(BIN)

## build: the one binary with the PWA embedded
build: pwa
	$(GO) build -tags pwa -o $(BIN) ./backend/cmd/minside

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

## pwa: build the progressive web app into pwa/dist
pwa: node_modules
	npm run build

## test: every test — Go (SQLite always, PostgreSQL when MINSIDE_TEST_POSTGRES_DSN is set), locales, PWA units, e2e
test: vet locales-check go-test fuzz js-test deploy-check e2e

vet:
	@unformatted=$$(gofmt -l backend locales migrations pwa); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

locales-check:
	$(GO) run ./backend/cmd/minside locales check

go-test:
	@echo "PostgreSQL store tests: $(if $(PG_DSN),on,off (set MINSIDE_TEST_POSTGRES_DSN to run them))"
	@status=0; MINSIDE_TEST_POSTGRES_DSN='$(PG_DSN)' $(GO) test -count=1 -v -timeout 20m ./... > $(TEST_LOG) 2>&1 || status=$$?; \
	grep -E '^(ok|FAIL|panic:|--- FAIL)|^\s+--- FAIL|\[no test files\]' $(TEST_LOG) | grep -v 'no test files' || true; \
	if [ $$status -ne 0 ]; then grep -B2 -A30 -E '^\s*--- FAIL' $(TEST_LOG) | head -300; fi; \
	passed=$$(grep -cE '^\s*--- PASS' $(TEST_LOG) || true); failed=$$(grep -cE '^\s*--- FAIL' $(TEST_LOG) || true); \
	sqlite=$$(grep -cE '^\s*--- PASS: \S+/sqlite \(' $(TEST_LOG) || true); postgres=$$(grep -cE '^\s*--- PASS: \S+/postgres \(' $(TEST_LOG) || true); \
	echo "store tests passed: $$sqlite on SQLite, $$postgres on PostgreSQL"; \
	echo "go: $$passed passed, $$failed failed"; \
	exit $$status

# Every fuzz target as Name:package (`go test` takes one -fuzz target per run). `go-test` already
# runs their seed corpora; this explores beyond them for a bounded time each.
# A count, not a duration: with a wall-clock -fuzztime, Go 1.26's fuzz coordinator can fail a
# target with "context deadline exceeded" as time runs out (golang/go#75804, fixed in Go 1.27).
FUZZ_TIME ?= 30000x
FUZZ_TARGETS := \
	FuzzParseRecord:./backend/internal/ingest \
	FuzzBulkLines:./backend/internal/ingest \
	FuzzParse:./backend/internal/pid \
	FuzzParseSubscription:./backend/internal/push \
	FuzzCheck:./backend/internal/textcheck \
	FuzzDecode:./backend/internal/strictjson \
	FuzzOpenCursor:./backend/internal/paging
FUZZ_LOG := $(or $(TMPDIR),/tmp)/minside-fuzz.log

## fuzz: each fuzz target for FUZZ_TIME inputs (a few seconds each); a finding is saved under the package's testdata/fuzz
fuzz:
	@for target in $(FUZZ_TARGETS); do name=$${target%%:*}; pkg=$${target#*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZ_TIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) $$pkg > $(FUZZ_LOG) 2>&1 || { tail -40 $(FUZZ_LOG); exit 1; }; \
	done

js-test: node_modules
	npm test

## e2e: the first-load JS budget, then Playwright driving Debian's Chromium against the real binary (installs Chromium when missing)
e2e: build /usr/bin/chromium
	npm run size
	MINSIDE_BIN=$(CURDIR)/$(BIN) npm run e2e

/usr/bin/chromium:
	@echo "Installing Debian's chromium for the e2e tests"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

## bench: the performance table (docs/performance.md explains each number; BenchmarkOverviewWithErrands runs on the city `minside seed` writes)
bench:
	MINSIDE_TEST_POSTGRES_DSN='$(PG_DSN)' $(GO) test -run '^$$' -bench . -benchtime 2s ./backend/...

clean:
	rm -rf bin pwa/dist node_modules

## deploy-check: what can be checked of the deployment files without a container runtime (the Go test checks the rest)
deploy-check: build
	@unit=$$(mktemp --suffix=.service); sed 's#/usr/local/bin/minside#$(CURDIR)/$(BIN)#g' deploy/minside.service > $$unit; \
	if command -v systemd-analyze >/dev/null; then systemd-analyze verify $$unit && echo "deploy: systemd unit verified"; \
	else echo "deploy: systemd-analyze not installed, unit not verified"; fi; rm -f $$unit
	@if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then \
	MINSIDE_VAPID_PUBLIC_KEY=x docker compose -f deploy/compose.yaml config -q && echo "deploy: compose file valid"; \
	else echo "deploy: no docker compose here; backend/cmd/minside/deploy_test.go checked the compose file"; fi
