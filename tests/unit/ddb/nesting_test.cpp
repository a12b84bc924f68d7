#include <gtest/gtest.h>

#include "ddb/attribute_value.h"
#include "ddb/expression.h"
#include "ddb/partiql.h"

namespace kura::ddb {
namespace {

// An attribute value with `containers` Ms (or Ls) around a string.
Json nestedValue(int containers, bool lists = false) {
  Json value = {{"S", "deep"}};
  for (int i = 0; i < containers; ++i) {
    value = lists ? Json{{"L", Json::array({value})}} : Json{{"M", {{"a", value}}}};
  }
  return value;
}

TEST(AttributeNesting, ThirtyTwoLevelsPassAndThirtyThreeAreRefused) {
  for (bool lists : {false, true}) {
    Json ok = nestedValue(kMaxAttributeNesting, lists);
    EXPECT_FALSE(validateValue(ok, "Item").has_value());
    EXPECT_FALSE(nestsTooDeep(ok));
    Json deep = nestedValue(kMaxAttributeNesting + 1, lists);
    auto error = validateValue(deep, "Item");
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, "ValidationException");
    EXPECT_EQ(error->message, "Nesting Levels have exceeded supported limits");
    EXPECT_TRUE(nestsTooDeep(deep));
  }
}

TEST(AttributeNesting, AnUpdateCannotNestAValueDeeperThanTheLimit) {
  Json names;  // none, as a request without ExpressionAttributeNames
  Json values = {{":v", nestedValue(kMaxAttributeNesting - 1)}};
  ExpressionContext context{&names, &values};
  Json item = {{"id", {{"S", "k"}}}, {"a", nestedValue(1)}};  // a = {"M": {"a": {"S": ...}}}
  auto top = parseUpdate("SET a = :v", context);
  ASSERT_TRUE(top.ok());
  Json copy = item;
  EXPECT_FALSE(applyUpdate(copy, *top).has_value());
  auto nested = parseUpdate("SET a.b = :v", context);
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(applyUpdate(item, *nested).has_value());  // 1 + 31 levels: the limit
  auto deeper = parseUpdate("SET a.b.a = :v", context);
  ASSERT_TRUE(deeper.ok());
  auto error = applyUpdate(item, *deeper);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "Nesting Levels have exceeded supported limits");
}

TEST(ExpressionNesting, DeepExpressionsAreValidationErrors) {
  Json names;  // none, as a request without ExpressionAttributeNames
  Json values = {{":v", {{"N", "1"}}}};
  ExpressionContext context{&names, &values};
  std::string parens = std::string(2000, '(') + "a = :v" + std::string(2000, ')');
  auto parsed = parseCondition(parens, context);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "ValidationException");
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  parsed = parseCondition(nots + "a = :v", context);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "ValidationException");
  std::string appends = "SET a = ";
  for (int i = 0; i < 500; ++i) appends += "list_append(";
  auto update = parseUpdate(appends + ":v" + std::string(500, ')'), context);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.error().code, "ValidationException");
  // A long AND chain parses (a left-deep tree) and evaluates.
  std::string chain = "a = :v";
  for (int i = 0; i < 149; ++i) chain += " AND a = :v";  // 299 operators, DynamoDB's limit is 300
  parsed = parseCondition(chain, context);
  ASSERT_TRUE(parsed.ok());
  auto holds = evaluate(**parsed, Json{{"a", {{"N", "1"}}}});
  ASSERT_TRUE(holds.ok());
  EXPECT_TRUE(*holds);
}

TEST(ExpressionNesting, DeepPartiqlIsRefused) {
  std::string list = "INSERT INTO t VALUE {'k': " + std::string(5000, '[') + "1" + std::string(5000, ']') + "}";
  EXPECT_FALSE(partiql::parseStatement(list, Json()).ok());
  std::string where = "SELECT * FROM t WHERE " + std::string(3000, '(') + "k = 1" + std::string(3000, ')');
  EXPECT_FALSE(partiql::parseStatement(where, Json()).ok());
  std::string nots = "SELECT * FROM t WHERE ";
  for (int i = 0; i < 1500; ++i) nots += "NOT ";
  EXPECT_FALSE(partiql::parseStatement(nots + "k = 1", Json()).ok());
}

TEST(ContainsOperand, ASetOperandIsAValidationException) {
  Json names;  // none, as a request without ExpressionAttributeNames
  Json values = {{":v", {{"NS", {"1", "2"}}}}, {":n", {{"N", "1"}}}};
  ExpressionContext context{&names, &values};
  auto parsed = parseCondition("contains(ns, :v)", context);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "ValidationException");
  EXPECT_NE(parsed.error().message.find("operator or function: contains, operand type: NS"), std::string::npos)
      << parsed.error().message;
  // A set found at a path instead is not a member of the set: false, not an error.
  Json item = {{"ns", {{"NS", {"1", "2"}}}}, {"more", {{"NS", {"1"}}}}};
  parsed = parseCondition("contains(ns, more)", context);
  ASSERT_TRUE(parsed.ok());
  auto holds = evaluate(**parsed, item);
  ASSERT_TRUE(holds.ok());
  EXPECT_FALSE(*holds);
  parsed = parseCondition("contains(ns, :n)", context);
  ASSERT_TRUE(parsed.ok());
  holds = evaluate(**parsed, item);
  ASSERT_TRUE(holds.ok() && *holds);
}

}  // namespace
}  // namespace kura::ddb
