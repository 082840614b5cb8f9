# certkeeper entry points. The two that matter:
#   make demo   set up everything and show certkeeper's main job on a local default
#   make test   set up everything and run the whole suite; ends with "N passed, N failed"
# Both install missing Debian packages (tools/install-deps.sh) and build the Go test tools once
# per version into ~/.cache/certkeeper (tools/go-tools.sh).

# Go lives here on Debian machines set up for this project (see docs/testing.md).
export PATH := /usr/local/go/bin:$(PATH)

PRESET ?= dev
BUILD_DIR := build/$(PRESET)
SOURCES = $(shell git ls-files '*.cc' '*.h' 2>/dev/null)

.PHONY: all deps tools configure build test unit integration demo demo-down image bench bench-informer bench-acme bench-acme-issuer bench-certificates fuzz format format-check tidy clean

all: build

deps:
	@tools/install-deps.sh

tools: deps
	@tools/go-tools.sh ensure

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET)

test: deps tools
	@$(MAKE) --no-print-directory build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
	@tools/run-tests.sh $(BUILD_DIR) 'unit|integration|lint|fuzz'

unit: build
	@tools/run-tests.sh $(BUILD_DIR) unit

integration: tools build
	@tools/run-tests.sh $(BUILD_DIR) integration

demo: deps tools build
	@tools/demo.sh $(BUILD_DIR)

# Benchmarks against their peers (minutes; never part of make test). Figures: docs/benchmarks.md.
# One after the other, never side by side. bench-acme and bench-certificates build their peers
# (lego; cert-manager's controllers) into the tools cache (make test never builds them);
# BENCH_N, BENCH_TIMEOUT and CERTKEEPER_BIN tune them (bench/*/run.sh).
bench: deps tools
	@bench/informer/run.sh
	@bench/acme/run.sh
	@bench/acme-issuer/run.sh
	@bench/certificates/run.sh

bench-informer: deps tools
	@bench/informer/run.sh

bench-acme: deps tools
	@bench/acme/run.sh
bench-acme-issuer: deps tools
	@bench/acme-issuer/run.sh
bench-certificates: deps tools
	@bench/certificates/run.sh

# Refresh charts/certkeeper's copies of crds/ and deploy/rbac/controller-*.yaml and its version
# from CMakeLists.txt (tools.chart fails until this is run after changing them).
.PHONY: chart-sync
chart-sync:
	@tools/chart-sync.sh

demo-down:
	@tools/demo.sh $(BUILD_DIR) down

# The container image certkeeper:<version> (docs/container-image.md): base images made with
# debootstrap (no registry needed), then docker build. CK_IMAGE_JOBS sets the compile jobs.
image: deps
	@tools/image.sh build

format:
	@clang-format-14 -i $(SOURCES)

format-check:
	@clang-format-14 --dry-run --Werror $(SOURCES)

# clang-tidy over every translation unit of the build (slow: minutes; not part of `make test`).
tidy: configure
	@run-clang-tidy-14 -quiet -p $(BUILD_DIR) $(filter %.cc,$(SOURCES))

clean:
	@rm -rf build

# libFuzzer targets, longer than make test's 20 s each: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 120
fuzz: deps
	@tools/fuzz.sh $(FUZZ_SECONDS)
