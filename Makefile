# vigia — top-level entry points. `make run` and `make test` each do the whole set-up on a
# fresh Debian 12 machine: install missing packages, configure, build, then run.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja  # ninja-build is installed by scripts/install-deps.sh
ARGS       ?=
# ccache keys on paths relative to the checkout, so every build dir (and the clone of
# standalone_clone_test) shares cached objects.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all deps configure build dashboard-web run test test-release test-asan test-tsan test-fuzz bench bench-smoke bench-cluster bench-scale clean format demo deb

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The dashboard's bundle (src/dashboard/web/ → src/dashboard/ui/, committed) is rebuilt from its
# TypeScript sources when npm is installed; without node the committed bundle is served.
dashboard-web:
	@if command -v npm > /dev/null; then \
	  cd src/dashboard/web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs; \
	else echo "make: no npm: the dashboard is the committed bundle in src/dashboard/ui/"; fi

run: dashboard-web
	$(MAKE) build
	./$(BUILD)/vigia serve $(ARGS)

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The ASan tree builds with clang: about half GCC's compile time under ASan/UBSan here (a
# CLI11 command file: 11 s vs 21 s), and clang's libFuzzer lets one ASan tree serve both the
# tests and the fuzz targets. The Release tree (what users run) and the TSan tree stay on the
# system compiler (GCC).
# Both sanitizer trees are unity builds (CMAKE_UNITY_BUILD: up to 8 .cpp files of a target per
# compiler run): the headers and their inline code are compiled once per batch, not per file
# (the ASan tree: 2,494 s of compile in 701 steps before, on 2026-12-07). Code must stay
# unity-safe: no two .cpp files of one target define the same name in an anonymous namespace
# (common/time_units.h, common/ascii.h hold what they used to repeat). The Release tree's
# libraries, what users run and make bench measures, compile file by file (its tests are
# unity targets: vigia_test in cmake/vigia.cmake).
SAN_CMAKE = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIA_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON
ASAN_CMAKE = -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ $(SAN_CMAKE) \
  -DVIGIA_SANITIZE=address,undefined -DVIGIA_FUZZ=ON

# Every unit and integration test again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Builds what those tests run (vigia_sanitizer_tests, cmake/vigia.cmake) and the fuzz
# targets, not `all`: the no_sanitizer tests' binaries would never run in this tree.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) $(ASAN_CMAKE)
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target vigia_sanitizer_tests vigia_fuzzers
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE no_sanitizer

# The concurrent parts (tests labelled `concurrent`) under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) $(SAN_CMAKE) -DVIGIA_SANITIZE=thread
	@# Only the targets of tests labelled `concurrent` (test name = target name): a full TSan
	@# build would double CI time for code that runs on one thread.
	targets=$$(cd $(TSAN_BUILD) && ctest -N -L concurrent | awk '/Test +#/ {print $$3}'); \
	  if [ -n "$$targets" ]; then cmake --build $(TSAN_BUILD) -j $(JOBS) --target $$targets vigia; fi
	cd $(TSAN_BUILD) && TSAN_OPTIONS="suppressions=$(CURDIR)/cmake/tsan.supp $$TSAN_OPTIONS" \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L concurrent

# Every parser of user input under libFuzzer (ASan/UBSan) for a short, bounded run: the fuzz
# targets live in the ASan tree (nothing to build after test-asan); the list is each build's
# fuzz_targets.tsv (vigia_fuzz_target in cmake/vigia.cmake), $(JOBS) targets at a time (each
# libFuzzer process is one thread). 20 s per target keeps make test under 45 minutes; run
# longer by hand: make test-fuzz FUZZ_SECONDS=600.
FUZZ_SECONDS ?= 20
test-fuzz: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) $(ASAN_CMAKE)
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target vigia_fuzzers
	FUZZ_JOBS=$(JOBS) scripts/run-fuzzers.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

test: test-release test-asan test-tsan test-fuzz bench-smoke

# vigia vs ClickHouse and DuckDB on the same generated data (bench/README.md); EVENTS=N to resize.
bench: build
	VIGIA_WITH_PEERS=1 scripts/install-deps.sh
	cd bench/duckdb && npm ci --no-audit --no-fund
	BUILD=$(BUILD) bench/run.sh --events $${EVENTS:-10000000}
	BUILD=$(BUILD) bench/file_bench.sh
	INGEST_EVENTS=2000000 BATCH=20000 bench/mixed_load.sh $(BUILD) 1000000 0
	$(BUILD)/monitor_bench --events $${EVENTS:-10000000}
	$(BUILD)/redact_bench --events 500000 --rounds 5
	$(BUILD)/audit_bench --events 1000000 --mix-events 400000 --rounds 3

# The same at 100k events: part of `make test` so the harness and the peers never rot (DuckDB
# only when bench/duckdb/node_modules is installed: no network in make test).
bench-smoke: build
	VIGIA_WITH_PEERS=1 scripts/install-deps.sh
	BUILD=$(BUILD) bench/run.sh --events 100000 --smoke
	VIGIA_STORE_MEMTABLE_FLUSH_AGE_MS=1000 INGEST_EVENTS=100000 BATCH=5000 QUERIES=3 INTERVAL=0.2 \
	  bench/mixed_load.sh $(BUILD) 20000 0
	$(BUILD)/monitor_bench --events 100000 --reps 3
	$(BUILD)/redact_bench --events 20000 --rounds 1
	$(BUILD)/audit_bench --events 20000 --mix-events 10000 --rounds 1

# One vigia node on 1- and 2-shard ClickHouse clusters on loopback vs the embedded store, same
# events: ingest events/s, CPU per event, query latency, answers compared (bench/cluster/run.sh,
# bench/README.md; 5.3 min at the default 4M events on 2 cores; EVENTS=N to resize). Not in make test.
bench-cluster: build
	VIGIA_WITH_PEERS=1 scripts/install-deps.sh
	BUILD=$(BUILD) bench/cluster/run.sh --events $${EVENTS:-4000000}

# vigia at 1M, 10M and 100M events streamed from the generator (issue 20's scale run:
# bench/scale/scale_run.sh, bench/README.md; ~25 min on 2 cores, ~4 GB of disk; SIZES="..." to
# change). Not in make test.
bench-scale: build
	BUILD=$(BUILD) bench/scale/scale_run.sh --events "$${SIZES:-1000000 10000000 100000000}"

# Debian packages vigia_<version>_<arch>.deb (server, unit, config, rules) and vigia-dev (the
# SDK) into $(BUILD)/deb (packaging/deb/build-deb.sh; installed and run by deb_install_test).
deb: build
	packaging/deb/build-deb.sh $(BUILD) $(BUILD)/deb

format:
	git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

# vigia server + the SDK-instrumented pharmacy example + its traffic generator with incidents.
demo: build
	examples/pharmacy/demo.sh $(BUILD) $${DEMO_SECONDS:-20}
