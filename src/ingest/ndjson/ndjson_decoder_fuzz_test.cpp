// Runs the decoder's fuzz target (ndjson_decoder_fuzz.cpp: never crash, consistent counts,
// projected decoding the same as full decoding) on its seed corpus and on deterministic
// random mutations of it, so every build (not only -DVIGIA_FUZZ clang builds) exercises it,
// under ASan/UBSan in the sanitizer build. The target aborts on any disagreement.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/fuzz_mutator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {
      R"({"ts":"2026-11-22T10:00:00Z","lvl":"WARNING","message":"m","msg":"n","status":"failed"})",
      R"({"kind":"error","exception":{"tipo":"E","message":"x"},"error_type":"F","meta":{"a":1}})",
      R"({"extra":{"level":"debug","a":{"b":2}},"endpoint":"POST /x","details":{"x":[1,2]}})",
      R"({"time":1771158896789,"ts":"bad","status_code":"abc","kind":"Event","a.b":true})",
  };
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  const std::filesystem::path dir =
      std::filesystem::path(src ? src : ".") / "src" / "ingest" / "ndjson" / "fuzz_corpus";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    seeds.push_back(ss.str());
  }
  return seeds;
}

const char kAlphabet[] = "{}[]:,\"\\ \n0123456789.-eE+truefalsn@_abcxyz";

TEST(NdjsonDecoderFuzz, CorpusAndRandomMutationsAgreeWithAProjection) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GE(seeds.size(), 8u);
  for (const std::string& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  const std::vector<std::string> lines(seeds.begin(), seeds.begin() + 4);
  std::mt19937_64 rng(20);
  int runs = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = lines[rng() % 4];
    for (int l = static_cast<int>(rng() % 3); l > 0; --l) s += "\n" + lines[rng() % 4];
    s = vigia::MutateForFuzz(std::move(s), lines, kAlphabet, 5, 30, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  EXPECT_EQ(runs, 20000);
}

}  // namespace
