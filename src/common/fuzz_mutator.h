// MutateForFuzz: deterministic random edits of an input, for the gtest drivers that run a
// libFuzzer target in every build (vql_parser_fuzz_test, ndjson_decoder_fuzz_test), so the
// targets see hostile input under ASan/UBSan without a -DVIGIA_FUZZ clang build. 1 to
// `max_edits` edits, each one of: delete 1-4 bytes, insert a byte of `alphabet`, overwrite a
// byte with any value, splice in up to `max_splice` - 1 bytes of one of `donors` (non-empty).
//
// Thread-safety: pure function of its arguments; `rng` is the caller's.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {

inline std::string MutateForFuzz(std::string s, const std::vector<std::string>& donors,
                                 std::string_view alphabet, int max_edits, size_t max_splice,
                                 std::mt19937_64& rng) {
  int edits = 1 + static_cast<int>(rng() % max_edits);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 4) {
      case 0:
        if (!s.empty()) s.erase(pos, 1 + rng() % 4);
        break;
      case 1:
        s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
        break;
      case 2:
        if (!s.empty()) s[pos] = static_cast<char>(rng() % 256);
        break;
      case 3: {
        const std::string& other = donors[rng() % donors.size()];
        size_t from = rng() % other.size();
        s.insert(pos, other.substr(from, rng() % max_splice));
        break;
      }
    }
  }
  return s;
}

}  // namespace vigia
