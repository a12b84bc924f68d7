#pragma once
// A request as it came off the wire and the response to it, free of any
// HTTP library's types so that the layers above stay testable on their own.
#include <functional>
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
  // Handled on a connection's event loop, which must not wait: a handler
  // whose answer waits for something (a sync) answers later instead
  // (HttpResponse::answerLater).
  bool mayAnswerLater = false;

  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
  std::string_view path() const;
  std::string_view query() const;
};

// A field's value as HTTP keeps it: without leading and trailing spaces
// and tabs (what Beast's fields store, read or written).
std::string_view trimmedFieldValue(std::string_view value);

// A field whose name or value holds a CR, LF or NUL: written as is, it
// would end the head early (a header injected into the answer).
bool breaksFieldLine(std::string_view text);

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Set (only for a request that allowed it) when the answer is not ready:
  // the server calls it once, on the request's thread, with `send`, which
  // the handler then calls once, on any thread, with the answer.
  using Send = std::function<void(HttpResponse)>;
  std::function<void(Send)> answerLater;
};

}  // namespace kura
