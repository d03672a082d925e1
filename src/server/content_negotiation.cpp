#include "server/content_negotiation.h"

#include "common/ascii.h"

namespace vigia {
namespace {

// RFC 9110 §12.4.2 qvalue, leniently: digits with at most one '.', clamped to [0, 1].
// Anything else is malformed → 0 (a refusal).
double ParseQ(std::string_view s) {
  if (s.empty()) return 0;
  double value = 0;
  double scale = 0;  // 0 before the '.', then 0.1, 0.01, ...
  for (char c : s) {
    if (c == '.') {
      if (scale != 0) return 0;
      scale = 0.1;
    } else if (c >= '0' && c <= '9') {
      if (scale == 0) {
        value = value * 10 + (c - '0');
        if (value > 1) return 1;
      } else {
        value += (c - '0') * scale;
        scale /= 10;
      }
    } else {
      return 0;
    }
  }
  return value > 1 ? 1 : value;
}

bool SameCoding(std::string_view a, std::string_view b) {
  auto canonical = [](std::string_view c) {
    return ascii::EqualsLower(c, "x-gzip") ? std::string_view("gzip") : c;
  };
  return ascii::EqualsIgnoreCase(canonical(a), canonical(b));
}

}  // namespace

std::vector<WeightedItem> ParseWeightedList(std::string_view header) {
  std::vector<WeightedItem> out;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    WeightedItem w;
    w.value = ascii::TrimSpaces(item.substr(0, semi));
    if (w.value.empty()) continue;
    // Parameters: the first "q" is the weight (media types may carry others before it).
    while (semi != std::string_view::npos) {
      item = item.substr(semi + 1);
      semi = item.find(';');
      std::string_view param = ascii::TrimSpaces(item.substr(0, semi));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (ascii::EqualsLower(ascii::TrimSpaces(param.substr(0, eq)), "q")) {
        w.q = ParseQ(ascii::TrimSpaces(param.substr(eq + 1)));
        break;
      }
    }
    out.push_back(w);
  }
  return out;
}

AcceptedMediaTypes::AcceptedMediaTypes(std::string_view accept_header)
    : items_(ParseWeightedList(accept_header)), present_(!accept_header.empty()) {}

double AcceptedMediaTypes::Quality(std::string_view media_type) const {
  if (!present_) return 1.0;
  size_t slash = media_type.find('/');
  std::string_view type = media_type.substr(0, slash);
  int best_rank = 0;  // 3: type/subtype, 2: type/*, 1: */*
  double q = 0;
  for (const WeightedItem& item : items_) {
    int rank = 0;
    if (ascii::EqualsIgnoreCase(item.value, media_type)) {
      rank = 3;
    } else if (item.value == "*/*") {
      rank = 1;
    } else if (item.value.size() == type.size() + 2 &&
               ascii::EqualsIgnoreCase(item.value.substr(0, type.size()), type) &&
               item.value.substr(type.size()) == "/*") {
      rank = 2;
    }
    if (rank > best_rank) {
      best_rank = rank;
      q = item.q;
    }
  }
  return q;
}

bool AcceptedMediaTypes::NamesExplicitly(std::string_view media_type) const {
  for (const WeightedItem& item : items_) {
    if (ascii::EqualsIgnoreCase(item.value, media_type)) return item.q > 0;
  }
  return false;
}

AcceptedEncodings::AcceptedEncodings(std::string_view accept_encoding_header)
    : items_(ParseWeightedList(accept_encoding_header)) {}

bool AcceptedEncodings::Accepts(std::string_view coding) const {
  const WeightedItem* star = nullptr;
  for (const WeightedItem& item : items_) {
    if (SameCoding(item.value, coding)) return item.q > 0;
    if (item.value == "*" && star == nullptr) star = &item;
  }
  return star != nullptr && star->q > 0;
}

bool IsBrowserNavigation(const HttpRequest& req) {
  return AcceptedMediaTypes(req.Header("Accept")).NamesExplicitly("text/html");
}

bool AcceptsGzip(const HttpRequest& req) {
  return AcceptedEncodings(req.Header("Accept-Encoding")).Accepts("gzip");
}

bool AcceptsBrotli(const HttpRequest& req) {
  return AcceptedEncodings(req.Header("Accept-Encoding")).Accepts("br");
}

}  // namespace vigia
