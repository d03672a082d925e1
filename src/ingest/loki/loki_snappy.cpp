#include "ingest/loki/loki_snappy.h"

#include <snappy.h>

namespace vigia::loki {

Status SnappyUncompress(std::string_view in, size_t max_output, std::string* out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(in.data(), in.size(), &length)) {
    return Status::InvalidArgument("body is not snappy-compressed (Loki's protobuf push is)");
  }
  if (length > max_output) {
    return Status::ResourceExhausted("snappy body uncompresses to " + std::to_string(length) +
                                     " bytes");
  }
  if (!snappy::Uncompress(in.data(), in.size(), out)) {
    return Status::InvalidArgument("corrupt snappy body");
  }
  return Status::Ok();
}

}  // namespace vigia::loki
