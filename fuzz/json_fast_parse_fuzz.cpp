// Holds the fast JSON path (common/json_fast_parse.h) to nlohmann's
// parser: wherever it gives a value, nlohmann gives the same one, of the
// same types, written the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/json_fast_parse.h"

namespace {

bool same(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !same(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b && a.dump() == b.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fast = kura::fastParseJson(text);
  if (!fast) return 0;
  nlohmann::json slow = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (slow.is_discarded() || !same(*fast, slow)) std::abort();
  return 0;
}
