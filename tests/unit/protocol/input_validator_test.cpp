#include <gtest/gtest.h>

#include "protocol/input_validator.h"
#include "protocol/json_codec.h"
#include "protocol/model_registry.h"

namespace kura {
namespace {

using Json = nlohmann::json;

const Shape* ddbInput(const char* operation) {
  return ModelRegistry::embedded().bySigningName("dynamodb")->findOperation(operation)->input;
}

TEST(InputValidator, ReportsMissingRequiredMembersAsDynamoDbDoes) {
  auto violations = validateInput(ddbInput("DescribeTable"), Json::object());
  ASSERT_EQ(violations.size(), 1u);
  ApiError error = validationError(violations, Protocol::Json);
  EXPECT_EQ(error.code, "ValidationException");
  EXPECT_EQ(error.message,
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not "
            "be null");
}

TEST(InputValidator, ChecksLengthsEnumsAndRanges) {
  auto violations = validateInput(ddbInput("DescribeTable"), Json{{"TableName", "ab"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].constraint.find("length greater than or equal to 3"), std::string::npos);
  violations = validateInput(ddbInput("Scan"), Json{{"TableName", "abc"}, {"Select", "EVERYTHING"}, {"Limit", 0}});
  ASSERT_EQ(violations.size(), 2u);
  std::string both = violations[0].constraint + violations[1].constraint;
  EXPECT_NE(both.find("enum value set"), std::string::npos);
  EXPECT_NE(both.find("value greater than or equal to 1"), std::string::npos);
  EXPECT_TRUE(validateInput(ddbInput("Scan"), Json{{"TableName", "abc"}, {"Limit", 5}}).empty());
}

TEST(InputValidator, ChecksTypes) {
  auto violations = validateInput(ddbInput("Scan"), Json{{"TableName", 5}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].constraint, "Member must be a string");
}

TEST(InputValidator, QueryServicesAnswerMissingParameter) {
  const Shape* input = ModelRegistry::embedded().bySigningName("rds")->findOperation("DeleteDBInstance")->input;
  ApiError error = validationError(validateInput(input, Json::object()), Protocol::Query);
  EXPECT_EQ(error.code, "MissingParameter");
  EXPECT_EQ(error.message, "The request must contain the parameter DBInstanceIdentifier");
}

TEST(JsonCodec, RejectsMalformedBodies) {
  EXPECT_FALSE(decodeJsonInput("{\"a\":").ok());
  EXPECT_FALSE(decodeJsonInput("[1,2]").ok());
  EXPECT_FALSE(decodeJsonInput(std::string("{\"a\":\"\xff\"}")).ok());
  EXPECT_EQ(decodeJsonInput("").value(), Json::object());
  EXPECT_EQ(decodeJsonInput("{\"A\":1}").value()["A"], 1);
}

TEST(JsonCodec, WritesDynamoDbErrorTypeWithNamespace) {
  const ServiceModel& ddb = *ModelRegistry::embedded().bySigningName("dynamodb");
  Json body = Json::parse(encodeJsonError(ddb, ApiError::sender("ResourceNotFoundException", "Requested resource not found")));
  EXPECT_EQ(body["__type"], "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  EXPECT_EQ(body["message"], "Requested resource not found");
  const ServiceModel& kms = *ModelRegistry::embedded().bySigningName("kms");
  body = Json::parse(encodeJsonError(kms, ApiError::sender("NotFoundException", "x")));
  EXPECT_EQ(body["__type"], "NotFoundException");
}

}  // namespace
}  // namespace kura
