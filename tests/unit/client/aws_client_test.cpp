// The client over a scripted transport: requests signed and shaped per
// protocol, pages followed by the paginators, errors and retries.
#include "client/aws_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "common/time_format.h"

namespace kura::client {
namespace {

struct Script {
  std::deque<std::variant<HttpAnswer, std::string>> answers;
  std::vector<SignableRequest> requests;
  std::vector<std::chrono::milliseconds> pauses;
};

class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(Script& script) : script_(script) {}
  std::variant<HttpAnswer, std::string> send(const Endpoint&, const SignableRequest& request) override {
    script_.requests.push_back(request);
    if (script_.answers.empty()) return std::string("no more answers");
    auto answer = script_.answers.front();
    script_.answers.pop_front();
    return answer;
  }

 private:
  Script& script_;
};

std::string header(const SignableRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

AwsClient makeClient(Script& script) {
  ClientIdentity identity{{"AKID", "secret", "", "test"}, "ap-northeast-1"};
  return AwsClient(identity, parseEndpointUrl("http://127.0.0.1:4566"), std::make_unique<ScriptedTransport>(script),
                   std::make_shared<ManualClock>(*parseTimestamp("2026-12-03T12:00:00Z")),
                   [&script](std::chrono::milliseconds pause) { script.pauses.push_back(pause); });
}

TEST(AwsClient, JsonCallsFollowEveryPage) {
  Script script;
  script.answers.push_back(HttpAnswer{200, {}, R"({"Keys":[{"KeyId":"a"}],"Truncated":true,"NextMarker":"m1"})"});
  script.answers.push_back(HttpAnswer{200, {}, R"({"Keys":[{"KeyId":"b"}],"Truncated":false,"NextMarker":"x"})"});
  AwsClient client = makeClient(script);
  CallResult result = client.callAll("kms", "ListKeys", nlohmann::json::object());
  ASSERT_NE(outputOf(result), nullptr);
  EXPECT_EQ((*outputOf(result))["Keys"].size(), 2u);
  ASSERT_EQ(script.requests.size(), 2u);
  EXPECT_EQ(header(script.requests[0], "X-Amz-Target"), "TrentService.ListKeys");
  EXPECT_EQ(header(script.requests[0], "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(nlohmann::json::parse(script.requests[1].body)["Marker"], "m1");
  EXPECT_NE(
      header(script.requests[0], "Authorization").find("Credential=AKID/20261203/ap-northeast-1/kms/aws4_request"),
      std::string::npos);
  EXPECT_EQ(header(script.requests[0], "Host"), "127.0.0.1:4566");
}

TEST(AwsClient, QueryCallsFollowMarkers) {
  Script script;
  auto page = [](const std::string& id, const std::string& marker) {
    return HttpAnswer{200,
                      {},
                      "<DescribeDBInstancesResponse><DescribeDBInstancesResult>" +
                          (marker.empty() ? "" : "<Marker>" + marker + "</Marker>") +
                          "<DBInstances><DBInstance><DBInstanceIdentifier>" + id +
                          "</DBInstanceIdentifier></DBInstance></DBInstances>"
                          "</DescribeDBInstancesResult></DescribeDBInstancesResponse>"};
  };
  script.answers.push_back(page("db1", "p2"));
  script.answers.push_back(page("db2", ""));
  AwsClient client = makeClient(script);
  CallResult result = client.callAll("rds", "DescribeDBInstances", nlohmann::json::object());
  ASSERT_NE(outputOf(result), nullptr);
  EXPECT_EQ((*outputOf(result))["DBInstances"].size(), 2u);
  EXPECT_EQ(script.requests[0].body, "Action=DescribeDBInstances&Version=2014-10-31");
  EXPECT_EQ(script.requests[1].body, "Action=DescribeDBInstances&Version=2014-10-31&Marker=p2");
}

TEST(AwsClient, ErrorsCarryTheirCodes) {
  Script script;
  script.answers.push_back(HttpAnswer{
      400, {}, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"})"});
  script.answers.push_back(
      HttpAnswer{400, {}, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"});
  script.answers.push_back(HttpAnswer{404, {{"x-amzn-ErrorType", "UnknownOperationException:"}}, ""});
  AwsClient client = makeClient(script);
  CallResult missingResult = client.call("dynamodb", "DescribeTable", {{"TableName", "t"}});
  const CallError* missing = errorOf(missingResult);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->code, "ResourceNotFoundException");
  EXPECT_EQ(missing->message, "no table");
  EXPECT_FALSE(missing->notImplemented());
  CallResult unknownResult = client.call("rds", "DescribeDBClusters", nlohmann::json::object());
  const CallError* unknown = errorOf(unknownResult);
  ASSERT_NE(unknown, nullptr);
  EXPECT_TRUE(unknown->notImplemented());
  CallResult unknownJsonResult = client.call("cloudtrail", "DescribeTrails", nlohmann::json::object());
  const CallError* unknownJson = errorOf(unknownJsonResult);
  ASSERT_NE(unknownJson, nullptr);
  EXPECT_EQ(unknownJson->code, "UnknownOperationException");
  EXPECT_TRUE(unknownJson->notImplemented());
  EXPECT_EQ(errorOf(client.call("rds", "NoSuchOperation", nlohmann::json::object()))->kind, CallErrorKind::Usage);
}

TEST(AwsClient, ThrottlingAndTransportFailuresAreRetried) {
  Script script;
  script.answers.push_back(HttpAnswer{400, {}, R"({"__type":"ThrottlingException"})"});
  script.answers.push_back(std::string("connection reset"));
  script.answers.push_back(HttpAnswer{200, {}, R"({"SecretList":[]})"});
  AwsClient client = makeClient(script);
  EXPECT_NE(outputOf(client.call("secretsmanager", "ListSecrets", nlohmann::json::object())), nullptr);
  EXPECT_EQ(script.requests.size(), 3u);
  EXPECT_EQ(script.pauses,
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(400), std::chrono::milliseconds(800)}));
  // Without an answer at all, three tries and a transport error.
  Script silent;
  AwsClient unreachable = makeClient(silent);
  CallResult failed = unreachable.call("kms", "ListKeys", nlohmann::json::object());
  const CallError* error = errorOf(failed);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->kind, CallErrorKind::Transport);
  EXPECT_EQ(silent.requests.size(), 3u);
}

TEST(AwsClient, MalformedAnswersAreErrors) {
  Script script;
  script.answers.push_back(HttpAnswer{200, {}, "[1,2]"});
  script.answers.push_back(HttpAnswer{200, {}, "<html>"});
  AwsClient client = makeClient(script);
  EXPECT_EQ(errorOf(client.call("kms", "ListKeys", nlohmann::json::object()))->kind, CallErrorKind::Malformed);
  EXPECT_EQ(errorOf(client.call("rds", "DescribeDBInstances", nlohmann::json::object()))->kind,
            CallErrorKind::Malformed);
}

TEST(AwsClient, PagesWithoutEndAreErrorsNotPartialAnswers) {
  Script script;
  script.answers.push_back(HttpAnswer{200, {}, R"({"Keys":[{"KeyId":"a"}],"Truncated":true,"NextMarker":"m1"})"});
  script.answers.push_back(HttpAnswer{200, {}, R"({"Keys":[{"KeyId":"b"}],"Truncated":true,"NextMarker":"m1"})"});
  AwsClient client = makeClient(script);
  CallResult result = client.callAll("kms", "ListKeys", nlohmann::json::object());
  ASSERT_NE(errorOf(result), nullptr);
  EXPECT_EQ(errorOf(result)->kind, CallErrorKind::Malformed);
  EXPECT_EQ(script.requests.size(), 2u);
  // Pages that never stop growing: refused once they pass 256 MiB together.
  Script huge;
  for (int i = 0; i < 5; ++i) {
    huge.answers.push_back(HttpAnswer{200, {}, R"({"Keys":[],"Truncated":true,"NextMarker":"m)" + std::to_string(i) +
                                                   R"(","Pad":")" + std::string(52 << 20, 'x') + "\"}"});
  }
  AwsClient hugeClient = makeClient(huge);
  CallResult hugeResult = hugeClient.callAll("kms", "ListKeys", nlohmann::json::object());
  ASSERT_NE(errorOf(hugeResult), nullptr);
  EXPECT_EQ(errorOf(hugeResult)->kind, CallErrorKind::Malformed);
  EXPECT_EQ(huge.requests.size(), 5u);
}

TEST(AwsClient, AnswersNestedTooDeepAreRefused) {
  Script script;
  std::string deepJson = R"({"Keys":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string deepXml = "<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances>";
  for (int i = 0; i < 100000; ++i) deepXml += "<a>";
  for (int i = 0; i < 100000; ++i) deepXml += "</a>";
  deepXml += "</DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>";
  script.answers.push_back(HttpAnswer{200, {}, deepJson});
  script.answers.push_back(HttpAnswer{200, {}, deepXml});
  script.answers.push_back(HttpAnswer{400, {}, std::string(100000, '[') + std::string(100000, ']')});
  AwsClient client = makeClient(script);
  EXPECT_EQ(errorOf(client.call("kms", "ListKeys", nlohmann::json::object()))->kind, CallErrorKind::Malformed);
  EXPECT_EQ(errorOf(client.call("rds", "DescribeDBInstances", nlohmann::json::object()))->kind,
            CallErrorKind::Malformed);
  CallResult deepError = client.call("kms", "DescribeKey", {{"KeyId", "k"}});
  ASSERT_NE(errorOf(deepError), nullptr);
  EXPECT_EQ(errorOf(deepError)->kind, CallErrorKind::Service);
}

}  // namespace
}  // namespace kura::client
