#include "ingest/protowire/proto_reader.h"

#include <cstring>

namespace vigia::protowire {

bool ReadVarint(const char** p, const char* end, uint64_t* v) {
  const char* q = *p;
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && q < end; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(*q++);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *v = result;
      return true;
    }
  }
  return false;
}

bool ProtoReader::Fail(const char* why) {
  error_ = why;
  p_ = end_;
  return false;
}

bool ProtoReader::WrongType() { return Fail("field with an unexpected wire type"); }

bool ProtoReader::Next() {
  if (error_ != nullptr || p_ >= end_) return false;
  uint64_t tag = 0;
  if (!protowire::ReadVarint(&p_, end_, &tag)) return Fail("truncated field tag");
  const uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff) return Fail("invalid field number");
  field_ = static_cast<uint32_t>(number);
  switch (tag & 7) {
    case 0:
      type_ = WireType::kVarint;
      if (!protowire::ReadVarint(&p_, end_, &scalar_)) return Fail("truncated varint");
      return true;
    case 1:
      type_ = WireType::kFixed64;
      if (end_ - p_ < 8) return Fail("truncated fixed64");
      std::memcpy(&scalar_, p_, 8);  // little-endian hosts (x86-64, arm64)
      p_ += 8;
      return true;
    case 2: {
      type_ = WireType::kLen;
      uint64_t len = 0;
      if (!protowire::ReadVarint(&p_, end_, &len)) return Fail("truncated length");
      if (len > static_cast<uint64_t>(end_ - p_)) return Fail("length past the end of the message");
      bytes_ = std::string_view(p_, static_cast<size_t>(len));
      p_ += len;
      return true;
    }
    case 5: {
      type_ = WireType::kFixed32;
      if (end_ - p_ < 4) return Fail("truncated fixed32");
      uint32_t v = 0;
      std::memcpy(&v, p_, 4);
      scalar_ = v;
      p_ += 4;
      return true;
    }
    default:
      return Fail("unsupported wire type (groups)");
  }
}

bool ProtoReader::ReadVarint(uint64_t* v) {
  if (type_ != WireType::kVarint) return WrongType();
  *v = scalar_;
  return true;
}

bool ProtoReader::ReadFixed64(uint64_t* v) {
  if (type_ != WireType::kFixed64) return WrongType();
  *v = scalar_;
  return true;
}

bool ProtoReader::ReadFixed32(uint32_t* v) {
  if (type_ != WireType::kFixed32) return WrongType();
  *v = static_cast<uint32_t>(scalar_);
  return true;
}

bool ProtoReader::ReadBytes(std::string_view* v) {
  if (type_ != WireType::kLen) return WrongType();
  *v = bytes_;
  return true;
}

}  // namespace vigia::protowire
