#include "protocol/model_pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "protocol/input_validator.h"
#include "protocol/model_registry.h"

namespace kura {
namespace {

using Json = nlohmann::json;

TEST(ModelPattern, MatchesTheWholeValueAsJava) {
  ModelPattern table("[a-zA-Z0-9_.-]+");
  EXPECT_EQ(table.matches("my-table_1.x"), true);
  EXPECT_EQ(table.matches("abc;"), false);
  EXPECT_EQ(table.matches(";abc"), false);
  EXPECT_EQ(table.matches(""), false);
  ModelPattern either("ab|abc");
  EXPECT_EQ(either.matches("abc"), true);  // the alternatives are tried to the end
  EXPECT_EQ(either.matches("abcd"), false);
}

TEST(ModelPattern, TakesJavasClassNames) {
  ModelPattern posix("[\\p{Alnum}_]+");
  EXPECT_EQ(posix.matches("a_Z9"), true);
  EXPECT_EQ(posix.matches("a-b"), false);
  ModelPattern outside("\\p{Alpha}\\p{Digit}");
  EXPECT_EQ(outside.matches("a1"), true);
  EXPECT_EQ(outside.matches("1a"), false);
  ModelPattern unicode("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
  EXPECT_EQ(unicode.matches("Ünïcode tag:1"), true);
  EXPECT_EQ(unicode.matches("no!"), false);
  ModelPattern escaped("[\\u0020-\\u00FF]+");
  EXPECT_EQ(escaped.matches("plain text"), true);
  EXPECT_EQ(escaped.matches("tab\there"), false);
}

TEST(ModelPattern, UnreadablePatternsAndValuesAreLetThrough) {
  ModelPattern broken("[unclosed");
  EXPECT_FALSE(broken.usable());
  EXPECT_EQ(broken.matches("anything"), std::nullopt);
  ModelPattern table("[a-z]+");
  EXPECT_EQ(table.matches(std::string("ab\xff", 3)), std::nullopt);  // not UTF-8
}

TEST(ModelPattern, AHostileValueStopsAtTheMatchLimit) {
  ModelPattern nested("(a+)+b");
  std::string value(30, 'a');
  value += 'c';
  auto started = std::chrono::steady_clock::now();
  EXPECT_NE(nested.matches(value), true);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(ModelPattern, ValidationQuotesThePatternAsDynamoDb) {
  const Shape* input = ModelRegistry::embedded().bySigningName("dynamodb")->findOperation("DeleteItem")->input;
  auto violations = validateInput(input, Json{{"TableName", "a;"}, {"Key", Json::object()}});
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(validationError(violations, Protocol::Json).message,
            "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3");
  EXPECT_TRUE(validateInput(input, Json{{"TableName", "abc"}, {"Key", Json::object()}}).empty());
}

// Every pattern of the models Kura serves compiles: one PCRE2 does not
// take would be left unchecked.
void collect(const Shape* shape, std::set<const Shape*>& seen, size_t& checked, std::string& unusable) {
  if (shape == nullptr || !seen.insert(shape).second) return;
  if (shape->pattern) {
    ++checked;
    if (!shape->pattern->usable()) unusable += shape->name + ": " + shape->pattern->source() + "\n";
  }
  for (const MemberRef& member : shape->members) collect(member.shape, seen, checked, unusable);
  collect(shape->member.shape, seen, checked, unusable);
  collect(shape->key.shape, seen, checked, unusable);
  collect(shape->value.shape, seen, checked, unusable);
}

TEST(ModelPattern, EveryModelPatternCompiles) {
  size_t checked = 0;
  std::string unusable;
  std::set<const Shape*> seen;
  for (const char* name : {"dynamodb", "dynamodbstreams", "kms", "secretsmanager", "logs", "cloudtrail", "sts", "iam",
                           "monitoring", "rds", "elasticache", "application-autoscaling", "ec2"}) {
    const ServiceModel* model = ModelRegistry::embedded().bySigningName(name);
    if (model == nullptr) continue;
    for (const auto& [operation, op] : model->operations()) collect(op.input, seen, checked, unusable);
  }
  EXPECT_GT(checked, 50u);
  EXPECT_EQ(unusable, "");
}

}  // namespace
}  // namespace kura
