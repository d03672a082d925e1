// Bloom filters of one column chunk, and the tokenizer that feeds them.
//
// Two kinds of chunk filters (BloomKind): kTokens holds the words of a text column (msg,
// error.*), so a word search skips blocks that cannot contain the word; kValues holds whole
// values of a high-cardinality column (request_id, trace_id, user_id, ip...), so a lookup
// by id reads only the blocks that may hold it.
//
// Tokens are maximal runs of ASCII letters, digits and '_' plus any byte >= 0x80 (so UTF-8
// words stay whole), ASCII-lowercased: the filter answers "may contain this word, ignoring
// ASCII case"; the scan then checks the rows exactly.
//
// Filter layout: u8 probe_count, then the bit array (LSB-first bytes). Probes use double
// hashing of a 64-bit XXH3 hash. Word filters: ~10 bits per distinct key, 7 probes, ~0.8%
// false positives; whole-value filters: ~14 bits, 10 probes, ~0.12% (limits.h says why).
//
// Thread-safety: BloomBuilder externally synchronized; free functions thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {

enum class BloomKind : uint8_t { kNone = 0, kTokens = 1, kValues = 2 };

// Hash of a whole value (kValues filters).
uint64_t BloomValueHash(std::string_view value);
// Hash of a token, ASCII-lowercased first (kTokens filters).
uint64_t BloomTokenHash(std::string_view token);

// Calls fn(token) for every token of `text` (as defined above; not lowercased).
void ForEachToken(std::string_view text, const std::function<void(std::string_view)>& fn);
// True when `text` contains `token` as a whole token, ASCII case-insensitively.
bool ContainsToken(std::string_view text, std::string_view token);

class BloomBuilder {
 public:
  void AddHash(uint64_t h) { hashes_.push_back(h); }
  bool empty() const { return hashes_.empty(); }
  // Builds the filter sized for the distinct hashes added, then clears the builder.
  std::string Finish(int bits_per_key = 10);

 private:
  std::vector<uint64_t> hashes_;
};

// False only when `filter` surely does not contain `hash`. A malformed (empty) filter
// answers true: never skip data because of a bad index.
bool BloomMayContain(std::string_view filter, uint64_t hash);

}  // namespace vigia
