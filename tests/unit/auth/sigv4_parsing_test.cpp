// The SigV4 verifier's reading of a request beyond AWS's test vectors:
// header values collapsed as the canonical form wants (on its quick path
// and its slow one), a credential scope of the wrong length, a signature
// in upper case, and signing keys that change from call to call on one
// thread (each thread keeps its last key and HMAC state).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace kura::auth {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

TEST(SigV4Canonical, HeaderValuesAreTrimmedAndTheirBlankRunsCollapsed) {
  Headers headers{{"X-Plain", "value"},          {"x-spaced", "  a  b  "},   {"X-Tab", "a\tb"},
                  {"x-mixed", " a \t\r\n b  c "}, {"X-Single", "a b c"},      {"x-empty", "   "},
                  {"X-Twice", "one"},             {"x-twice", " two  three"}};
  std::vector<std::string> names{"x-empty", "x-mixed", "x-plain", "x-single", "x-spaced", "x-tab", "x-twice"};
  EXPECT_EQ(canonicalHeaders(headers, names),
            "x-empty:\n"
            "x-mixed:a b c\n"
            "x-plain:value\n"
            "x-single:a b c\n"
            "x-spaced:a b\n"
            "x-tab:a b\n"
            "x-twice:one,two three\n");
}

const std::string kKey = "AKIDEXAMPLE";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class SigV4Parsing : public ::testing::Test {
 protected:
  SystemTime now_ = *parseTimestamp("2026-12-06T12:00:00Z");
  std::string amzDate_ = formatAmzDate(now_);
  StaticCredentialStore store_;
  std::unique_ptr<SigV4Verifier> verifier_;

  void SetUp() override {
    store_.add(Credential{kKey, kSecret, "000000000000", "root"});
    store_.add(Credential{"AKIDOTHER", "another-secret-another-secret-0000000000", "000000000000", "other"});
    verifier_ = std::make_unique<SigV4Verifier>(store_, std::make_shared<ManualClock>(now_));
  }

  // A POST of `body` signed for `key`/`secret`; `credentialScope` replaces
  // the scope after the key when given.
  Headers signedPost(const std::string& body, const std::string& key, const std::string& secret,
                     const std::string& credentialScope = "") {
    SigV4Scope scope{key, amzDate_.substr(0, 8), "us-east-1", "dynamodb"};
    Headers headers{{"Host", "localhost"}, {"X-Amz-Date", amzDate_}};
    std::vector<std::string> names{"host", "x-amz-date"};
    std::string canonical = canonicalRequest("POST", "/", headers, names, sha256Hex(body), false);
    std::string scopeText = credentialScope.empty() ? scope.date + "/us-east-1/dynamodb/aws4_request" : credentialScope;
    headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scopeText +
                                              ", SignedHeaders=host;x-amz-date, Signature=" +
                                              signature(secret, amzDate_, scope, canonical));
    return headers;
  }

  std::variant<Identity, AuthError> verify(const Headers& headers, const std::string& body) {
    return verifier_->verify(HttpRequestView{"POST", "/", headers, body});
  }
};

TEST_F(SigV4Parsing, ACredentialScopeOfSixPartsOrATrailingSlashIsIncomplete) {
  std::string date = amzDate_.substr(0, 8);
  for (const std::string& scope : {date + "/us-east-1/dynamodb/aws4_request/", date + "/us-east-1/dynamodb/x/aws4_request",
                                   date + "/us-east-1/aws4_request"}) {
    auto result = verify(signedPost("{}", kKey, kSecret, scope), "{}");
    ASSERT_TRUE(std::holds_alternative<AuthError>(result)) << scope;
    EXPECT_EQ(std::get<AuthError>(result).failure, AuthFailure::IncompleteSignature) << scope;
  }
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(signedPost("{}", kKey, kSecret), "{}")));
}

TEST_F(SigV4Parsing, ASignatureInUpperCaseIsTheSameSignature) {
  Headers headers = signedPost("{}", kKey, kSecret);
  std::string& authorization = headers.back().second;
  size_t at = authorization.find("Signature=") + 10;
  for (size_t i = at; i < authorization.size(); ++i) {
    if (authorization[i] >= 'a' && authorization[i] <= 'f') authorization[i] = static_cast<char>(authorization[i] - 32);
  }
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(headers, "{}")));
  authorization.back() = authorization.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(std::holds_alternative<AuthError>(verify(headers, "{}")));
}

TEST_F(SigV4Parsing, KeysThatChangeFromCallToCallOnOneThreadSignAsOnAFreshThread) {
  // Signed on a thread of its own first: nothing cached there before.
  Headers first, second;
  std::thread([&] {
    first = signedPost("{\"a\":1}", kKey, kSecret);
    second = signedPost("{\"b\":2}", "AKIDOTHER", "another-secret-another-secret-0000000000");
  }).join();
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(signedPost("{\"a\":1}", kKey, kSecret), first);
    EXPECT_EQ(signedPost("{\"b\":2}", "AKIDOTHER", "another-secret-another-secret-0000000000"), second);
    auto a = verify(first, "{\"a\":1}");
    auto b = verify(second, "{\"b\":2}");
    ASSERT_TRUE(std::holds_alternative<Identity>(a));
    ASSERT_TRUE(std::holds_alternative<Identity>(b));
    EXPECT_EQ(std::get<Identity>(a).credential.userName, "root");
    EXPECT_EQ(std::get<Identity>(b).credential.userName, "other");
    // Each key's signature refuses the other's body.
    EXPECT_TRUE(std::holds_alternative<AuthError>(verify(first, "{\"b\":2}")));
  }
}

}  // namespace
}  // namespace kura::auth
