// Every case of AWS's SigV4 test suite (tests/data/aws-signing-test-suite/v4):
// canonical request, string to sign and signature for header and query
// signing, and the verifier accepting the signed request at its time and
// refusing it altered.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/sigv4_verifier.h"
#include "common/time_format.h"
#include "../signing_suite.h"
#include "suite_verification.h"

namespace kura::auth {
namespace {

using namespace signing_suite;
using Headers = std::vector<std::pair<std::string, std::string>>;
using ParsedRequest = Request;

const fs::path kSuite = kRoot / "v4";

class SigV4Vector : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = kSuite / GetParam();
    context_ = nlohmann::json::parse(readFile(dir_ / "context.json"));
    // The suite's "normalize": false cases sign the path as sent (S3's way).
    normalize_ = context_.value("normalize", true);
    credential_ = {context_["credentials"]["access_key_id"], context_["credentials"]["secret_access_key"],
                   "000000000000", "root"};
    // A case signed with a session token is one of temporary credentials.
    if (context_["credentials"].contains("token")) {
      credential_.sessionToken = context_["credentials"]["token"];
      credential_.expiresAt = *parseTimestamp(context_["timestamp"].get<std::string>()) + std::chrono::hours(1);
    }
    store_.add(credential_);
    time_ = *parseTimestamp(context_["timestamp"].get<std::string>());
    scope_ = {credential_.accessKeyId, formatAmzDate(time_).substr(0, 8), context_["region"], context_["service"]};
  }

  fs::path dir_;
  nlohmann::json context_;
  Credential credential_;
  StaticCredentialStore store_;
  SystemTime time_;
  SigV4Scope scope_;
  bool normalize_ = true;
};

TEST_P(SigV4Vector, HeaderSigningMatchesTheSuite) {
  ParsedRequest signedRequest = parseRequest(readFile(dir_ / "header-signed-request.txt"));
  std::string expected = readFile(dir_ / "header-canonical-request.txt");
  std::string canonical = canonicalRequest(signedRequest.method, signedRequest.target, signedRequest.headers,
                                           signedHeadersOf(expected), payloadOf(expected), false, false, normalize_);
  EXPECT_EQ(canonical, expected);
  std::string amzDate = formatAmzDate(time_);
  EXPECT_EQ(stringToSign(amzDate, scope_, canonical), readFile(dir_ / "header-string-to-sign.txt"));
  EXPECT_EQ(signature(credential_.secretAccessKey, amzDate, scope_, canonical), readFile(dir_ / "header-signature.txt"));
}

TEST_P(SigV4Vector, QuerySigningMatchesTheSuite) {
  ParsedRequest signedRequest = parseRequest(readFile(dir_ / "query-signed-request.txt"));
  std::string expected = readFile(dir_ / "query-canonical-request.txt");
  std::string canonical = canonicalRequest(signedRequest.method, signedRequest.target, signedRequest.headers,
                                           signedHeadersOf(expected), payloadOf(expected), true,
                                           context_.value("omit_session_token", false), normalize_);
  EXPECT_EQ(canonical, expected);
  std::string amzDate = formatAmzDate(time_);
  EXPECT_EQ(stringToSign(amzDate, scope_, canonical), readFile(dir_ / "query-string-to-sign.txt"));
  EXPECT_EQ(signature(credential_.secretAccessKey, amzDate, scope_, canonical), readFile(dir_ / "query-signature.txt"));
}

TEST_P(SigV4Vector, VerifierAcceptsTheSignedRequestAndRefusesItAltered) {
  for (const char* file : {"header-signed-request.txt", "query-signed-request.txt"}) {
    SCOPED_TRACE(file);
    auto identity = checkSuiteRequest(parseRequest(readFile(dir_ / file)), credential_, time_,
                                      std::string(file).rfind("query", 0) == 0);
    ASSERT_TRUE(identity);
    EXPECT_EQ(identity->scope.service, context_["service"]);
  }
}

// A signature over the path as sent binds that path: not its normalized
// form, nor another path that normalizes the same.
TEST(SigV4, ALiteralPathSignatureBindsThePathSent) {
  fs::path dir = kSuite / "get-relative-unnormalized";
  auto context = nlohmann::json::parse(readFile(dir / "context.json"));
  StaticCredentialStore store;
  store.add({context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"], "000000000000",
             "root"});
  auto clock = std::make_shared<ManualClock>(*parseTimestamp(context["timestamp"].get<std::string>()));
  SigV4Verifier verifier(store, clock);
  ParsedRequest request = parseRequest(readFile(dir / "header-signed-request.txt"));
  ASSERT_EQ(request.target, "/example/..");
  auto verify = [&](const std::string& target) {
    return verifier.verify(HttpRequestView{request.method, target, request.headers, request.body});
  };
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(request.target)));
  for (const char* other : {"/", "/other/..", "/example/../", "/example/%2E%2E"}) {
    SCOPED_TRACE(other);
    auto refused = verify(other);
    ASSERT_TRUE(std::holds_alternative<AuthError>(refused));
    EXPECT_EQ(std::get<AuthError>(refused).failure, AuthFailure::SignatureMismatch);
  }
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuite, SigV4Vector, ::testing::ValuesIn(caseNames("v4")),
                         [](const ::testing::TestParamInfo<std::string>& info) { return testName(info.param); });

TEST(SigV4, MissingAuthenticationAndPeekScope) {
  Headers headers = {{"Host", "localhost"}};
  StaticCredentialStore store;
  SigV4Verifier verifier(store, realClock());
  auto result = verifier.verify(HttpRequestView{"POST", "/", headers, ""});
  EXPECT_EQ(std::get<AuthError>(result).failure, AuthFailure::MissingAuthentication);
  Headers authorized = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AK/20260101/ap-northeast-1/rds/aws4_request, "
                                          "SignedHeaders=host;x-amz-date, Signature=00"}};
  auto scope = peekScope(HttpRequestView{"POST", "/", authorized, ""});
  ASSERT_TRUE(scope);
  EXPECT_EQ(scope->service, "rds");
  EXPECT_EQ(scope->region, "ap-northeast-1");
  Headers broken = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AK/2026"}};
  EXPECT_EQ(std::get<AuthError>(verifier.verify(HttpRequestView{"POST", "/", broken, ""})).failure,
            AuthFailure::IncompleteSignature);
}

// The peek before routing reads the header's fields without the
// verification's copies; it must accept exactly what the verification parses.
TEST(SigV4, PeekScopeAcceptsWhatTheVerificationParses) {
  auto peek = [](std::string header) {
    Headers headers = {{"Authorization", std::move(header)}};
    return peekScope(HttpRequestView{"POST", "/", headers, ""});
  };
  auto later = peek("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request,  SignedHeaders=host ,"
                    "Signature=00, Credential=BK/20260102/eu-west-1/dynamodb/aws4_request");
  ASSERT_TRUE(later);  // the last of each field wins, as in the verification
  EXPECT_EQ(later->accessKeyId, "BK");
  EXPECT_EQ(later->date, "20260102");
  EXPECT_EQ(later->region, "eu-west-1");
  EXPECT_EQ(later->service, "dynamodb");
  EXPECT_FALSE(peek("AWS4-HMAC-SHA1 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, "
                    "Signature=00"));
  EXPECT_FALSE(peek("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, Signature=00"));
  EXPECT_FALSE(peek("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host"));
  EXPECT_FALSE(peek("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts, SignedHeaders=host, Signature=00"));
  EXPECT_FALSE(peek("AWS4-HMAC-SHA256"));
}

TEST(SigV4, ErrorsInEachProtocolsWords) {
  AuthError mismatch{AuthFailure::SignatureMismatch, "m"};
  EXPECT_EQ(toApiError(mismatch, "query").code, "SignatureDoesNotMatch");
  EXPECT_EQ(toApiError(mismatch, "query").httpStatus, 403);
  EXPECT_EQ(toApiError(mismatch, "json").code, "InvalidSignatureException");
  EXPECT_EQ(toApiError({AuthFailure::UnknownAccessKey, "x"}, "query").code, "InvalidClientTokenId");
  EXPECT_EQ(toApiError({AuthFailure::UnknownAccessKey, "x"}, "json").code, "UnrecognizedClientException");
  EXPECT_EQ(toApiError({AuthFailure::MissingAuthentication, "x"}, "json").code, "MissingAuthenticationTokenException");
}

}  // namespace
}  // namespace kura::auth
