// The IAM policy evaluator: parsing (MalformedPolicyDocument), wildcards,
// NotAction/NotResource, explicit deny over allow, conditions, and a
// differential table of the examples of AWS's documentation of policy
// evaluation (IAM User Guide: "Policy evaluation logic", "IAM JSON policy
// elements: NotAction / NotResource / Condition operators").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/policy_document.h"
#include "auth/policy_evaluation.h"
#include "auth/request_resources.h"

namespace kura::auth {
namespace {

PolicyDocument parse(const std::string& text) {
  auto document = parsePolicyDocument(text);
  EXPECT_TRUE(document.ok()) << (document.ok() ? "" : document.error().message) << " in " << text;
  return document.ok() ? *document : PolicyDocument{};
}

RequestFacts facts(std::string action, std::string resource = "*") {
  RequestFacts out;
  out.action = std::move(action);
  out.resources = {std::move(resource)};
  out.keys = {{"aws:sourceip", "203.0.113.7"},
              {"aws:securetransport", "false"},
              {"aws:requestedregion", "us-east-1"},
              {"aws:username", "alice"},
              {"aws:currenttime", "2026-06-01T12:00:00Z"}};
  return out;
}

Decision decide(const std::vector<std::string>& policies, const RequestFacts& request) {
  std::vector<PolicyDocument> documents;
  for (const auto& text : policies) documents.push_back(parse(text));
  std::vector<const PolicyDocument*> view;
  for (const auto& document : documents) view.push_back(&document);
  return evaluatePolicies(view, request);
}

std::string statement(const std::string& body) {
  return R"({"Version":"2012-10-17","Statement":[)" + body + "]}";
}

const std::string kTable = "arn:aws:dynamodb:us-east-1:000000000000:table/orders";
const std::string kOtherTable = "arn:aws:dynamodb:us-east-1:000000000000:table/users";

TEST(PolicyDocument, RefusesWhatIamRefuses) {
  struct Case {
    std::string text, message;
  };
  std::vector<Case> cases = {
      {"{", "This policy contains invalid Json"},
      {"[]", "Syntax errors in policy."},
      {R"({"Version":"2012-10-17"})", "Syntax errors in policy."},
      {R"({"Version":"2013-01-01","Statement":[]})", "The policy failed legacy parsing"},
      {statement(R"({"Effect":"Allow","Resource":"*"})"), "Policy statement must contain actions."},
      {statement(R"({"Effect":"Allow","Action":"s3:GetObject"})"), "Policy statement must contain resources."},
      {statement(R"({"Action":"s3:GetObject","Resource":"*"})"), "Missing required field Effect"},
      {statement(R"({"Effect":"Maybe","Action":"s3:*","Resource":"*"})"), "Invalid effect: Maybe"},
      {statement(R"({"Effect":"Allow","Action":"GetObject","Resource":"*"})"),
       "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
      {statement(R"({"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"})"),
       "Policy document should not specify a principal."},
      {statement(R"({"Effect":"Allow","Action":"s3:*","Resource":"table"})"),
       "Resource table must be in ARN format or \"*\"."},
  };
  for (const auto& c : cases) {
    auto document = parsePolicyDocument(c.text);
    ASSERT_FALSE(document.ok()) << c.text;
    EXPECT_EQ(document.error().code, "MalformedPolicyDocument");
    EXPECT_EQ(document.error().message, c.message) << c.text;
  }
  // A single statement object, and lists or strings alike.
  EXPECT_TRUE(parsePolicyDocument(R"({"Statement":{"Effect":"Deny","Action":["s3:*"],"Resource":["*"]}})").ok());
}

TEST(Wildcards, StarAndQuestionMark) {
  EXPECT_TRUE(wildcardMatch("dynamodb:*", "dynamodb:getitem", true));
  EXPECT_TRUE(wildcardMatch("dynamodb:Get*", "DYNAMODB:GETITEM", true));
  EXPECT_TRUE(wildcardMatch("dynamodb:?etItem", "dynamodb:GetItem", false));
  EXPECT_FALSE(wildcardMatch("dynamodb:?etItem", "dynamodb:BatchGetItem", false));
  EXPECT_TRUE(wildcardMatch("*", "", false));
  EXPECT_TRUE(wildcardMatch("a*b*c", "aXXbYYc", false));
  EXPECT_FALSE(wildcardMatch("a*b*c", "aXXbYY", false));
  EXPECT_FALSE(wildcardMatch("arn:aws:dynamodb:*:*:table/Orders", kTable, false));  // ARNs are case-sensitive
  // Many stars stay linear.
  EXPECT_FALSE(wildcardMatch(std::string(200, '*') + "b", std::string(10000, 'a'), false));
  // A '*' in the text is matched by the pattern's star as any other character.
  EXPECT_TRUE(wildcardMatch("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*secret", false));
  EXPECT_TRUE(wildcardMatch("a*", "a*b", false));
  EXPECT_TRUE(wildcardMatch("*b", "**b", false));
  EXPECT_FALSE(wildcardMatch("a*a*a*a*a*a*a*b", std::string(10000, 'a'), false));
}

TEST(PolicyEvaluation, ActionsAreCaseInsensitiveAndDefaultIsDeny) {
  std::string allowGet = statement(R"({"Effect":"Allow","Action":"DynamoDB:getitem","Resource":")" + kTable + "\"}");
  EXPECT_EQ(decide({allowGet}, facts("dynamodb:GetItem", kTable)), Decision::Allow);
  EXPECT_EQ(decide({allowGet}, facts("dynamodb:PutItem", kTable)), Decision::ImplicitDeny);
  EXPECT_EQ(decide({allowGet}, facts("dynamodb:GetItem", kOtherTable)), Decision::ImplicitDeny);
  EXPECT_EQ(decide({}, facts("dynamodb:GetItem", kTable)), Decision::ImplicitDeny);
}

TEST(PolicyEvaluation, ExplicitDenyWinsOverAnyAllow) {
  std::string allowAll = statement(R"({"Effect":"Allow","Action":"*","Resource":"*"})");
  std::string denyDelete = statement(R"({"Effect":"Deny","Action":"dynamodb:Delete*","Resource":"*"})");
  EXPECT_EQ(decide({allowAll, denyDelete}, facts("dynamodb:DeleteTable", kTable)), Decision::ExplicitDeny);
  EXPECT_EQ(decide({denyDelete, allowAll}, facts("dynamodb:DeleteItem", kTable)), Decision::ExplicitDeny);
  EXPECT_EQ(decide({allowAll, denyDelete}, facts("dynamodb:GetItem", kTable)), Decision::Allow);
}

TEST(PolicyEvaluation, NotActionAndNotResource) {
  // Everything but IAM (AWS's example of NotAction with Allow).
  std::string allButIam = statement(R"({"Effect":"Allow","NotAction":"iam:*","Resource":"*"})");
  EXPECT_EQ(decide({allButIam}, facts("dynamodb:PutItem", kTable)), Decision::Allow);
  EXPECT_EQ(decide({allButIam}, facts("iam:CreateUser")), Decision::ImplicitDeny);
  // Deny everything outside one table.
  std::string onlyOrders = statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*"},
      {"Effect":"Deny","Action":"dynamodb:*","NotResource":")" + kTable + "\"}");
  EXPECT_EQ(decide({onlyOrders}, facts("dynamodb:GetItem", kTable)), Decision::Allow);
  EXPECT_EQ(decide({onlyOrders}, facts("dynamodb:GetItem", kOtherTable)), Decision::ExplicitDeny);
}

TEST(PolicyEvaluation, EveryResourceOfABatchMustBeAllowed) {
  std::string allowOrders =
      statement(R"({"Effect":"Allow","Action":"dynamodb:BatchGetItem","Resource":")" + kTable + "\"}");
  RequestFacts request = facts("dynamodb:BatchGetItem", kTable);
  EXPECT_EQ(decide({allowOrders}, request), Decision::Allow);
  request.resources.push_back(kOtherTable);
  std::vector<PolicyDocument> documents{parse(allowOrders)};
  std::string denied;
  EXPECT_EQ(evaluatePolicies({&documents[0]}, request, &denied), Decision::ImplicitDeny);
  EXPECT_EQ(denied, kOtherTable);
}

TEST(PolicyEvaluation, Conditions) {
  auto with = [](const std::string& condition) {
    return statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":)" + condition + "}");
  };
  RequestFacts request = facts("dynamodb:GetItem", kTable);
  EXPECT_EQ(decide({with(R"({"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.1/32"]}})")}, request),
            Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"Bool":{"aws:SecureTransport":"true"}})")}, request), Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"Bool":{"aws:SecureTransport":false}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}})")}, request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}})")}, request),
            Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"StringLike":{"aws:username":"al*"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"StringEqualsIgnoreCase":{"aws:username":"ALICE"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})")}, request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})")}, request),
            Decision::ImplicitDeny);
  // Every operator and key must hold.
  EXPECT_EQ(decide({with(R"({"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}})")},
                   request),
            Decision::ImplicitDeny);
  // Keys are case-insensitive.
  EXPECT_EQ(decide({with(R"({"StringEquals":{"AWS:USERNAME":"alice"}})")}, request), Decision::Allow);
}

TEST(PolicyEvaluation, AbsentKeysAndUnknownOperators) {
  auto with = [](const std::string& condition) {
    return statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":)" + condition + "}");
  };
  RequestFacts request = facts("dynamodb:GetItem", kTable);
  // A key the request does not carry: positive operators fail, negated ones
  // and IfExists hold, as in IAM.
  EXPECT_EQ(decide({with(R"({"StringEquals":{"aws:PrincipalTag/team":"db"}})")}, request), Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"StringNotEquals":{"aws:PrincipalTag/team":"db"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"StringEqualsIfExists":{"aws:PrincipalTag/team":"db"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"Null":{"aws:PrincipalTag/team":"true"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"Null":{"aws:username":"true"}})")}, request), Decision::ImplicitDeny);
  // The set operators: on a key of one value, as the operator itself; on a
  // missing key ForAllValues holds and ForAnyValue does not.
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringEquals":{"aws:username":"alice"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringEquals":{"aws:username":"bob"}})")}, request),
            Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"ForAllValues:StringEquals":{"aws:PrincipalTag/team":"db"}})")}, request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":"db"}})")}, request),
            Decision::ImplicitDeny);
  // An operator Kura does not know is refused when the policy is stored.
  auto unknown = parsePolicyDocument(with(R"({"StringSoundsLike":{"aws:username":"alice"}})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "MalformedPolicyDocument");
  EXPECT_EQ(unknown.error().message, "Syntax errors in policy.");
}

TEST(PolicyEvaluation, MultiValuedKeys) {
  auto with = [](const std::string& condition) {
    return statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":)" + condition + "}");
  };
  RequestFacts request = facts("dynamodb:BatchGetItem", kTable);
  request.multiKeys["dynamodb:leadingkeys"] = {"alice", "bob"};
  // ForAllValues: every value of the request among the condition's.
  EXPECT_EQ(decide({with(R"({"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["alice","bob","carol"]}})")},
                   request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]}})")}, request),
            Decision::ImplicitDeny);
  // ForAnyValue: one is enough.
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringEquals":{"dynamodb:LeadingKeys":"${aws:username}"}})")}, request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringEquals":{"dynamodb:LeadingKeys":"carol"}})")}, request),
            Decision::ImplicitDeny);
  // Negated: ForAllValues holds when no value is named; ForAnyValue when one is not.
  EXPECT_EQ(decide({with(R"({"ForAllValues:StringNotEquals":{"dynamodb:LeadingKeys":"carol"}})")}, request),
            Decision::Allow);
  EXPECT_EQ(decide({with(R"({"ForAllValues:StringNotEquals":{"dynamodb:LeadingKeys":"bob"}})")}, request),
            Decision::ImplicitDeny);
  EXPECT_EQ(decide({with(R"({"ForAnyValue:StringNotEquals":{"dynamodb:LeadingKeys":"bob"}})")}, request),
            Decision::Allow);
  // Without a qualifier: a positive operator holds when one value matches,
  // a negated one when none does.
  EXPECT_EQ(decide({with(R"({"StringEquals":{"dynamodb:LeadingKeys":"bob"}})")}, request), Decision::Allow);
  EXPECT_EQ(decide({with(R"({"StringNotEquals":{"dynamodb:LeadingKeys":"bob"}})")}, request),
            Decision::ImplicitDeny);
  // A Deny on any tag key but those named (aws:TagKeys).
  std::string onlyTeam = statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*"},
      {"Effect":"Deny","Action":"dynamodb:TagResource","Resource":"*",
       "Condition":{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["team"]}}})");
  RequestFacts tagging = facts("dynamodb:TagResource", kTable);
  tagging.multiKeys["aws:tagkeys"] = {"team"};
  EXPECT_EQ(decide({onlyTeam}, tagging), Decision::Allow);
  tagging.multiKeys["aws:tagkeys"] = {"team", "cost"};
  EXPECT_EQ(decide({onlyTeam}, tagging), Decision::ExplicitDeny);
}

TEST(PolicyEvaluation, ResourceKeysHoldForTheirResourceOnly) {
  std::string byTag = statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*",
      "Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:username}"}}})");
  RequestFacts request = facts("dynamodb:BatchGetItem", kTable);
  request.resources = {kTable, kOtherTable};
  request.resourceKeys[kTable]["aws:resourcetag/team"] = "alice";
  std::string denied;
  // The other table has no such tag: the call is refused on it.
  std::vector<PolicyDocument> documents{parse(byTag)};
  EXPECT_EQ(evaluatePolicies({&documents[0]}, request, &denied), Decision::ImplicitDeny);
  EXPECT_EQ(denied, kOtherTable);
  request.resourceKeys[kOtherTable]["aws:resourcetag/team"] = "alice";
  EXPECT_EQ(evaluatePolicies({&documents[0]}, request, &denied), Decision::Allow);
  request.resourceKeys[kOtherTable]["aws:resourcetag/team"] = "bob";
  EXPECT_EQ(evaluatePolicies({&documents[0]}, request, &denied), Decision::ImplicitDeny);
}

TEST(PolicyEvaluation, PolicyVariablesInResources) {
  std::string own = statement(R"({"Effect":"Allow","Action":"iam:*AccessKey*",
      "Resource":"arn:aws:iam::000000000000:user/${aws:username}"})");
  EXPECT_EQ(decide({own}, facts("iam:CreateAccessKey", "arn:aws:iam::000000000000:user/alice")), Decision::Allow);
  EXPECT_EQ(decide({own}, facts("iam:CreateAccessKey", "arn:aws:iam::000000000000:user/bob")),
            Decision::ImplicitDeny);
}

// AWS's documented examples, as (policies, request, decision) rows.
TEST(PolicyEvaluation, DocumentedExamples) {
  struct Row {
    const char* what;
    std::vector<std::string> policies;
    RequestFacts request;
    Decision expected;
  };
  const std::string ec2Full = statement(R"({"Effect":"Allow","Action":"ec2:*","Resource":"*"})");
  const std::string denyOutsideRegions = statement(R"({"Effect":"Deny","NotAction":["iam:*","sts:*"],
      "Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-central-1","eu-west-1"]}}})");
  const std::string denyUnlessTls = statement(
      R"({"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}})");
  const std::string denyOutsideIps = statement(R"({"Effect":"Deny","Action":"*","Resource":"*",
      "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}})");
  const std::string timeWindow = statement(R"({"Effect":"Allow","Action":"dynamodb:*","Resource":"*",
      "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-04-01T00:00:00Z"},
                   "DateLessThan":{"aws:CurrentTime":"2026-06-30T23:59:59Z"}}})");
  RequestFacts euWest = facts("ec2:RunInstances");
  euWest.keys["aws:requestedregion"] = "eu-west-1";
  RequestFacts tokyo = facts("ec2:RunInstances");
  tokyo.keys["aws:requestedregion"] = "ap-northeast-1";
  RequestFacts tokyoIam = facts("iam:ListUsers");
  tokyoIam.keys["aws:requestedregion"] = "ap-northeast-1";
  RequestFacts outside = facts("dynamodb:GetItem", kTable);
  outside.keys["aws:sourceip"] = "198.51.100.9";
  RequestFacts late = facts("dynamodb:GetItem", kTable);
  late.keys["aws:currenttime"] = "2026-07-01T00:00:00Z";
  std::vector<Row> rows = {
      {"no policy: implicit deny", {}, facts("ec2:DescribeInstances"), Decision::ImplicitDeny},
      {"identity policy allows", {ec2Full}, facts("ec2:DescribeInstances"), Decision::Allow},
      {"allow in one policy, explicit deny in another", {ec2Full, denyOutsideRegions}, tokyo, Decision::ExplicitDeny},
      {"deny by requested region, inside the regions", {ec2Full, denyOutsideRegions}, euWest, Decision::Allow},
      {"deny by region spares global services (NotAction)", {denyOutsideRegions}, tokyoIam, Decision::ImplicitDeny},
      {"deny unless TLS", {ec2Full, denyUnlessTls}, facts("ec2:DescribeInstances"), Decision::ExplicitDeny},
      {"deny from outside the addresses: inside", {statement(R"({"Effect":"Allow","Action":"*","Resource":"*"})"),
                                                    denyOutsideIps},
       facts("dynamodb:GetItem", kTable), Decision::Allow},
      {"deny from outside the addresses: outside", {statement(R"({"Effect":"Allow","Action":"*","Resource":"*"})"),
                                                     denyOutsideIps},
       outside, Decision::ExplicitDeny},
      {"allowed within dates", {timeWindow}, facts("dynamodb:GetItem", kTable), Decision::Allow},
      {"allowed within dates: after", {timeWindow}, late, Decision::ImplicitDeny},
  };
  for (const auto& row : rows) EXPECT_EQ(decide(row.policies, row.request), row.expected) << row.what;
}

TEST(RequestResources, DerivedPerService) {
  RequestTarget target{"us-east-1", "000000000000", "arn:aws:iam::000000000000:user/alice"};
  using Json = nlohmann::json;
  EXPECT_EQ(requestResources("dynamodb", "GetItem", Json{{"TableName", "orders"}}, target),
            std::vector<std::string>{kTable});
  EXPECT_EQ(requestResources("dynamodb", "BatchGetItem", Json{{"RequestItems", {{"orders", {}}, {"users", {}}}}},
                             target),
            (std::vector<std::string>{kTable, kOtherTable}));
  EXPECT_EQ(requestResources("rds", "DescribeDBInstances", Json{{"DBInstanceIdentifier", "db1"}}, target),
            std::vector<std::string>{"arn:aws:rds:us-east-1:000000000000:db:db1"});
  EXPECT_EQ(requestResources("rds", "CreateDBSnapshot",
                             Json{{"DBInstanceIdentifier", "db1"}, {"DBSnapshotIdentifier", "s1"}}, target),
            (std::vector<std::string>{"arn:aws:rds:us-east-1:000000000000:db:db1",
                                      "arn:aws:rds:us-east-1:000000000000:snapshot:s1"}));
  // A custom endpoint is a resource of its own, beside its cluster (names in lower case, as RDS keeps them).
  EXPECT_EQ(requestResources("rds", "CreateDBClusterEndpoint",
                             Json{{"DBClusterIdentifier", "c1"}, {"DBClusterEndpointIdentifier", "Reports"}}, target),
            (std::vector<std::string>{"arn:aws:rds:us-east-1:000000000000:cluster-endpoint:reports",
                                      "arn:aws:rds:us-east-1:000000000000:cluster:c1"}));
  // Pending maintenance names its instance by ARN: evaluated on it (a Deny on the instance holds).
  EXPECT_EQ(requestResources("rds", "ApplyPendingMaintenanceAction",
                             Json{{"ResourceIdentifier", "arn:aws:rds:us-east-1:000000000000:db:prod"},
                                  {"ApplyAction", "system-update"}, {"OptInType", "immediate"}},
                             target),
            std::vector<std::string>{"arn:aws:rds:us-east-1:000000000000:db:prod"});
  // A member the call ignores narrows what it is evaluated on, never widens it.
  EXPECT_EQ(requestResources("rds", "DeleteDBInstance",
                             Json{{"DBInstanceIdentifier", "db1"}, {"DBSnapshotIdentifier", "allowed"}}, target),
            (std::vector<std::string>{"arn:aws:rds:us-east-1:000000000000:db:db1",
                                      "arn:aws:rds:us-east-1:000000000000:snapshot:allowed"}));
  EXPECT_EQ(requestResources("kms", "Encrypt", Json{{"KeyId", "alias/app"}}, target),
            std::vector<std::string>{"arn:aws:kms:us-east-1:000000000000:alias/app"});
  EXPECT_EQ(requestResources("secretsmanager", "GetSecretValue", Json{{"SecretId", "db/pw"}}, target),
            std::vector<std::string>{"arn:aws:secretsmanager:us-east-1:000000000000:secret:db/pw"});
  EXPECT_EQ(requestResources("iam", "GetUser", Json::object(), target),
            std::vector<std::string>{"arn:aws:iam::000000000000:user/alice"});
  EXPECT_EQ(requestResources("ec2", "DescribeVpcs", Json::object(), target), std::vector<std::string>{"*"});
  EXPECT_EQ(actionPrefix("monitoring"), "cloudwatch");
  // IAM's calls on a managed policy are evaluated on the policy whatever
  // UserName they carry; its calls on a user, on the user.
  const std::string policyArn = "arn:aws:iam::000000000000:policy/admin";
  EXPECT_EQ(requestResources("iam", "CreatePolicyVersion", Json{{"PolicyArn", policyArn}, {"UserName", "alice"}},
                             target),
            std::vector<std::string>{policyArn});
  EXPECT_EQ(requestResources("iam", "AttachUserPolicy", Json{{"PolicyArn", policyArn}, {"UserName", "bob"}}, target),
            std::vector<std::string>{"arn:aws:iam::000000000000:user/bob"});
  EXPECT_EQ(requestResources("iam", "PutUserPolicy", Json{{"PolicyName", "p"}, {"UserName", "bob"}}, target),
            std::vector<std::string>{"arn:aws:iam::000000000000:user/bob"});
  // An ARN member beside the name is evaluated with it, not in its place.
  EXPECT_EQ(requestResources("dynamodb", "PutItem",
                             Json{{"TableName", "orders"},
                                  {"ResourceArn", "arn:aws:dynamodb:us-east-1:000000000000:table/users"}},
                             target),
            (std::vector<std::string>{kOtherTable, kTable}));
  EXPECT_EQ(requestResources("dynamodb", "TagResource",
                             Json{{"ResourceArn", "arn:aws:dynamodb:us-east-1:000000000000:table/users"}}, target),
            std::vector<std::string>{kOtherTable});
}

}  // namespace
}  // namespace kura::auth
