// Resource-based policies (KMS key policies, secrets' policies): parsing of
// principals (MalformedPolicyDocumentException), and which statements apply
// to a caller: by its ARN, its role (for a session), "*", or its account.
#include <gtest/gtest.h>

#include <string>

#include "auth/resource_policy.h"

namespace kura::auth {
namespace {

constexpr const char* kCode = "MalformedPolicyDocumentException";
const Caller kUser{"arn:aws:iam::111122223333:user/alice", "111122223333"};
const Caller kSession{"arn:aws:sts::111122223333:assumed-role/reader/s1", "111122223333"};
const Caller kRoot{"arn:aws:iam::111122223333:root", "111122223333"};

ResourcePolicy parse(const std::string& text) {
  auto policy = parseResourcePolicy(text, kCode, 32768);
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message) << " in " << text;
  return policy.ok() ? *policy : ResourcePolicy{};
}

std::string statement(const std::string& effect, const std::string& principal, const std::string& action = "kms:*") {
  return R"({"Effect":")" + effect + R"(","Principal":)" + principal + R"(,"Action":")" + action +
         R"(","Resource":"*"})";
}

std::string document(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":[)" + statements + "]}";
}

RequestFacts facts(const std::string& action) {
  RequestFacts out;
  out.action = action;
  out.resources = {"arn:aws:kms:us-east-1:111122223333:key/k"};
  return out;
}

TEST(ResourcePolicy, RefusesWhatKmsAndSecretsManagerRefuse) {
  for (const std::string& bad : {std::string("{"), document(R"({"Effect":"Allow","Action":"kms:*","Resource":"*"})"),
                                 document(statement("Allow", R"({"AWS":"bob"})")),
                                 document(statement("Allow", R"({"Nope":"x"})")),
                                 document(statement("Allow", R"("someone")")),
                                 document(statement("Maybe", R"("*")")), std::string(100, '[') + std::string(100, ']')}) {
    auto policy = parseResourcePolicy(bad, kCode, 32768);
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_EQ(policy.error().code, kCode);
  }
  EXPECT_FALSE(parseResourcePolicy(document(statement("Allow", R"("*")")), kCode, 10).ok());
}

TEST(ResourcePolicy, NamesTheCallerItsRoleOrItsAccount) {
  auto byArn = parse(document(statement("Allow", R"({"AWS":"arn:aws:iam::111122223333:user/alice"})")));
  EXPECT_TRUE(evaluateResourcePolicy(byArn, kUser, facts("kms:Decrypt")).allowCaller);
  EXPECT_FALSE(evaluateResourcePolicy(byArn, kSession, facts("kms:Decrypt")).allowCaller);

  auto byRole = parse(document(statement("Allow", R"({"AWS":"arn:aws:iam::111122223333:role/team/reader"})")));
  EXPECT_TRUE(evaluateResourcePolicy(byRole, kSession, facts("kms:Decrypt")).allowCaller);
  EXPECT_FALSE(evaluateResourcePolicy(byRole, kUser, facts("kms:Decrypt")).allowCaller);

  // The account: a delegation to IAM for its principals, the root itself.
  for (const char* account : {R"({"AWS":"arn:aws:iam::111122223333:root"})", R"({"AWS":"111122223333"})"}) {
    auto policy = parse(document(statement("Allow", account)));
    auto finding = evaluateResourcePolicy(policy, kUser, facts("kms:Decrypt"));
    EXPECT_FALSE(finding.allowCaller);
    EXPECT_TRUE(finding.allowAccount);
    EXPECT_TRUE(evaluateResourcePolicy(policy, kRoot, facts("kms:Decrypt")).allowCaller);
    Caller stranger{"arn:aws:iam::444455556666:user/alice", "444455556666"};
    EXPECT_FALSE(evaluateResourcePolicy(policy, stranger, facts("kms:Decrypt")).allowAccount);
  }
  auto anyone = parse(document(statement("Allow", R"({"AWS":"*"})")));
  EXPECT_TRUE(evaluateResourcePolicy(anyone, kSession, facts("kms:Decrypt")).allowCaller);
}

TEST(ResourcePolicy, DenyOfTheAccountAppliesToEveryone) {
  auto policy = parse(document(statement("Allow", R"({"AWS":"arn:aws:iam::111122223333:user/alice"})") + "," +
                               statement("Deny", R"({"AWS":"111122223333"})", "kms:Decrypt")));
  auto decrypt = evaluateResourcePolicy(policy, kUser, facts("kms:Decrypt"));
  EXPECT_TRUE(decrypt.deny);
  auto encrypt = evaluateResourcePolicy(policy, kUser, facts("kms:Encrypt"));
  EXPECT_FALSE(encrypt.deny);
  EXPECT_TRUE(encrypt.allowCaller);
}

TEST(ResourcePolicy, NotPrincipalAppliesToOthers) {
  // A user named with its account is left out; everyone else is denied.
  auto policy = parse(document(R"({"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice",)"
                               R"("111122223333"]},"Action":"kms:*","Resource":"*"})"));
  EXPECT_FALSE(evaluateResourcePolicy(policy, kUser, facts("kms:Decrypt")).deny);
  EXPECT_TRUE(evaluateResourcePolicy(policy, kSession, facts("kms:Decrypt")).deny);
  // Named without its account, the user is not left out: AWS checks the
  // account first.
  auto userOnly = parse(document(R"({"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},)"
                                 R"("Action":"kms:*","Resource":"*"})"));
  EXPECT_TRUE(evaluateResourcePolicy(userOnly, kUser, facts("kms:Decrypt")).deny);
  // A principal with a permissions boundary is never left out.
  RequestFacts bounded = facts("kms:Decrypt");
  bounded.boundedPrincipal = true;
  EXPECT_TRUE(evaluateResourcePolicy(policy, kUser, bounded).deny);
}

TEST(ResourcePolicy, NotPrincipalLeavesASessionOutWithItsRoleAndAccount) {
  std::string session = kSession.arn;
  auto all = parse(document(R"({"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/reader",")" +
                            session + R"(","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"})"));
  EXPECT_FALSE(evaluateResourcePolicy(all, kSession, facts("kms:Decrypt")).deny);
  auto noRole = parse(document(R"({"Effect":"Deny","NotPrincipal":{"AWS":[")" + session +
                               R"(","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"})"));
  EXPECT_TRUE(evaluateResourcePolicy(noRole, kSession, facts("kms:Decrypt")).deny);
}

TEST(ResourcePolicy, ConditionsReadTheServiceKeys) {
  auto policy = parse(document(
      R"({"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*",)"
      R"("Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}})"));
  EXPECT_TRUE(policy.usesKeys);
  RequestFacts direct = facts("kms:Decrypt");
  EXPECT_FALSE(evaluateResourcePolicy(policy, kUser, direct).allowCaller);
  RequestFacts via = direct;
  via.keys["kms:viaservice"] = "secretsmanager.us-east-1.amazonaws.com";
  EXPECT_TRUE(evaluateResourcePolicy(policy, kUser, via).allowCaller);
}

}  // namespace
}  // namespace kura::auth
