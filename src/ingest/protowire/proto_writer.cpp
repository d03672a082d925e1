#include "ingest/protowire/proto_writer.h"

#include <cstring>

namespace vigia::protowire {

void ProtoWriter::Raw(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ProtoWriter::Tag(uint32_t field, uint32_t wire_type) {
  Raw((static_cast<uint64_t>(field) << 3) | wire_type);
}

ProtoWriter& ProtoWriter::Varint(uint32_t field, uint64_t v) {
  Tag(field, 0);
  Raw(v);
  return *this;
}

ProtoWriter& ProtoWriter::Fixed64(uint32_t field, uint64_t v) {
  Tag(field, 1);
  char b[8];
  std::memcpy(b, &v, 8);  // little-endian hosts
  out_->append(b, 8);
  return *this;
}

ProtoWriter& ProtoWriter::Fixed32(uint32_t field, uint32_t v) {
  Tag(field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  out_->append(b, 4);
  return *this;
}

ProtoWriter& ProtoWriter::Double(uint32_t field, double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, 8);
  return Fixed64(field, bits);
}

ProtoWriter& ProtoWriter::Bytes(uint32_t field, std::string_view v) {
  Tag(field, 2);
  Raw(v.size());
  out_->append(v);
  return *this;
}

}  // namespace vigia::protowire
