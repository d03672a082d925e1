#include "record.h"

namespace vigia::sdk::internal {

bool decode_record(const char* data, size_t len, DecodedEvent* out) {
  out->clear();
  if (len < kRecordFixed) return false;
  std::memcpy(&out->ticks, data, 8);
  uint8_t kind = static_cast<uint8_t>(data[8]), level = static_cast<uint8_t>(data[9]);
  if (kind > static_cast<uint8_t>(Kind::kMetric) || level > static_cast<uint8_t>(Level::kFatal))
    return false;
  out->kind = static_cast<Kind>(kind);
  out->level = static_cast<Level>(level);
  uint16_t msg_len, ctx_len;
  std::memcpy(&msg_len, data + 10, 2);
  std::memcpy(&ctx_len, data + 12, 2);
  size_t nframes = static_cast<uint8_t>(data[14]);
  size_t nfields = static_cast<uint8_t>(data[15]);
  size_t p = kRecordFixed;
  if (p + nframes * 8 + msg_len + ctx_len > len) return false;
  for (size_t i = 0; i < nframes; ++i) {
    uint64_t a;
    std::memcpy(&a, data + p + i * 8, 8);
    out->frames.push_back(static_cast<uintptr_t>(a));
  }
  p += nframes * 8;
  out->msg = std::string_view(data + p, msg_len);
  p += msg_len;
  size_t ctx_end = p + ctx_len;
  while (p < ctx_end) {
    if (p + 3 > ctx_end) return false;
    size_t kl = static_cast<uint8_t>(data[p]);
    size_t vl = static_cast<uint8_t>(data[p + 1]) |
                (static_cast<size_t>(static_cast<uint8_t>(data[p + 2])) << 8);
    if (p + 3 + kl + vl > ctx_end) return false;
    out->context.emplace_back(std::string_view(data + p + 3, kl),
                              std::string_view(data + p + 3 + kl, vl));
    p += 3 + kl + vl;
  }
  for (size_t i = 0; i < nfields; ++i) {
    if (p + 4 > len) return false;
    DecodedField f;
    uint8_t type = static_cast<uint8_t>(data[p]);
    size_t kl = static_cast<uint8_t>(data[p + 1]);
    uint16_t sl;
    std::memcpy(&sl, data + p + 2, 2);
    p += 4;
    if (p + kl > len) return false;
    f.key = std::string_view(data + p, kl);
    p += kl;
    f.type = static_cast<Field::Type>(type);
    switch (f.type) {
      case Field::Type::kInt:
        if (p + 8 > len) return false;
        std::memcpy(&f.i, data + p, 8);
        p += 8;
        break;
      case Field::Type::kDouble:
        if (p + 8 > len) return false;
        std::memcpy(&f.d, data + p, 8);
        p += 8;
        break;
      case Field::Type::kBool: {
        if (p + 8 > len) return false;
        int64_t v;
        std::memcpy(&v, data + p, 8);
        f.b = v != 0;
        p += 8;
        break;
      }
      case Field::Type::kString:
        if (p + sl > len) return false;
        f.s = std::string_view(data + p, sl);
        p += sl;
        break;
      case Field::Type::kNull:
        if (p + 8 > len) return false;
        p += 8;
        break;
      default:
        return false;
    }
    out->fields.push_back(f);
  }
  return true;
}

}  // namespace vigia::sdk::internal
