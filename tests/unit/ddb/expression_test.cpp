#include <gtest/gtest.h>

#include "ddb/expression.h"

namespace kura::ddb {
namespace {

Json item() {
  return Json::parse(R"({"id":{"S":"u1"},"age":{"N":"30"},"title":{"S":"Hanako"},
    "tags":{"SS":["a","b"]},"address":{"M":{"city":{"S":"Tokyo"}}},"nums":{"L":[{"N":"1"},{"N":"2"}]}})");
}

bool holds(const std::string& text, const Json& values = Json(), const Json& names = Json()) {
  ExpressionContext context{&names, &values};
  auto condition = parseCondition(text, context);
  EXPECT_TRUE(condition.ok()) << text << ": " << (condition.ok() ? "" : condition.error().message);
  if (!condition.ok()) return false;
  auto result = evaluate(**condition, item());
  EXPECT_TRUE(result.ok());
  return result.ok() && *result;
}

TEST(Expression, ComparisonsFunctionsAndLogic) {
  Json v = {{":a", {{"N", "30"}}}, {":lo", {{"N", "18"}}}, {":hi", {{"N", "65"}}}, {":p", {{"S", "Han"}}},
            {":t", {{"S", "a"}}}, {":c", {{"S", "Tokyo"}}}, {":s", {{"S", "S"}}}, {":x", {{"N", "1"}}}};
  EXPECT_TRUE(holds("age = :a", v));
  EXPECT_TRUE(holds("age BETWEEN :lo AND :hi", v));
  EXPECT_TRUE(holds("begins_with(#n, :p)", v, {{"#n", "title"}}));
  EXPECT_TRUE(holds("contains(tags, :t) AND address.city = :c", v));
  EXPECT_TRUE(holds("attribute_type(title, :s) AND attribute_exists(nums[1])", v));
  EXPECT_FALSE(holds("attribute_exists(nums[5]) OR attribute_not_exists(id)", v));
  EXPECT_TRUE(holds("NOT age < :lo AND (age IN (:x, :a))", v));
  EXPECT_TRUE(holds("size(tags) > :x", v));
}

TEST(Expression, RejectsSyntaxErrorsAndUnknownNames) {
  Json values = {{":v", {{"N", "1"}}}};
  Json names;  // none, as a request without ExpressionAttributeNames
  ExpressionContext context{&names, &values};
  EXPECT_FALSE(parseCondition("age = ", context).ok());
  EXPECT_FALSE(parseCondition("age == :v", context).ok());
  EXPECT_FALSE(parseCondition("#missing = :v", context).ok());
  EXPECT_FALSE(parseCondition("age = :missing", context).ok());
  EXPECT_FALSE(parseCondition("nosuchfunction(age)", context).ok());
  EXPECT_FALSE(parseCondition("", context).ok());
  // Found by the fuzzer: nesting deep enough to overflow the stack, and an
  // index too large for a long.
  EXPECT_FALSE(parseCondition(std::string(5000, '(') + "a = :v", context).ok());
  std::string manyNots;
  for (int i = 0; i < 500; ++i) manyNots += "NOT ";
  EXPECT_FALSE(parseCondition(manyNots + "a = :v", context).ok());
  EXPECT_FALSE(parseUpdate("SET p=p[66666666666666666666600000001843165289]", context).ok());
}

std::string refusal(const Result<ConditionPtr>& parsed) { return parsed.ok() ? "(accepted)" : parsed.error().message; }

TEST(Expression, RefusesInDynamoDbsWords) {
  Json values = {{":v", {{"N", "1"}}}, {":s", {{"S", "x"}}}};
  Json names = {{"#n", "status"}};
  ExpressionContext context{&names, &values};
  EXPECT_EQ(refusal(parseCondition("a x b", context)), "Invalid ConditionExpression: Syntax error; token: \"x\", near: \"a x b\"");
  EXPECT_EQ(refusal(parseCondition("a = :v AND", context, "FilterExpression")),
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
  EXPECT_EQ(refusal(parseCondition("a = :v AND @", context)),
            "Invalid ConditionExpression: Syntax error; token: \"@\", near: \"AND @\"");
  EXPECT_EQ(refusal(parseCondition("status = :v", context)),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_TRUE(parseCondition("#n = :v", context).ok());
  // Syntax first, then the rest in DynamoDB's order.
  EXPECT_EQ(refusal(parseCondition("status = :nope", context)),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_EQ(refusal(parseCondition("status = :v = ", context)),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \":v = \"");
  EXPECT_EQ(refusal(parseCondition("((a = :v))", context)), "Invalid ConditionExpression: The expression has redundant parentheses;");
  EXPECT_TRUE(parseCondition("(a = :v) AND ((b = :v) OR c = :v)", context).ok());
  EXPECT_EQ(refusal(parseCondition("a BETWEEN :v AND :s", context)),
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower "
            "bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}");
  // At most 300 operators (comparisons, AND, OR, NOT, BETWEEN, IN, functions).
  std::string chain = "a = :v";
  for (int i = 0; i < 149; ++i) chain += " AND a = :v";  // 299
  EXPECT_TRUE(parseCondition(chain, context).ok());
  chain += " AND a = :v";
  EXPECT_EQ(refusal(parseCondition(chain, context)),
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 301");
}

TEST(Expression, UpdatesSetRemoveAddDelete) {
  Json values = {{":one", {{"N", "1"}}}, {":t", {{"SS", {"c"}}}}, {":d", {{"SS", {"a"}}}}, {":l", {{"L", {{{"N", "3"}}}}}}};
  Json names;  // none, as a request without ExpressionAttributeNames
  ExpressionContext context{&names, &values};
  auto actions = parseUpdate("SET age = age + :one, nums = list_append(nums, :l), address.zip = :one REMOVE title ADD tags :t", context);
  ASSERT_TRUE(actions.ok()) << actions.error().message;
  Json it = item();
  ASSERT_FALSE(applyUpdate(it, *actions).has_value());
  EXPECT_EQ(it["age"], Json({{"N", "31"}}));
  EXPECT_EQ(it["nums"]["L"].size(), 3u);
  EXPECT_EQ(it["address"]["M"]["zip"], Json({{"N", "1"}}));
  EXPECT_FALSE(it.contains("title"));
  EXPECT_EQ(it["tags"]["SS"], Json({"a", "b", "c"}));
  auto removed = parseUpdate("DELETE tags :d", context);
  ASSERT_TRUE(removed.ok());
  ASSERT_FALSE(applyUpdate(it, *removed).has_value());
  EXPECT_EQ(it["tags"]["SS"], Json({"b", "c"}));
  EXPECT_FALSE(parseUpdate("SET a = :one SET b = :one", context).ok());
  // No two actions on one path, or on a path and a path inside it, as in DynamoDB.
  for (const char* overlapping : {"ADD tags :t DELETE tags :d", "SET address.zip = :one REMOVE address",
                                  "SET nums[0] = :one, nums[0] = :one"}) {
    auto refused = parseUpdate(overlapping, context);
    ASSERT_FALSE(refused.ok()) << overlapping;
    EXPECT_NE(refused.error().message.find("Two document paths overlap"), std::string::npos);
  }
  EXPECT_TRUE(parseUpdate("SET nums[0] = :one, nums[1] = :one, address.zip = :one, address.city = :one", context).ok());
}

TEST(Expression, ProjectsNestedPaths) {
  Json names, values;  // none (null), as a request without them
  ExpressionContext context{&names, &values};
  auto paths = parseProjection("id, address.city, nums[1]", context);
  ASSERT_TRUE(paths.ok());
  Json projected = project(item(), *paths);
  EXPECT_EQ(projected, Json::parse(R"({"id":{"S":"u1"},"address":{"M":{"city":{"S":"Tokyo"}}},"nums":{"L":[{"N":"2"}]}})"));
}

}  // namespace
}  // namespace kura::ddb
