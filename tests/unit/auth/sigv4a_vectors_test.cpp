// Every case of AWS's SigV4a test suite (tests/data/aws-signing-test-suite/v4a):
// the key derived from the credential is the suite's public key, the
// canonical request and string to sign are the suite's for header and query
// signing, the suite's signatures (ECDSA's are not reproducible, each is
// random) verify, and the verifier accepts the signed requests at their
// time and refuses them altered.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/sigv4_verifier.h"
#include "auth/sigv4a.h"
#include "common/time_format.h"
#include "../signing_suite.h"
#include "suite_verification.h"

namespace kura::auth {
namespace {

using namespace signing_suite;
using ParsedRequest = Request;

const fs::path kSuite = kRoot / "v4a";

// The cases with expectations (two of the suite's, get-vanilla-query-order-key
// and -value, hold only a request and its context).
std::vector<std::string> caseNames() { return signing_suite::caseNames("v4a", "public-key.json"); }

class SigV4aVector : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = kSuite / GetParam();
    context_ = nlohmann::json::parse(readFile(dir_ / "context.json"));
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
    amzDate_ = formatAmzDate(time_);
  }

  // Canonical request and string to sign as the suite has them, and its
  // signature verifying.
  void checkForm(const std::string& form, bool presigned) {
    SCOPED_TRACE(form);
    ParsedRequest signedRequest = parseRequest(readFile(dir_ / (form + "-signed-request.txt")));
    std::string expected = readFile(dir_ / (form + "-canonical-request.txt"));
    std::string canonical =
        canonicalRequest(signedRequest.method, signedRequest.target, signedRequest.headers, signedHeadersOf(expected),
                         payloadOf(expected), presigned, context_.value("omit_session_token", false), normalize_);
    EXPECT_EQ(canonical, expected);
    std::string toSign = sigv4aStringToSign(amzDate_, amzDate_.substr(0, 8), context_["service"].get<std::string>(),
                                            canonical);
    EXPECT_EQ(toSign, readFile(dir_ / (form + "-string-to-sign.txt")));
    std::string signatureHex = readFile(dir_ / (form + "-signature.txt"));
    EXPECT_TRUE(sigv4aVerify(credential_.accessKeyId, credential_.secretAccessKey, toSign, signatureHex));
    std::string altered = signatureHex;
    altered[20] = altered[20] == '0' ? '1' : '0';
    EXPECT_FALSE(sigv4aVerify(credential_.accessKeyId, credential_.secretAccessKey, toSign, altered));
    EXPECT_FALSE(sigv4aVerify(credential_.accessKeyId, credential_.secretAccessKey, toSign + " ", signatureHex));
    EXPECT_FALSE(sigv4aVerify(credential_.accessKeyId, "not-the-secret", toSign, signatureHex));
  }

  fs::path dir_;
  nlohmann::json context_;
  bool normalize_ = true;
  Credential credential_;
  StaticCredentialStore store_;
  SystemTime time_;
  std::string amzDate_;
};

TEST_P(SigV4aVector, DerivesTheSuitesPublicKey) {
  auto expected = nlohmann::json::parse(readFile(dir_ / "public-key.json"));
  auto key = sigv4aPublicKey(credential_.accessKeyId, credential_.secretAccessKey);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->x, expected["X"].get<std::string>());
  EXPECT_EQ(key->y, expected["Y"].get<std::string>());
}

TEST_P(SigV4aVector, HeaderSigningMatchesTheSuite) { checkForm("header", false); }

TEST_P(SigV4aVector, QuerySigningMatchesTheSuite) { checkForm("query", true); }

TEST_P(SigV4aVector, VerifierAcceptsTheSignedRequestAndRefusesItAltered) {
  for (const char* file : {"header-signed-request.txt", "query-signed-request.txt"}) {
    SCOPED_TRACE(file);
    ParsedRequest request = parseRequest(readFile(dir_ / file));
    auto identity = checkSuiteRequest(request, credential_, time_, std::string(file).rfind("query", 0) == 0, 20);
    ASSERT_TRUE(identity);
    EXPECT_EQ(identity->scope.service, context_["service"]);
    EXPECT_EQ(identity->scope.region, context_["region"]);  // the region set's one region
    auto peeked = peekScope(HttpRequestView{request.method, request.target, request.headers, request.body});
    ASSERT_TRUE(peeked);
    EXPECT_EQ(peeked->region, context_["region"]);
    EXPECT_EQ(peeked->service, context_["service"]);
  }
}

INSTANTIATE_TEST_SUITE_P(AwsSigningTestSuite, SigV4aVector, ::testing::ValuesIn(caseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return testName(info.param); });

TEST(SigV4aVectors, TheSuiteIsThere) { EXPECT_GE(caseNames().size(), 30u); }

// The region set must name the one region the request is for, and be signed.
TEST(SigV4a, TheRegionSetNamesOneSignedRegion) {
  fs::path dir = kSuite / "get-vanilla";
  auto context = nlohmann::json::parse(readFile(dir / "context.json"));
  StaticCredentialStore store;
  store.add({context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"], "000000000000",
             "root"});
  SigV4Verifier verifier(store, std::make_shared<ManualClock>(*parseTimestamp(context["timestamp"].get<std::string>())));
  ParsedRequest request = parseRequest(readFile(dir / "header-signed-request.txt"));
  auto withRegionSet = [&](const std::string& set) {
    ParsedRequest changed = request;
    for (auto& [name, value] : changed.headers) {
      if (name == "X-Amz-Region-Set") value = set;
    }
    return verifier.verify(HttpRequestView{changed.method, changed.target, changed.headers, changed.body});
  };
  for (const char* set : {"*", "us-*", "us-east-1,eu-west-1", ""}) {
    SCOPED_TRACE(set);
    auto refused = withRegionSet(set);
    ASSERT_TRUE(std::holds_alternative<AuthError>(refused));
    EXPECT_EQ(std::get<AuthError>(refused).failure, AuthFailure::IncompleteSignature);
    EXPECT_NE(std::get<AuthError>(refused).message.find("X-Amz-Region-Set"), std::string::npos);
  }
  // Another region than the one signed.
  auto other = withRegionSet("eu-west-1");
  ASSERT_TRUE(std::holds_alternative<AuthError>(other));
  EXPECT_EQ(std::get<AuthError>(other).failure, AuthFailure::SignatureMismatch);
  // Not among the signed headers: refused before any signature is checked.
  ParsedRequest unsigned_ = request;
  for (auto& [name, value] : unsigned_.headers) {
    if (name != "Authorization") continue;
    size_t at = value.find(";x-amz-region-set");
    ASSERT_NE(at, std::string::npos);
    value.erase(at, std::string(";x-amz-region-set").size());
  }
  auto notSigned = verifier.verify(HttpRequestView{unsigned_.method, unsigned_.target, unsigned_.headers, unsigned_.body});
  ASSERT_TRUE(std::holds_alternative<AuthError>(notSigned));
  EXPECT_EQ(std::get<AuthError>(notSigned).failure, AuthFailure::SignatureMismatch);
  EXPECT_NE(std::get<AuthError>(notSigned).message.find("X-Amz-Region-Set"), std::string::npos);
}

}  // namespace
}  // namespace kura::auth
