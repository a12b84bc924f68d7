// Fuzzes the DynamoDB expression parsers and evaluator: whatever the text,
// parsing and evaluating against a fixed item must not crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ddb/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura::ddb;
  std::string text(reinterpret_cast<const char*>(data), size);
  static const Json names = {{"#n", "name"}, {"#a", "age"}};
  static const Json values = {{":v", {{"N", "1"}}}, {":s", {{"S", "x"}}}, {":l", {{"L", Json::array()}}},
                              {":t", {{"SS", {"a"}}}}, {":ns", {{"NS", {"1", "2"}}}}};
  static const Json item = Json::parse(R"({"name":{"S":"x"},"age":{"N":"3"},"l":{"L":[{"N":"1"}]},
    "m":{"M":{"k":{"S":"v"}}},"t":{"SS":["a"]},"ns":{"NS":["1","2"]}})");
  ExpressionContext context{&names, &values};
  if (auto condition = parseCondition(text, context)) evaluate(**condition, item);
  if (auto actions = parseUpdate(text, context)) {
    Json copy = item;
    applyUpdate(copy, *actions);
  }
  if (auto paths = parseProjection(text, context)) project(item, *paths);
  return 0;
}
