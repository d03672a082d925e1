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

.PHONY: all deps configure build dashboard-web run test test-release test-asan test-tsan test-fuzz bench bench-smoke clean format demo deb

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

# Every unit and integration test again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIA_SANITIZE=address,undefined \
	  -DVIGIA_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE no_sanitizer

# The concurrent parts (tests labelled `concurrent`) under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIA_SANITIZE=thread \
	  -DVIGIA_BUILD_BENCH=OFF
	@# Only the targets of tests labelled `concurrent` (test name = target name): a full TSan
	@# build would double CI time for code that runs on one thread.
	targets=$$(cd $(TSAN_BUILD) && ctest -N -L concurrent | awk '/Test +#/ {print $$3}'); \
	  if [ -n "$$targets" ]; then cmake --build $(TSAN_BUILD) -j $(JOBS) --target $$targets vigia; fi
	cd $(TSAN_BUILD) && TSAN_OPTIONS="suppressions=$(CURDIR)/cmake/tsan.supp $$TSAN_OPTIONS" \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L concurrent

# Every parser of user input under libFuzzer (clang, ASan/UBSan) for a short, bounded run.
FUZZ_BUILD   ?= build-fuzz
# 20 s per target keeps make test under 45 minutes; run longer by hand (FUZZ_SECONDS=600).
FUZZ_SECONDS ?= 20
test-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DVIGIA_FUZZ=ON -DVIGIA_BUILD_TESTS=OFF -DVIGIA_BUILD_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target ndjson_decoder_fuzz vql_parser_fuzzer \
	  query_evaluator_fuzzer fingerprint_fuzz bulk_decoder_fuzz syslog_decoder_fuzz alerting_fuzz \
	  auth_fuzz audit_export_fuzz otlp_decoder_fuzz loki_decoder_fuzz sentry_envelope_fuzz \
	  schedule_fuzz dashboard_fuzz redact_fuzz
	scratch=$$(mktemp -d) && mkdir -p $$scratch/ndjson $$scratch/vql $$scratch/query $$scratch/fp \
	    $$scratch/bulk $$scratch/syslog $$scratch/alerting $$scratch/auth $$scratch/audit \
	    $$scratch/otlp $$scratch/loki $$scratch/sentry $$scratch/schedule $$scratch/dashboard \
	    $$scratch/redact && \
	  $(FUZZ_BUILD)/src/ingest/ndjson/ndjson_decoder_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -print_final_stats=1 $$scratch/ndjson src/ingest/ndjson/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/vql/vql_parser_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	    -print_final_stats=1 $$scratch/vql tests/queries && \
	  $(FUZZ_BUILD)/src/query/query_evaluator_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	    -print_final_stats=1 $$scratch/query tests/queries && \
	  $(FUZZ_BUILD)/src/errors/fingerprint_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -print_final_stats=1 $$scratch/fp src/errors/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/ingest/elasticsearch/bulk_decoder_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/bulk src/ingest/elasticsearch/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/ingest/syslog/syslog_decoder_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/syslog src/ingest/syslog/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/alerting/alerting_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -print_final_stats=1 $$scratch/alerting src/alerting/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/server/auth_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
	    -print_final_stats=1 $$scratch/auth src/server/auth_fuzz_corpus && \
	  $(FUZZ_BUILD)/src/audit/audit_export_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=8192 -print_final_stats=1 $$scratch/audit src/audit/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/ingest/otlp/otlp_decoder_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/otlp src/ingest/otlp/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/ingest/loki/loki_decoder_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/loki src/ingest/loki/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/ingest/sentry/sentry_envelope_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=8192 -print_final_stats=1 $$scratch/sentry src/ingest/sentry/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/common/schedule_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/schedule src/common/schedule_fuzz_corpus && \
	  $(FUZZ_BUILD)/src/dashboard/dashboard_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=1024 -print_final_stats=1 $$scratch/dashboard src/dashboard/fuzz_corpus && \
	  $(FUZZ_BUILD)/src/redact/redact_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -print_final_stats=1 $$scratch/redact src/redact/fuzz_corpus && \
	  rm -rf $$scratch

test: test-release test-asan test-tsan test-fuzz bench-smoke

# vigia vs ClickHouse and DuckDB on the same generated data (bench/README.md); EVENTS=N to resize.
bench: build
	VIGIA_WITH_PEERS=1 scripts/install-deps.sh
	cd bench/duckdb && npm ci --no-audit --no-fund
	BUILD=$(BUILD) bench/run.sh --events $${EVENTS:-10000000}
	BUILD=$(BUILD) bench/file_bench.sh
	$(BUILD)/monitor_bench --events $${EVENTS:-10000000}
	$(BUILD)/redact_bench --events 500000 --rounds 5
	$(BUILD)/audit_bench --events 1000000 --mix-events 400000 --rounds 3

# The same at 100k events: part of `make test` so the harness and the peers never rot (DuckDB
# only when bench/duckdb/node_modules is installed: no network in make test).
bench-smoke: build
	VIGIA_WITH_PEERS=1 scripts/install-deps.sh
	BUILD=$(BUILD) bench/run.sh --events 100000 --smoke
	$(BUILD)/monitor_bench --events 100000 --reps 3
	$(BUILD)/redact_bench --events 20000 --rounds 1
	$(BUILD)/audit_bench --events 20000 --mix-events 10000 --rounds 1

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
