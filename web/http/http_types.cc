// SPDX-License-Identifier: Apache-2.0
// HttpRequest/HttpResponse helpers: case-insensitive header names (RFC 9110 section 5.1).

#include "web/http/http_types.h"

#include <algorithm>

namespace sluice::web {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

}  // namespace

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::string_view HttpRequest::Header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [existing, old_value] : headers) {
    if (EqualsIgnoreCase(existing, name)) {
      old_value = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace sluice::web
