// Fuzzes the PartiQL parser and the expression writer: whatever the text,
// parsing must not crash, and what a statement's WHERE and SET become as
// expression text must parse again (beyond the limits both parsers keep:
// nesting, length, overlapping paths).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ddb/expression_writer.h"
#include "ddb/partiql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura::ddb;
  std::string text(reinterpret_cast<const char*>(data), size);
  static const Json parameters = Json::array({{{"S", "a"}}, {{"N", "1"}}});
  auto statement = partiql::parseStatement(text, parameters);
  if (!statement) return 0;
  ExpressionWriter writer;
  std::string condition = statement->where ? writer.condition(*statement->where) : "";
  std::string update = statement->updates.empty() ? "" : writer.update(statement->updates);
  Json request = Json::object();
  writer.addTo(request);
  Json names = request.value("ExpressionAttributeNames", Json::object());
  Json values = request.value("ExpressionAttributeValues", Json::object());
  ExpressionContext context{&names, &values};
  auto badSyntax = [](const auto& parsed) {
    return !parsed && parsed.error().message.find("Syntax error") != std::string::npos;
  };
  if (!condition.empty() && badSyntax(parseCondition(condition, context))) std::abort();
  if (!update.empty() && badSyntax(parseUpdate(update, context))) std::abort();
  return 0;
}
