// Fuzzes the item text editor against the tree it stands in for: for any
// JSON object the input parses to, setting attributes in its dumped text
// must give exactly what setting them in the tree and dumping it gives (or
// nothing, leaving it to the general path); for any other text it must not
// crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "ddb/item_text.h"
#include "protocol/json_nesting.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura::ddb;
  using Json = nlohmann::json;
  std::string text(reinterpret_cast<const char*>(data), size);
  // The first line names the attributes to set; the rest is the item.
  size_t newline = text.find('\n');
  std::string name = newline == std::string::npos ? "a" : text.substr(0, newline);
  std::string body = newline == std::string::npos ? text : text.substr(newline + 1);
  std::vector<AttributeText> sets = {{name, R"({"S":"new"})"}, {"m", R"({"N":"1"})"}};
  withAttributesSet(body, sets);  // arbitrary text: no crash
  // Stored items were request bodies, bounded before they were parsed; the
  // tree's dump below recurses once per level.
  if (!kura::jsonNestsWithin(body)) return 0;
  Json item = Json::parse(body, nullptr, false);
  if (item.is_discarded() || !item.is_object()) return 0;
  std::string stored;
  try {
    stored = item.dump();
  } catch (const Json::exception&) {
    return 0;  // invalid UTF-8: never stored
  }
  auto edited = withAttributesSet(stored, sets);
  if (!edited) return 0;
  Json expected = item;
  for (const auto& set : sets) expected[set.name] = Json::parse(set.value);
  std::string expectedText;
  try {
    expectedText = expected.dump();
  } catch (const Json::exception&) {
    return 0;  // a name that is not UTF-8: never a request's
  }
  if (*edited != expectedText) std::abort();
  return 0;
}
