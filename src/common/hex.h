// Hex text of bytes and back: digests, keys, signatures, ledger hashes and trace ids, written
// as two lowercase digits per byte (the one spelling the product writes) and read in either
// case or lowercase only, as each format requires.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vigia::hex {

// Which digits a decoder accepts: kEither for what people type or paste (keys, salts,
// checkpoints' signatures); kLowerOnly for names and hashes the product wrote itself, where
// another spelling is another, invalid value.
enum class Case { kEither, kLowerOnly };

// Appends two lowercase digits per byte of `bytes` to *out.
void AppendTo(std::string_view bytes, std::string* out);

// The lowercase hex of `bytes`.
std::string Encode(std::string_view bytes);
inline std::string Encode(std::span<const uint8_t> bytes) {
  return Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Replaces *out with the bytes of `hex`; false (and *out unspecified) when `hex` has an odd
// length or a character that is not a digit of `c`.
bool Decode(std::string_view hex, Case c, std::string* out);

// Decodes exactly out.size() bytes; false unless hex.size() == 2 * out.size() and every
// character is a digit of `c` (out unspecified then).
bool DecodeInto(std::string_view hex, Case c, std::span<uint8_t> out);

}  // namespace vigia::hex
