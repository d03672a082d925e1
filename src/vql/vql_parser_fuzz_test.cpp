// Runs the parser fuzz target (vql_parser_fuzz.cpp) on deterministic random mutations of the
// golden and documentation queries, so every build (not only -DVIGIA_FUZZ clang builds)
// exercises the parser on hostile input under ASan/UBSan.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/fuzz_mutator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::vector<std::string> kSeeds = {
    "level:error service:sales-api _time:1h",
    "\"connection refused\" -service:reports",
    "kind:request status:>=500 | stats count() by (_time:1m)",
    "msg:\"Login failed*\" _time:1h | stats count() as failures by (ip) | where failures > 10 "
    "| sort by (failures desc)",
    "* | stats count() as t, count() if (status:in(401, 403)) as d by (_time:5m) | math "
    "round(d / t * 100, 1) as pct",
    "(route:~\"^/a\" or x:/b*) status != 429 a:* | top 3 by (route) | fields route, hits",
    "_time:[2026-11-22T10:00:00Z, 2026-11-22T11:00:00Z] | stats quantile(0.9, duration_ms), "
    "rate(), count_distinct(route), sum(status), min(status), max(status), avg(status)",
};

const char kAlphabet[] = " \t\n()[],|:\"'=<>!~*-#\\_.0123456789abcdefghijklmnopqrstuvwxyz";

TEST(VqlParserFuzz, RandomMutationsNeverCrash) {
  std::mt19937_64 rng(42);
  int runs = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string s =
        vigia::MutateForFuzz(kSeeds[rng() % kSeeds.size()], kSeeds, kAlphabet, 6, 20, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  EXPECT_EQ(runs, 30000);
}

}  // namespace
