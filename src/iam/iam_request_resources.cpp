#include "iam/iam_request_resources.h"

#include <array>
#include <string_view>

#include "iam/iam_records.h"

namespace kura::iam {
namespace {

using Json = nlohmann::json;

// Calls whose resource is a managed policy.
constexpr std::array<std::string_view, 9> kManagedPolicyCalls{
    "CreatePolicy",        "GetPolicy",          "DeletePolicy",           "CreatePolicyVersion",
    "GetPolicyVersion",    "ListPolicyVersions", "SetDefaultPolicyVersion", "DeletePolicyVersion",
    "ListEntitiesForPolicy"};
// Calls on a user that take the caller when no UserName is given.
constexpr std::array<std::string_view, 5> kSelfCalls{"GetUser", "ListAccessKeys", "CreateAccessKey",
                                                      "UpdateAccessKey", "DeleteAccessKey"};

std::string stringMember(const Json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The Path a Create call gives, "/" by default.
std::string pathOf(const Json& input) {
  auto it = input.find("Path");
  return it != input.end() && it->is_string() && !it->get<std::string>().empty() ? it->get<std::string>()
                                                                                 : std::string(1, '/');
}

template <size_t N>
bool oneOf(const std::array<std::string_view, N>& names, std::string_view name) {
  for (auto candidate : names) {
    if (candidate == name) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> iamRequestResources(const RequestContext& context, const Json& input,
                                             IamPrincipals& principals) {
  const std::string& account = context.accountId;
  const std::string& operation = context.operation;
  if (!input.is_object()) return {"*"};
  if (context.service == "sts") {
    std::string role = stringMember(input, "RoleArn");
    return {operation == "AssumeRole" && !role.empty() ? role : "*"};
  }
  const std::string path = pathOf(input);
  if (oneOf(kManagedPolicyCalls, operation)) {
    if (std::string arn = stringMember(input, "PolicyArn"); !arn.empty()) return {arn};
    std::string name = stringMember(input, "PolicyName");
    return {name.empty() ? "*" : policyArn(account, path, name)};
  }
  if (operation == "SimulatePrincipalPolicy") {
    std::string source = stringMember(input, "PolicySourceArn");
    return {source.empty() ? "*" : source};
  }
  // The principal a call acts on: found by name, its path from its record
  // (a name that does not exist yet, CreateUser's, with the input's path).
  auto principal = [&](const char* kind, const char* member, auto makeArn) -> std::string {
    std::string name = stringMember(input, member);
    if (name.empty()) return {};
    std::string arn = principals.arnOf(kind, name);
    return arn.empty() ? makeArn(account, path, name) : arn;
  };
  if (operation != "ListGroupsForUser") {
    if (auto arn = principal(kGroup, "GroupName", groupArn); !arn.empty()) return {arn};
  }
  if (auto arn = principal(kRole, "RoleName", roleArn); !arn.empty()) return {arn};
  if (auto arn = principal(kUser, "UserName", userArn); !arn.empty()) return {arn};
  if (oneOf(kSelfCalls, operation) && !context.userArn.empty()) return {context.userArn};
  return {"*"};
}

}  // namespace kura::iam
