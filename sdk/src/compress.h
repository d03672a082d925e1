// Body compression for the shipper (zstd or gzip). Thread-safe pure functions.
#pragma once

#include <string>
#include <string_view>

#include "vigia/config.h"

namespace vigia::sdk::internal {

// Returns false on a library failure (out untouched).
bool compress_body(Compression c, std::string_view in, std::string* out);
std::string_view content_encoding(Compression c);

}  // namespace vigia::sdk::internal
