// Fuzzes SigV4 parsing and verification: the input is split into a request
// target, headers and a body; nothing may crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura::auth;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Line 1: target; then "Name:value" lines until an empty line; then the body.
  std::vector<std::pair<std::string, std::string>> headers;
  size_t newline = text.find('\n');
  std::string_view target = text.substr(0, newline);
  std::string_view rest = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    headers.emplace_back(std::string(line.substr(0, colon)),
                         colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }
  HttpRequestView request{"POST", target, headers, rest};
  peekScope(request);
  static StaticCredentialStore store = [] {
    StaticCredentialStore s;
    s.add({"test", "test", "000000000000", "root"});
    return s;
  }();
  static SigV4Verifier verifier(store, kura::realClock());
  verifier.verify(request);
  canonicalUri(target);
  canonicalQuery(target, true, true);
  return 0;
}
