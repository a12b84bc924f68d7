// The client's signer against AWS's SigV4 test suite
// (tests/data/aws-signing-test-suite/v4): from each case's unsigned request
// and context it must produce the suite's canonical request, string to
// sign, signature and Authorization header.
#include "client/sigv4_signer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "../signing_suite.h"

namespace kura::client {
namespace {

using namespace signing_suite;

const fs::path kSuite = kRoot / "v4";

SignableRequest parseSignable(const std::string& text) {
  Request parsed = signing_suite::parseRequest(text);
  SignableRequest request;
  request.method = parsed.method;
  request.target = parsed.target;
  request.headers = parsed.headers;
  request.body = parsed.body;
  return request;
}

std::string headerOf(const HeaderList& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

class SignerVector : public ::testing::TestWithParam<std::string> {};

TEST_P(SignerVector, SignsAsTheSuiteDoes) {
  fs::path dir = kSuite / GetParam();
  nlohmann::json context = nlohmann::json::parse(readFile(dir / "context.json"));
  // The client signs for services that normalize paths: a "normalize":
  // false case (S3's way) is signed as its normalized twin, the same request.
  if (!context.value("normalize", true)) {
    std::string name = GetParam();
    fs::path twin = kSuite / (name.substr(0, name.size() - std::string("unnormalized").size()) + "normalized");
    ASSERT_EQ(readFile(twin / "request.txt"), readFile(dir / "request.txt"));
    dir = twin;
    context = nlohmann::json::parse(readFile(dir / "context.json"));
  }
  AwsCredentials credentials{context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"],
                             context["credentials"].value("token", ""), "suite"};
  SigningScope scope{context["region"], context["service"], context.value("omit_session_token", false),
                     context.value("sign_body", false)};
  SignableRequest request = parseSignable(readFile(dir / "request.txt"));
  SigningTrace trace =
      signRequest(request, credentials, scope, *parseTimestamp(context["timestamp"].get<std::string>()));
  EXPECT_EQ(trace.canonicalRequest, readFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(trace.stringToSign, readFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(trace.signature, readFile(dir / "header-signature.txt"));
  SignableRequest expected = parseSignable(readFile(dir / "header-signed-request.txt"));
  EXPECT_EQ(headerOf(request.headers, "Authorization"), headerOf(expected.headers, "Authorization"));
  EXPECT_EQ(headerOf(request.headers, "X-Amz-Date"), headerOf(expected.headers, "X-Amz-Date"));
  EXPECT_EQ(headerOf(request.headers, "X-Amz-Security-Token"), headerOf(expected.headers, "X-Amz-Security-Token"));
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuite, SignerVector, ::testing::ValuesIn(caseNames("v4")),
                         [](const auto& info) { return testName(info.param); });

TEST(SignerVectors, TheSuiteIsThere) { EXPECT_GE(caseNames("v4").size(), 30u); }

}  // namespace
}  // namespace kura::client
