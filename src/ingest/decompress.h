// Decompress: request bodies sent with Content-Encoding gzip, deflate or zstd, inflated with
// a hard cap on the output. A body that would inflate past the cap fails with
// ResourceExhausted as soon as that is known, and the output buffer is never grown past the
// cap (zip bombs cost at most `max_output` bytes). Broken input fails with InvalidArgument.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia {

enum class ContentEncoding { kIdentity, kGzip, kDeflate, kZstd };

// Parses a Content-Encoding header value ("gzip", "x-gzip", "deflate", "zstd", "identity" or
// empty; case-insensitive, surrounding blanks ignored). nullopt when unsupported, including
// stacked encodings ("gzip, zstd").
std::optional<ContentEncoding> ParseContentEncoding(std::string_view header);

// Replaces `*out` with the decoded `in`. kIdentity copies (still capped). On error `*out` is
// left empty (its capacity stays <= max_output).
Status Decompress(ContentEncoding encoding, std::string_view in, size_t max_output,
                  std::string* out);

}  // namespace vigia
