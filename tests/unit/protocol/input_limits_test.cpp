#include <gtest/gtest.h>

#include <chrono>

#include "protocol/form_decoding.h"
#include "protocol/input_validator.h"
#include "protocol/json_codec.h"
#include "protocol/json_nesting.h"
#include "protocol/model_registry.h"
#include "protocol/query_decoder.h"

namespace kura {
namespace {

using Json = nlohmann::json;

std::string nested(size_t depth, const std::string& open = "[", const std::string& close = "]") {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += open;
  for (size_t i = 0; i < depth; ++i) text += close;
  return text;
}

TEST(JsonNesting, CountsObjectsAndArraysOutsideStrings) {
  EXPECT_TRUE(jsonNestsWithin(nested(kMaxJsonDepth)));
  EXPECT_FALSE(jsonNestsWithin(nested(kMaxJsonDepth + 1)));
  EXPECT_TRUE(jsonNestsWithin("{\"a\":" + nested(kMaxJsonDepth - 1) + "}"));
  EXPECT_FALSE(jsonNestsWithin("{\"a\":" + nested(kMaxJsonDepth) + "}"));
  // Brackets in strings are text, escaped quotes do not end a string, and an
  // even run of backslashes before a quote does.
  EXPECT_TRUE(jsonNestsWithin("{\"a\":\"" + std::string(500, '[') + "\"}"));
  EXPECT_TRUE(jsonNestsWithin("{\"a\":\"\\\"" + std::string(500, '[') + "\"}"));
  EXPECT_FALSE(jsonNestsWithin("{\"a\":\"\\\\\"," + std::string(500, '[') + "}"));
  EXPECT_TRUE(jsonNestsWithin(std::string(300, ']') + std::string(100, '[')));
  // Many brackets, none deep: the exact scan decides (and every length of
  // tail after the eight-byte words is counted).
  std::string wide = "[";
  for (int i = 0; i < 300; ++i) wide += "[],{},";
  EXPECT_TRUE(jsonNestsWithin(wide + "[]]"));
  for (size_t extra = 0; extra < 9; ++extra) {
    std::string text = nested(kMaxJsonDepth + 1) + std::string(extra, ' ');
    EXPECT_FALSE(jsonNestsWithin(std::string(extra, 'x') + text)) << extra;
    // {|0x20 and [|0x20 match, and nothing else does: '{' - 0x20 is '['.
    EXPECT_TRUE(jsonNestsWithin(std::string(kMaxJsonDepth + extra + 1, static_cast<char>(0xfb)))) << extra;
  }
}

TEST(JsonNesting, ADeepBodyIsASerializationExceptionNotACrash) {
  auto decoded = decodeJsonInput("{\"Zzz\":" + nested(50000) + "}");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, "SerializationException");
  EXPECT_EQ(decoded.error().httpStatus, 400);
  EXPECT_TRUE(decodeJsonInput("{\"Zzz\":" + nested(kMaxJsonDepth - 1) + "}").ok());
}

// The scan runs on every JSON call (GetItem's included): it must cost little
// beside the parse it guards. Reported, and checked loosely (shared CI).
TEST(JsonNesting, TheScanCostsLittleBesideTheParse) {
  std::string body =
      R"({"TableName":"usertable","Key":{"ycsb_key":{"S":"user6284781860667377211"}},"ConsistentRead":false,)"
      R"("ProjectionExpression":"#f0, #f1, #f2","ExpressionAttributeNames":{"#f0":"field0","#f1":"field1","#f2":"field2"}})";
  constexpr int kRounds = 20000;
  using Clock = std::chrono::steady_clock;
  size_t ok = 0;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) ok += jsonNestsWithin(body) ? 1 : 0;
  auto scan = Clock::now() - start;
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) ok += Json::parse(body).size();
  auto parse = Clock::now() - start;
  // The alternative: nlohmann's parser with a callback that checks depth.
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    Json::parser_callback_t withinDepth = [](int depth, Json::parse_event_t, Json&) {
      return depth <= static_cast<int>(kMaxJsonDepth);
    };
    ok += Json::parse(body, withinDepth, false).size();
  }
  auto callback = Clock::now() - start;
  double scanNs = std::chrono::duration<double, std::nano>(scan).count() / kRounds;
  double parseNs = std::chrono::duration<double, std::nano>(parse).count() / kRounds;
  double callbackNs = std::chrono::duration<double, std::nano>(callback).count() / kRounds;
  std::printf("nesting scan %.0f ns, parse %.0f ns, parse with a depth callback %.0f ns per %zu-byte body\n",
              scanNs, parseNs, callbackNs, body.size());
  // Printed, not asserted: a shared machine's timings are no test's verdict.
  EXPECT_GT(ok, 0u);
}

const Shape* input(const char* service, const char* operation) {
  return ModelRegistry::embedded().bySigningName(service)->findOperation(operation)->input;
}

TEST(QueryNesting, ANameOfTooManyPartsIsRefused) {
  std::string deep = "Filters.Filter.1.Values";
  for (int i = 0; i < 100000; ++i) deep += ".Value.1";
  auto decoded = decodeQueryInput(input("rds", "DescribeDBInstances"), {{deep, "x"}});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, "InvalidParameterValue");
  EXPECT_LT(decoded.error().message.size(), 200u);
  // The deepest names a model needs still decode.
  auto fine = decodeQueryInput(input("rds", "DescribeDBInstances"),
                               {{"Filters.Filter.1.Name", "engine"}, {"Filters.Filter.1.Values.Value.1", "postgres"}});
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ((*fine)["Filters"][0]["Values"][0], "postgres");
}

TEST(QueryNesting, AFormOfTooManyFieldsIsRefusedBeforeItIsSplit) {
  std::string form = "Action=ListMetrics";
  for (size_t i = 1; i < kMaxFormFields; ++i) form += "&a";
  EXPECT_TRUE(formFieldsWithin(form));
  auto fields = parseForm(form);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->size(), kMaxFormFields);
  form += "&a";
  EXPECT_FALSE(formFieldsWithin(form));
  EXPECT_FALSE(parseForm(form).has_value());
}

TEST(InputValidator, NeverQuotesASensitiveMember) {
  std::string secret = "S3cret-" + std::string(70000, 'x');
  auto violations = validateInput(input("secretsmanager", "CreateSecret"), Json{{"Name", "n"}, {"SecretString", secret}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_TRUE(violations[0].hidden);
  ApiError error = validationError(violations, Protocol::Json);
  EXPECT_EQ(error.message.find("S3cret"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("Value at 'secretString' failed to satisfy constraint"), std::string::npos)
      << error.message;
  // An ordinary member is still quoted.
  violations = validateInput(input("secretsmanager", "CreateSecret"), Json{{"Name", std::string(600, 'n')}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(validationError(violations, Protocol::Json).message.find("'nnnn"), std::string::npos);
}

TEST(InputValidator, ChecksTheDecodedLengthOfBlobs) {
  // KMS takes at most 4096 bytes of plaintext: 5462 base64 characters.
  const Shape* encrypt = input("kms", "Encrypt");
  std::string fits = std::string(5460, 'A') + "==";  // 4094 bytes
  EXPECT_TRUE(validateInput(encrypt, Json{{"KeyId", "k"}, {"Plaintext", fits}}).empty());
  std::string exact = std::string(5460, 'A') + "A=";  // 4095 bytes
  EXPECT_TRUE(validateInput(encrypt, Json{{"KeyId", "k"}, {"Plaintext", exact}}).empty());
  std::string over = std::string(5464, 'A');  // 4098 bytes
  auto violations = validateInput(encrypt, Json{{"KeyId", "k"}, {"Plaintext", over}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_TRUE(violations[0].hidden);
  EXPECT_NE(violations[0].constraint.find("less than or equal to 4096"), std::string::npos);
  EXPECT_EQ(validateInput(encrypt, Json{{"KeyId", "k"}, {"Plaintext", ""}}).size(), 1u);  // min 1
}

}  // namespace
}  // namespace kura
