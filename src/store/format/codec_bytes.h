// ByteWriter / ByteReader: the little-endian fixed-width and LEB128 varint primitives every
// part file is built from (codec_*.cpp, part_meta.cpp). ZigZag maps signed deltas to small
// unsigned varints.
//
// ByteReader never reads past its input: every Get* returns false on truncated or
// malformed input, so decoders can turn any bad byte into Status::Corruption.
//
// Thread-safety: value types, externally synchronized.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "store/format/varint_batch.h"

namespace vigia {

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  void PutU8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void PutFixed32(uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_->append(b, 4);
  }
  void PutFixed64(uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_->append(b, 8);
  }
  void PutVarint(uint64_t v) {
    char b[10];
    int n = 0;
    while (v >= 0x80) {
      b[n++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    b[n++] = static_cast<char>(v);
    out_->append(b, static_cast<size_t>(n));
  }
  void PutSignedVarint(int64_t v) { PutVarint(ZigZagEncode(v)); }
  void PutDouble(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    PutFixed64(bits);
  }
  void PutBytes(std::string_view s) { out_->append(s.data(), s.size()); }
  // Varint length, then the bytes.
  void PutString(std::string_view s) {
    PutVarint(s.size());
    PutBytes(s);
  }
  size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool GetU8(uint8_t* v) {
    if (p_ >= end_) return false;
    *v = static_cast<uint8_t>(*p_++);
    return true;
  }
  bool GetFixed32(uint32_t* v) {
    if (end_ - p_ < 4) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r |= static_cast<uint32_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 4;
    *v = r;
    return true;
  }
  bool GetFixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    *v = r;
    return true;
  }
  bool GetVarint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return false;
      uint8_t b = static_cast<uint8_t>(*p_++);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;  // more than 10 bytes: malformed
  }
  // Reads n varints into out[0..n): what n GetVarint calls read, without a bounds check per
  // byte while a longest (10-byte) varint still fits. False when one is malformed or the
  // input ends (out is then partly written).
  bool GetVarints(size_t n, uint64_t* out) {
    const uint8_t* p = DecodeVarints(reinterpret_cast<const uint8_t*>(p_),
                                     reinterpret_cast<const uint8_t*>(end_), n, out);
    if (p == nullptr) return false;
    p_ = reinterpret_cast<const char*>(p);
    return true;
  }
  bool GetSignedVarint(int64_t* v) {
    uint64_t u;
    if (!GetVarint(&u)) return false;
    *v = ZigZagDecode(u);
    return true;
  }
  bool GetDouble(double* d) {
    uint64_t bits;
    if (!GetFixed64(&bits)) return false;
    std::memcpy(d, &bits, 8);
    return true;
  }
  bool GetBytes(size_t n, std::string_view* s) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    *s = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool GetString(std::string_view* s) {
    uint64_t n;
    return GetVarint(&n) && GetBytes(static_cast<size_t>(n), s);
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  const char* position() const { return p_; }

 private:
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

}  // namespace vigia
