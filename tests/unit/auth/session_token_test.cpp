// Temporary credentials in the SigV4 verifier: the session token issued
// with them must come with every request (header, or presigned query), and
// once they expire they are refused as expired, in each protocol's words.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace kura::auth {
namespace {

const std::string kKey = "ASIAEXAMPLEEXAMPLE00";
const std::string kSecret = "secretsecretsecretsecretsecretsecret0000";
const std::string kToken = "token-issued-with-the-key";

struct Signed {
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A GET of "/" signed in the header, carrying `token`.
Signed headerSigned(SystemTime at, const std::string& token) {
  std::string amzDate = formatAmzDate(at);
  SigV4Scope scope{kKey, amzDate.substr(0, 8), "us-east-1", "sts"};
  Signed out{"/?Action=GetCallerIdentity&Version=2011-06-15",
             {{"Host", "localhost"}, {"X-Amz-Date", amzDate}, {"X-Amz-Security-Token", token}}};
  std::vector<std::string> names{"host", "x-amz-date", "x-amz-security-token"};
  std::string canonical = canonicalRequest("GET", out.target, out.headers, names, sha256Hex(""), false);
  out.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + kKey + "/" + scope.date +
                                                "/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;"
                                                "x-amz-security-token, Signature=" +
                                                signature(kSecret, amzDate, scope, canonical));
  return out;
}

class SessionToken : public ::testing::Test {
 protected:
  SystemTime issued_ = *parseTimestamp("2026-06-01T12:00:00Z");
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(issued_);
  StaticCredentialStore store_;

  void SetUp() override {
    Credential credential{kKey, kSecret, "000000000000", "alice"};
    credential.sessionToken = kToken;
    credential.expiresAt = issued_ + std::chrono::hours(1);
    store_.add(credential);
  }
  std::variant<Identity, AuthError> verify(const Signed& request) {
    return SigV4Verifier(store_, clock_).verify(HttpRequestView{"GET", request.target, request.headers, ""});
  }
};

TEST_F(SessionToken, AcceptedWithItsTokenUntilItExpires) {
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(headerSigned(issued_, kToken))));
  clock_->set(issued_ + std::chrono::minutes(59));
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(headerSigned(clock_->now(), kToken))));
  clock_->set(issued_ + std::chrono::minutes(61));
  auto expired = verify(headerSigned(clock_->now(), kToken));
  ASSERT_TRUE(std::holds_alternative<AuthError>(expired));
  EXPECT_EQ(std::get<AuthError>(expired).failure, AuthFailure::ExpiredToken);
  const AuthError& error = std::get<AuthError>(expired);
  EXPECT_EQ(toApiError(error, "query").code, "ExpiredToken");
  EXPECT_EQ(toApiError(error, "query").httpStatus, 403);
  EXPECT_EQ(toApiError(error, "json").code, "ExpiredTokenException");
  EXPECT_EQ(toApiError(error, "ec2").code, "RequestExpired");
  EXPECT_EQ(error.message, "The security token included in the request is expired");
}

TEST_F(SessionToken, AWrongOrMissingTokenIsAnUnknownKey) {
  for (const std::string& token : {std::string("token-issued-with-the-kez"), std::string()}) {
    auto refused = verify(headerSigned(issued_, token));
    ASSERT_TRUE(std::holds_alternative<AuthError>(refused));
    EXPECT_EQ(std::get<AuthError>(refused).failure, AuthFailure::UnknownAccessKey);
  }
}

TEST_F(SessionToken, PresignedWithTheTokenInTheQuery) {
  std::string amzDate = formatAmzDate(issued_);
  SigV4Scope scope{kKey, amzDate.substr(0, 8), "us-east-1", "sts"};
  std::string target = "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                       "&X-Amz-Credential=" + kKey + "%2F" + scope.date + "%2Fus-east-1%2Fsts%2Faws4_request"
                       "&X-Amz-Date=" + amzDate + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
                       "&X-Amz-Security-Token=" + uriEncode(kToken, false);
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "localhost"}};
  std::string canonical = canonicalRequest("GET", target, headers, {"host"}, "UNSIGNED-PAYLOAD", true);
  Signed request{target + "&X-Amz-Signature=" + signature(kSecret, amzDate, scope, canonical), headers};
  EXPECT_TRUE(std::holds_alternative<Identity>(verify(request)));
  Signed tampered = request;
  tampered.target.replace(tampered.target.find("token-issued"), 5, "TOKEN");
  auto refused = verify(tampered);
  ASSERT_TRUE(std::holds_alternative<AuthError>(refused));
  EXPECT_EQ(std::get<AuthError>(refused).failure, AuthFailure::UnknownAccessKey);
}

}  // namespace
}  // namespace kura::auth
