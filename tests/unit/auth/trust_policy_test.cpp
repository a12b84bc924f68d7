// Roles' trust policies: what IAM refuses when one is stored, and who they
// let assume the role (the principals they name, their conditions, an
// explicit deny), as AWS's documentation of role trust policies has it.
#include <gtest/gtest.h>

#include <string>

#include "auth/trust_policy.h"

namespace kura::auth {
namespace {

const std::string kAccount = "000000000000";
const std::string kAlice = "arn:aws:iam::000000000000:user/alice";
const std::string kRole = "arn:aws:iam::000000000000:role/reader";

std::string document(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":[)" + statements + "]}";
}

std::string refusal(const std::string& text) {
  auto parsed = parseTrustPolicy(text);
  if (parsed.ok()) return "accepted";
  EXPECT_EQ(parsed.error().code, "MalformedPolicyDocument");
  return parsed.error().message;
}

Decision decide(const std::string& text, const TrustCaller& caller, const std::string& sessionName = "s") {
  auto parsed = parseTrustPolicy(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return Decision::ImplicitDeny;
  RequestFacts facts;
  facts.action = "sts:AssumeRole";
  facts.resources = {kRole};
  facts.keys = {{"sts:rolesessionname", sessionName}};
  return evaluateTrustPolicy(*parsed, caller, facts);
}

TEST(TrustPolicy, RefusedAsIamRefusesThem) {
  EXPECT_EQ(refusal("{"), "This policy contains invalid Json");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Action":"sts:AssumeRole"})")), "Missing required field Principal");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"})")),
            "Has prohibited field Resource.");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":"*","Action":"dynamodb:GetItem"})")),
            "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
            "sts:AssumeRoleWithWebIdentity");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"})")),
            R"(Invalid principal in policy: "AWS":"bob")");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::12:user/x"},"Action":"sts:AssumeRole"})")),
            R"(Invalid principal in policy: "AWS":"arn:aws:iam::12:user/x")");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":{"AWS":"*"}})")), "Policy statement must contain actions.");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",)"
                             R"("Condition":{"StringMaybe":{"sts:RoleSessionName":"x"}}})")),
            "Syntax errors in policy.");
  EXPECT_EQ(refusal(document(R"({"Effect":"Allow","Principal":{"AWS":")" + kAccount +
                             R"(","Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"})")),
            "accepted");
}

TEST(TrustPolicy, NamesItsPrincipals) {
  TrustCaller alice{{kAlice}, kAccount};
  TrustCaller bob{{"arn:aws:iam::000000000000:user/bob"}, kAccount};
  std::string byArn = document(R"({"Effect":"Allow","Principal":{"AWS":")" + kAlice + R"("},"Action":"sts:AssumeRole"})");
  EXPECT_EQ(decide(byArn, alice), Decision::Allow);
  EXPECT_EQ(decide(byArn, bob), Decision::ImplicitDeny);
  // The account, by id or root ARN, names every principal in it.
  for (const std::string& account : {kAccount, "arn:aws:iam::" + kAccount + ":root"}) {
    std::string byAccount =
        document(R"({"Effect":"Allow","Principal":{"AWS":")" + account + R"("},"Action":"sts:AssumeRole"})");
    EXPECT_EQ(decide(byAccount, bob), Decision::Allow);
    EXPECT_EQ(decide(byAccount, TrustCaller{{"arn:aws:iam::111111111111:user/bob"}, "111111111111"}),
              Decision::ImplicitDeny);
  }
  // A service principal names no IAM principal; the action must match.
  EXPECT_EQ(decide(document(R"({"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"})"),
                   alice),
            Decision::ImplicitDeny);
  EXPECT_EQ(decide(document(R"({"Effect":"Allow","Principal":"*","Action":"sts:TagSession"})"), alice),
            Decision::ImplicitDeny);
  // A role's session is named by its role's ARN.
  TrustCaller session{{"arn:aws:sts::000000000000:assumed-role/first/s", "arn:aws:iam::000000000000:role/first"},
                      kAccount};
  EXPECT_EQ(decide(document(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/first"},)"
                            R"("Action":"sts:AssumeRole"})"),
                   session),
            Decision::Allow);
}

TEST(TrustPolicy, ConditionsAndExplicitDeny) {
  TrustCaller alice{{kAlice}, kAccount};
  std::string named = document(R"({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",)"
                               R"("Condition":{"StringLike":{"sts:RoleSessionName":"ok-*"}}})");
  EXPECT_EQ(decide(named, alice, "ok-1"), Decision::Allow);
  EXPECT_EQ(decide(named, alice, "no-1"), Decision::ImplicitDeny);
  std::string denied = document(R"({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},)"
                                R"({"Effect":"Deny","Principal":{"AWS":")" + kAlice + R"("},"Action":"sts:AssumeRole"})");
  EXPECT_EQ(decide(denied, alice), Decision::ExplicitDeny);
  EXPECT_EQ(decide(denied, TrustCaller{{"arn:aws:iam::000000000000:user/bob"}, kAccount}), Decision::Allow);
}

}  // namespace
}  // namespace kura::auth
