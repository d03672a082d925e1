// The snappy block compression of Loki's protobuf pushes (the body of an
// application/x-protobuf POST /loki/api/v1/push is always snappy-compressed, whatever
// Content-Encoding says), undone with a bound on the output like the other encodings
// (ingest/decompress.h).
//
// Thread-safety: pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia::loki {

// Uncompresses `in` into *out. InvalidArgument when `in` is not a snappy block;
// ResourceExhausted when it would exceed `max_output` bytes.
Status SnappyUncompress(std::string_view in, size_t max_output, std::string* out);

}  // namespace vigia::loki
