#include <gtest/gtest.h>

#include <algorithm>

#include "auth/sigv4_verifier.h"
#include "common/time_format.h"
#include "dbauth/db_auth_service.h"
#include "dbauth/db_auth_token.h"

namespace kura::dbauth {
namespace {

SystemTime at(int64_t epochSeconds) { return SystemTime(std::chrono::seconds(epochSeconds)); }
constexpr int64_t kNow = 1764720000;  // 2025-12-03T00:00:00Z

// A token as generate-db-auth-token makes it, signed at `when`.
std::string token(const std::string& hostPort, const std::string& user, SystemTime when, int expires = 900,
                  const std::string& region = "us-east-1", const std::string& key = "AKIDEXAMPLE",
                  const std::string& secret = "wJalrXUtnFEMI") {
  std::string amzDate = formatAmzDate(when);
  auth::SigV4Scope scope{key, amzDate.substr(0, 8), region, "rds-db"};
  std::string query = "Action=connect&DBUser=" + auth::uriEncode(user, false) +
                      "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
                      auth::uriEncode(key + "/" + scope.date + "/" + region + "/rds-db/aws4_request", false) +
                      "&X-Amz-Date=" + amzDate + "&X-Amz-Expires=" + std::to_string(expires) +
                      "&X-Amz-SignedHeaders=host";
  std::vector<std::pair<std::string, std::string>> headers = {{"host", hostPort}};
  std::string canonical =
      auth::canonicalRequest("GET", "/?" + query, headers, {"host"}, "UNSIGNED-PAYLOAD", true);
  return hostPort + "/?" + query + "&X-Amz-Signature=" + auth::signature(secret, amzDate, scope, canonical);
}

class DbAuthTokenTest : public ::testing::Test {
 protected:
  DbAuthTokenTest() {
    credentials_.add({"AKIDEXAMPLE", "wJalrXUtnFEMI", "000000000000", "root", "", ""});
    credentials_.add({"AKIAUSER", "user-secret", "000000000000", "reader", "AIDAREADER",
                      "arn:aws:iam::000000000000:user/reader"});
    target_.accountId = "000000000000";
    target_.region = "us-east-1";
    target_.resourceId = "db-ABCDEFG";
    target_.sourceId = "orders";
    target_.endpoints = {"127.0.0.1:4512"};
    target_.enabled = true;
  }
  DbAuthDecision verify(const std::string& text, const std::string& user = "alice") {
    DbAuthTokenVerifier verifier(
        credentials_,
        [this](const auth::Identity& signer, const std::string&, const std::string& arn,
               const DbAuthTokenVerifier::ClientAddress&) -> std::optional<std::string> {
          asked_ = arn;
          if (signer.credential.userArn.empty()) return std::nullopt;
          if (arn.ends_with("/alice")) return std::nullopt;
          return "no identity-based policy allows rds-db:connect on " + arn;
        },
        clock_);
    return verifier.verify(text, user, target_);
  }

  auth::StaticCredentialStore credentials_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(at(kNow));
  DbAuthTarget target_;
  std::string asked_;
};

TEST_F(DbAuthTokenTest, AGoodTokenLogsItsUserIn) {
  auto decision = verify(token("127.0.0.1:4512", "alice", at(kNow - 60)));
  EXPECT_TRUE(decision.allowed) << decision.reason;
  EXPECT_EQ(decision.principal, "root");
  EXPECT_EQ(decision.accessKeyId, "AKIDEXAMPLE");
  // Signed a second ago or 14 minutes ago: both within 900 seconds.
  EXPECT_TRUE(verify(token("127.0.0.1:4512", "alice", at(kNow - 840))).allowed);
}

TEST_F(DbAuthTokenTest, EveryPartOfTheTokenCounts) {
  std::string good = token("127.0.0.1:4512", "alice", at(kNow));
  std::string tampered = good;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  struct Case {
    std::string name, token, reason;
  };
  std::vector<Case> cases = {
      {"expired", token("127.0.0.1:4512", "alice", at(kNow - 901)), "expired"},
      {"too long", token("127.0.0.1:4512", "alice", at(kNow), 901), "X-Amz-Expires"},
      {"ahead", token("127.0.0.1:4512", "alice", at(kNow + 600)), "in the future"},
      {"tampered", tampered, "signature"},
      {"other user", token("127.0.0.1:4512", "bob", at(kNow)), "another database user"},
      {"other port", token("127.0.0.1:4513", "alice", at(kNow)), "another endpoint"},
      {"other region", token("127.0.0.1:4512", "alice", at(kNow), 900, "eu-west-1"), "region"},
      {"unknown key", token("127.0.0.1:4512", "alice", at(kNow), 900, "us-east-1", "AKIANOBODY"), "not known"},
      {"wrong secret", token("127.0.0.1:4512", "alice", at(kNow), 900, "us-east-1", "AKIDEXAMPLE", "x"),
       "signature"},
      {"not a token", "hunter2", "not an authentication token"},
      {"spaces", good + " ", "not an authentication token"},
  };
  for (const auto& test : cases) {
    auto decision = verify(test.token);
    EXPECT_FALSE(decision.allowed) << test.name;
    EXPECT_NE(decision.reason.find(test.reason), std::string::npos) << test.name << ": " << decision.reason;
    // Nothing of the signature is ever in a reason.
    std::string signature = test.token.substr(test.token.rfind('=') + 1);
    if (signature.size() == 64) {
      EXPECT_EQ(decision.reason.find(signature), std::string::npos) << test.name;
    }
  }
}

TEST_F(DbAuthTokenTest, ADisabledDatabaseRefusesEveryToken) {
  target_.enabled = false;
  EXPECT_FALSE(verify(token("127.0.0.1:4512", "alice", at(kNow))).allowed);
}

TEST_F(DbAuthTokenTest, AnIamUserNeedsRdsDbConnectOnTheUser) {
  std::string forAlice = token("127.0.0.1:4512", "alice", at(kNow), 900, "us-east-1", "AKIAUSER", "user-secret");
  EXPECT_TRUE(verify(forAlice).allowed);
  EXPECT_EQ(asked_, "arn:aws:rds-db:us-east-1:000000000000:dbuser:db-ABCDEFG/alice");
  std::string forBob = token("127.0.0.1:4512", "bob", at(kNow), 900, "us-east-1", "AKIAUSER", "user-secret");
  auto decision = verify(forBob, "bob");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.principal, "arn:aws:iam::000000000000:user/reader");
  EXPECT_NE(decision.reason.find("dbuser:db-ABCDEFG/bob"), std::string::npos);
}

TEST(BindName, TheLastKeyDecidesWhateverTheUserIsCalled) {
  auto plain = parseBindName("uid=alice,ou=db-ABC");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->user, "alice");
  EXPECT_EQ(plain->key, "db-ABC");
  EXPECT_EQ(plain->via, 0);
  auto tricky = parseBindName("uid=eve,ou=db-OTHER,ou=db-ABC");
  ASSERT_TRUE(tricky);
  EXPECT_EQ(tricky->user, "eve,ou=db-OTHER");
  EXPECT_EQ(tricky->key, "db-ABC");
  auto maria = parseBindName("uid=alice,ou=db-ABC;via=40123");
  ASSERT_TRUE(maria);
  EXPECT_EQ(maria->key, "db-ABC");
  EXPECT_EQ(maria->via, 40123);
  EXPECT_EQ(bindName("alice", "db-ABC"), "uid=alice,ou=db-ABC");
  for (const char* bad : {"", "cn=alice,ou=db-ABC", "uid=alice", "uid=,ou=db-ABC", "uid=alice,ou=",
                          "uid=alice,ou=db-ABC;via=", "uid=alice,ou=db-ABC;via=99999", "uid=alice,ou=db-ABC;via=1x"}) {
    EXPECT_FALSE(parseBindName(bad)) << bad;
  }
}

}  // namespace
}  // namespace kura::dbauth
