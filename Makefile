# kforstats: every job a developer or CI runs. `make help` lists them.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/kforstats
ADDR ?= :8080
CHECK_PORT ?= 18090
# The system tests: a Go module of their own, so that the tools they check
# deploy/ with (BuildKit, compose-go, the Kubernetes types) stay out of go.mod.
SYSTEMTEST := deploy/systemtest
# The software bill of materials: CycloneDX's own generator for Go modules,
# pinned; the file it writes.
CYCLONEDX := github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0
SBOM ?= bin/kforstats.cdx.json
# The tests of how a chart or page looks (pixels, layout, the text of the
# drawings, against Chromium's or in every language) draw hundreds of charts
# in goja, which the race detector slows tenfold (TestChartImages: 52 s under
# -race, 6 s without); they drive no concurrency that the tests of serving do
# not, so make test runs them once without -race, after the rest with it.
LOOKS := ^(TestBrowserComparison|TestChartImages|TestChartImageMonths|TestInlineEqualsChartImage|TestPseudoLanguagePage|TestBrowserLanguages|TestBrowserMonths|TestBrowserMaps|TestBrowserMarkersFollowTheme|TestBrowserFromAfterTo|TestBrowserKeysEveryColour|TestBrowserWidenAgain)$$

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/kforstats (static, CGO off)
	@echo ">> building $(BIN) $(VERSION)"
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kforstats

.PHONY: sbom
sbom: ## write the binary's software bill of materials (CycloneDX 1.6 JSON: every module it links, with the licences found in each) to bin/kforstats.cdx.json
	@mkdir -p $(dir $(SBOM))
	CGO_ENABLED=0 GOFLAGS=-trimpath $(GO) run $(CYCLONEDX) app -json -licenses -main cmd/kforstats -output $(SBOM) .

.PHONY: run
run: build ## serve the dashboard on http://localhost:8080 from the embedded dataset
	@echo ">> serving on $(ADDR) (Ctrl-C to stop)"
	./$(BIN) serve --web.listen-address=$(ADDR)

.PHONY: deps
deps: ## install what the tests need (Chromium, Prometheus, fonts, wrk, testssl.sh) from Debian when missing
	@echo ">> checking test dependencies"
	@bash .ci/deps

.PHONY: test
test: deps validate lint check-deploy ## run every test CI runs (installs missing test tools first)
	@echo ">> go test -race ./... (the product's unit and end-to-end tests but how charts and pages look; the system tests ran in check-deploy)"
	$(GO) test -race -count=1 -timeout 25m -skip '$(LOOKS)' ./...
	@echo ">> how charts and pages look, without -race: every chart image against Chromium's (both themes, pixel ratio 2), the images, the page in every language and at every width"
	$(GO) test -count=1 -timeout 15m -run '$(LOOKS)' ./dashboard/ ./dashboard/render/

.PHONY: validate
validate: ## validate dataset/data, print its counts and regenerate the coverage table in dataset/data/README.md
	@echo ">> validating dataset/data; coverage table into dataset/data/README.md"
	$(GO) run ./cmd/kforstats validate --coverage dataset/data

.PHONY: lint
lint: ## go vet, gofmt and staticcheck, on the product and on the system tests' module
	@echo ">> go vet"
	$(GO) vet ./...
	cd $(SYSTEMTEST) && $(GO) vet ./...
	@echo ">> gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	@echo ">> staticcheck"
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	cd $(SYSTEMTEST) && $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

.PHONY: check-deploy
check-deploy: ## check deploy/ with each file's own tool (promtool, kustomize, compose-go, BuildKit, systemd-analyze)
	@echo ">> promtool: check the Prometheus config and rules, run the rules' unit tests"
	promtool check config deploy/prometheus/prometheus.yml
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml
	@echo ">> the system tests ($(SYSTEMTEST), a module of their own), on the binary built from ./cmd/kforstats:"
	@echo ">> deploy/kubernetes: kustomize build (the CLI pinned in $(SYSTEMTEST)/deploy_test.go, by go run), every object decoded strictly into the k8s.io/api and Prometheus Operator types"
	@echo ">> deploy/compose.yaml: loaded by compose-go, as docker compose config loads it"
	@echo ">> deploy/Dockerfile: BuildKit's linter (docker build --check); the binary built by its RUN lines runs as its USER in a read-only directory"
	@echo ">> deploy/systemd/kforstats.service: systemd-analyze verify and security"
	@echo ">> serve: SIGTERM during an upload, a ConfigMap-style dataset swap, TLS and basic auth from deploy/web-config.yml, testssl.sh against it, chart images overloaded (also in 1 GiB and 512 MiB memory cgroups: peak at most 75%)"
	cd $(SYSTEMTEST) && $(GO) test -race -count=1 ./...

.PHONY: check-metrics
check-metrics: build ## promtool check metrics on a scrape of a running bin/kforstats
	@echo ">> promtool check metrics on /metrics of bin/kforstats (127.0.0.1:$(CHECK_PORT))"
	@./$(BIN) serve --web.listen-address=127.0.0.1:$(CHECK_PORT) --log.level=warn & pid=$$!; trap "kill $$pid" EXIT; \
	for i in $$(seq 100); do curl -sf http://127.0.0.1:$(CHECK_PORT)/readyz >/dev/null && break; sleep 0.1; done; \
	curl -sf http://127.0.0.1:$(CHECK_PORT)/metrics | promtool check metrics

.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 30s)
	@echo ">> fuzzing the dataset parser"
	$(GO) test ./dataset -run '^$$' -fuzz FuzzLoad -fuzztime $${FUZZTIME:-30s}
	@echo ">> fuzzing the query parameters' one parser, both modes"
	$(GO) test ./dashboard/param -run '^$$' -fuzz FuzzParse -fuzztime $${FUZZTIME:-30s}
	@echo ">> fuzzing the chart image parameters"
	$(GO) test ./dashboard -run '^$$' -fuzz FuzzImageParams -fuzztime $${FUZZTIME:-30s}
	@echo ">> fuzzing the API's query strings"
	$(GO) test ./dashboard -run '^$$' -fuzz FuzzAPI -fuzztime $${FUZZTIME:-30s}
	@echo ">> fuzzing the whole router: methods, paths, queries, headers, bodies"
	$(GO) test ./dashboard -run '^$$' -fuzz FuzzRouter -fuzztime $${FUZZTIME:-30s}

.PHONY: soak
soak: ## the soak run: the built binary under wrk on loopback for SOAK (default 60s) after a 4-minute warm-up; asserts no errors, no 5xx but image 503s, memory level, caches bounded (needs wrk: make deps); then the 100x record in 1 GiB and 512 MiB cgroups, under 75%
	@echo ">> soak: every GET route of the route table, new views and chart images under wrk for $${SOAK:-60s}; the caches' sizes and hit ratios; then image export overloaded; then the record grown a hundredfold drawn in 1 GiB and 512 MiB memory cgroups"
	cd $(SYSTEMTEST) && $(GO) test -run '^(TestSoak|TestScaledRecordMemory)$$' -soak=$${SOAK:-60s} -count=1 -v -timeout 25m

.PHONY: golden
golden: ## rewrite golden files (review the diff before committing)
	@echo ">> rewriting golden files: the Golden and LoadBad tests of every package whose tests import dataset/datasettest, which defines -update"
	$(GO) test -count=1 -run 'Golden|LoadBad' $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | awk '/ github.com\/kforstats\/kforstats\/dataset\/datasettest( |$$)/ {print $$1}') -update

.PHONY: bench
bench: ## run the benchmarks
	@echo ">> go test -bench (all but the chart images, below)"
	$(GO) test -run '^$$' -bench . -benchmem $$($(GO) list ./... | grep -v /dashboard/render)
	@echo ">> chart images: SVG and PNG latency per chart, cold start, throughput and memory (p50-ms, cpu-ms/op, images/s, rss-MB)"
	$(GO) test -run '^$$' -bench 'SVG|PNG|Throughput' -benchtime 10x ./dashboard/render/
	@echo ">> load run: wrk at 64 connections on kforstats beside a minimal server writing the same bytes; first-load size; Chromium navigation to charts drawn; start-up; RSS; the 100x record (needs wrk and chromium: make deps)"
	cd $(SYSTEMTEST) && $(GO) test -run '^TestLoadSideBySide$$' -load -count=1 -v -timeout 30m

.PHONY: assets
assets: ## rebuild the embedded ECharts bundle and map outlines from the pinned npm packages
	@echo ">> building the ECharts bundles from package-lock.json: dashboard/assets/page/ (the page's ES modules, the maps' parts split off) and dashboard/assets/echarts.min.js (the image exporter's, for goja)"
	cd dashboard/web && npm ci --no-audit --no-fund && npm run build
	@echo ">> converting Natural Earth outlines (world-atlas, topojson-client, the world simplified by topojson-simplify) into dashboard/assets/geo-world.json and geo-kosovo.json"
	cd dashboard/web && npm run geo
	@echo ">> precompressing the large assets (brotli 11, gzip 9: seconds each, too slow for start-up) into dashboard/assets/precompressed"
	$(GO) test ./dashboard -run '^TestPrecompressedAssets$$' -count=1 -update
	@echo ">> copying resvg.wasm (@resvg/resvg-wasm) and Liberation Sans (Debian fonts-liberation2) into dashboard/render"
	bash dashboard/render/assets.sh

.PHONY: clean
clean: ## remove build outputs
	@echo ">> cleaning"
	rm -rf bin charts out
