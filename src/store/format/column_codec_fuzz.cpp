// libFuzzer target: any bytes as a stored column chunk, and any int64 values through the
// integer codec. A part's chunks come from disk, where a damaged file or a hostile backup can
// put anything: decoding must refuse what is malformed without crashing, looping or reading
// out of bounds; and every value sequence must round-trip through each mode set.
//
// Input: byte 0 picks the test (bit 7: round trip, else decode) and, for decode, the column
// type (low bits); bytes 1-2 the block's rows (1..4096); the rest is the chunk, or the values
// (8 bytes each) of the round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/arena.h"
#include "store/format/codec_delta.h"
#include "store/format/column_codec.h"

namespace {

void RoundTrip(const uint8_t* data, size_t size) {
  std::vector<int64_t> values(size / 8);
  if (!values.empty()) std::memcpy(values.data(), data, values.size() * 8);
  for (vigia::IntModes modes : {vigia::IntModes::kWithPacked, vigia::IntModes::kVarintOnly}) {
    std::string buf;
    const vigia::IntEncoding enc = vigia::EncodeInts(values, &buf, modes);
    if (modes == vigia::IntModes::kVarintOnly && vigia::IsPackedIntEncoding(enc)) abort();
    vigia::ByteReader r(buf);
    std::vector<int64_t> back;
    if (!vigia::DecodeInts(&r, values.size(), &back) || back != values || !r.empty()) abort();
  }
}

void Decode(uint8_t selector, uint32_t num_rows, const uint8_t* data, size_t size) {
  // Copy so that ASan sees reads past the end.
  const std::string stored(reinterpret_cast<const char*>(data), size);
  const auto type = static_cast<vigia::ColumnType>(selector % 5);
  std::string raw;
  vigia::Arena arena;
  vigia::ColumnVector out;
  if (vigia::DecodeColumnChunk(stored, type, num_rows, &raw, &arena, &out)) {
    if (out.present.size() != num_rows) abort();
  }
  // The same bytes read for every third row only.
  std::vector<uint32_t> rows;
  for (uint32_t r = 0; r < num_rows; r += 3) rows.push_back(r);
  std::string scratch, text;
  vigia::ColumnVector some;
  size_t present = 0;
  if (vigia::DecodeColumnChunkRows(stored, type, num_rows, rows, &scratch, &text, &some,
                                   &present)) {
    if (some.present.size() != rows.size() || present > num_rows) abort();
  }
  // And as a bare int encoding of num_rows values.
  vigia::ByteReader r(stored);
  std::vector<int64_t> ints;
  if (vigia::DecodeInts(&r, num_rows, &ints) && ints.size() != num_rows) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t selector = data[0];
  const uint32_t num_rows = 1 + ((static_cast<uint32_t>(data[1]) << 8 | data[2]) % 4096);
  if (selector & 0x80) {
    RoundTrip(data + 3, size - 3);
  } else {
    Decode(selector, num_rows, data + 3, size - 3);
  }
  return 0;
}
