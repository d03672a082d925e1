// ContentNegotiation: the one parser of the Accept and Accept-Encoding request headers
// (RFC 9110 §12.5.1 and §12.5.3) for the server's choices that depend on them: whether a
// GET / is a browser's navigation (the dashboard) or an API client's (the Elasticsearch
// handshake), whether an SSE client asked for text/event-stream, and whether a gzip body may
// be sent. Each header is parsed once into its weighted items.
//
// Rules: items are comma-separated, case-insensitive, with optional ";q=" weights (other
// parameters are ignored); q=0 refuses an item and a malformed q counts as 0 (never send
// what a client may have refused). For media types the most specific matching range decides
// (type/subtype over type/* over */*); for content codings an explicit coding decides over
// "*" (`gzip;q=0, *` refuses gzip), and "x-gzip" is gzip. A request without Accept-Encoding
// gets no content coding (curl without --compressed cannot decode one).
//
// Thread-safety: immutable values; pure functions; thread-safe. A parsed header holds views
// into the header text, which must outlive it.
#pragma once

#include <string_view>
#include <vector>

#include "server/http_message.h"

namespace vigia {

// One item of a weighted list: "text/html", "gzip", "*/*", with its q in [0, 1].
struct WeightedItem {
  std::string_view value;  // trimmed, parameters removed
  double q = 1.0;
};

// The items of an Accept or Accept-Encoding value, in order (empty items skipped).
std::vector<WeightedItem> ParseWeightedList(std::string_view header);

// A parsed Accept header.
class AcceptedMediaTypes {
 public:
  explicit AcceptedMediaTypes(std::string_view accept_header);
  // The q of `media_type` ("text/html"): the most specific matching range's; 1 when the
  // header is absent (everything is acceptable), 0 when no range matches.
  double Quality(std::string_view media_type) const;
  // Whether `media_type` is named by itself (not through a wildcard) with q > 0: browsers
  // name text/html in every navigation, API clients send */*, application/json or nothing.
  bool NamesExplicitly(std::string_view media_type) const;

 private:
  std::vector<WeightedItem> items_;
  bool present_ = false;
};

// A parsed Accept-Encoding header.
class AcceptedEncodings {
 public:
  explicit AcceptedEncodings(std::string_view accept_encoding_header);
  // Whether a body in `coding` ("gzip") may be sent: the coding's own item if it has one,
  // else "*"'s; false when the header is absent or names neither.
  bool Accepts(std::string_view coding) const;

 private:
  std::vector<WeightedItem> items_;
};

// A browser navigation: Accept names text/html explicitly with q > 0.
bool IsBrowserNavigation(const HttpRequest& req);
// Accept-Encoding of `req` accepts gzip.
bool AcceptsGzip(const HttpRequest& req);
// Accept-Encoding of `req` accepts brotli ("br").
bool AcceptsBrotli(const HttpRequest& req);

}  // namespace vigia
