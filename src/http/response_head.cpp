#include "http/response_head.h"

#include <ostream>  // before Boost 1.74's string_view, which needs it whole

#include <boost/beast/http/status.hpp>

#include <strings.h>

#include <string_view>
#include <vector>

namespace kura {
namespace {

namespace bhttp = boost::beast::http;

// Field names compare as Beast compares them: ASCII letters in any case
// (strncasecmp in the C locale, as HttpRequest::header compares them).
bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool framing(std::string_view name) {
  return sameName(name, "Connection") || sameName(name, "Content-Length") || sameName(name, "Transfer-Encoding");
}

// Beast's field elements hold a name and a value of up to 65,533 bytes.
constexpr size_t kMaxFieldPart = 65533;

}  // namespace

std::optional<std::string> responseHead(const HttpResponse& response, bool keepAlive, unsigned version) {
  int status = response.status;
  if (status < 200 || status > 999 || status == 204 || status == 304) return std::nullopt;
  // The fields in Beast's order: `set` drops the earlier ones of a name.
  struct Field {
    std::string_view name;
    std::string_view value;
  };
  std::vector<Field> fields;
  fields.reserve(response.headers.size() + 3);
  fields.push_back({"Server", "Kura"});
  for (const auto& header : response.headers) {
    std::string_view name = header.first;
    if (framing(name) || name.size() > kMaxFieldPart || header.second.size() > kMaxFieldPart) return std::nullopt;
    std::erase_if(fields, [name](const Field& field) { return sameName(field.name, name); });
    fields.push_back({name, trimmedFieldValue(header.second)});
  }
  // Beast's keep_alive(): HTTP/1.1 says when it closes, HTTP/1.0 when it does not.
  if (version >= 11 && !keepAlive) fields.push_back({"Connection", "close"});
  if (version < 11 && keepAlive) fields.push_back({"Connection", "keep-alive"});
  std::string length = std::to_string(response.body.size());
  fields.push_back({"Content-Length", length});

  auto beastReason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  std::string_view reason(beastReason.data(), beastReason.size());
  size_t size = 17 + reason.size();  // "HTTP/x.y ### ", the reason, CRLF twice
  for (const Field& field : fields) size += field.name.size() + field.value.size() + 4;
  std::string head;
  head.reserve(size);
  head += "HTTP/";
  head += static_cast<char>('0' + version / 10);
  head += '.';
  head += static_cast<char>('0' + version % 10);
  head += ' ';
  head += static_cast<char>('0' + status / 100);
  head += static_cast<char>('0' + (status / 10) % 10);
  head += static_cast<char>('0' + status % 10);
  head += ' ';
  head += reason;
  head += "\r\n";
  for (const Field& field : fields) {
    head += field.name;
    head += ": ";
    head += field.value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace kura
