#include "server/http_message.h"

#include "common/ascii.h"

namespace vigia {

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (ascii::EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (ascii::EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

std::string_view HttpRequest::QueryParam(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    if (key == name) return eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
  }
  return {};
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace vigia
