// Fuzzes the API listener's request reading (http/request_reader.h) against
// the message Beast's own parser builds from the same bytes: both accept or
// refuse alike, and what they read is the same (method, target, fields,
// body, version; keep-alive where at most one Connection field speaks, as
// the reader reads them all). Trailers past the reader's limit are the
// one refusal of its own. The message moves a
// field up to the last one of its name; the reader keeps the wire's order:
// the fields of each name, in their order, are the same.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/request_reader.h"

namespace {

namespace bhttp = boost::beast::http;

template <class Parser>
bool feed(Parser& parser, const char* data, size_t size) {
  parser.body_limit(4096);
  parser.header_limit(4096);
  parser.eager(true);
  size_t at = 0;
  while (!parser.is_done()) {
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(data + at, size - at), ec);
    // Short of a whole request: a connection would wait for more.
    if (ec || used == 0) return false;
    at += used;
  }
  return true;
}

std::string lowered(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void check(bool same) {
  if (!same) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  bhttp::request_parser<bhttp::string_body> message;
  kura::RequestReader reader;
  bool byMessage = feed(message, text, size);
  bool byReader = feed(reader, text, size);
  check(byMessage == byReader);
  if (!byMessage) return 0;
  const auto& m = message.get();
  const kura::HttpRequest& r = reader.request();
  check(r.method == std::string(m.method_string()) && r.target == std::string(m.target()));
  kura::HeaderList fromMessage;
  int connectionFields = 0;
  bool saidClose = false;
  for (const auto& field : m) {
    fromMessage.emplace_back(std::string(field.name_string()), std::string(field.value()));
    if (field.name() == bhttp::field::connection) {
      ++connectionFields;
      saidClose = saidClose || bhttp::token_list(field.value()).exists("close");
    }
  }
  kura::HeaderList fromReader = r.headers;
  auto byName = [](const auto& a, const auto& b) { return lowered(a.first) < lowered(b.first); };
  std::stable_sort(fromMessage.begin(), fromMessage.end(), byName);
  std::stable_sort(fromReader.begin(), fromReader.end(), byName);
  check(fromMessage == fromReader && r.body == m.body() && reader.version() == m.version());
  // The message's reading, but a close closes HTTP/1.0 too (one field may say both).
  if (connectionFields <= 1) check(reader.keepAlive() == (m.keep_alive() && !saidClose));
  return 0;
}
