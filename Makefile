# The few targets people reach for. `make test` is what CI runs.
GO ?= go
FUZZTIME ?= 2000x
LONGFUZZ ?= 5m
DB ?= vetted.db

.PHONY: run test deps lint generate check-generated unit fuzz fuzz-long bench

run:
	$(GO) run ./cmd/vetted serve --demo --db $(DB)

# test installs what a fresh machine lacks, checks formatting and generated
# files, runs each fuzz target briefly, then every test with the race detector.
test: deps lint check-generated fuzz unit

deps:
	@./.ci/deps

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

generate:
	$(GO) tool templ generate

check-generated: generate
	@git diff --exit-code -- '*_templ.go' || { echo "generated templ files are stale: run make generate and commit"; exit 1; }

unit:
	$(GO) test -race -count=1 -timeout 20m ./...

# Each fuzz target for FUZZTIME executions (a count, not a time, so a slow
# machine cannot hit the fuzzer's deadline mid-input); `make fuzz-long` runs
# each for LONGFUZZ.
fuzz:
	@./.ci/fuzz $(FUZZTIME)

fuzz-long:
	@./.ci/fuzz $(LONGFUZZ)

# Go benchmarks of the write path and re-anchoring, then the end-to-end
# program that writes docs/PERFORMANCE.md.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./store ./review/...
	$(GO) run ./cmd/vetted-bench
