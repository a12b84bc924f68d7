#pragma once
// A request as it came off the wire and the response to it, free of any
// HTTP library's types so that the layers above stay testable on their own.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kura {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, undecoded
  HeaderList headers;  // in order, original case, duplicates kept
  std::string body;
  std::string remoteAddress;

  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
  std::string_view path() const;
  std::string_view query() const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
};

}  // namespace kura
