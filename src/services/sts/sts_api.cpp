#include "services/sts/sts_api.h"

#include <algorithm>

#include "auth/ascii_case.h"
#include "auth/policy_document.h"
#include "auth/trust_policy.h"
#include "iam/global_condition_keys.h"
#include "iam/iam_principals.h"
#include "iam/iam_records.h"
#include "services/sts/sts_sessions.h"

namespace kura::sts {
namespace {

constexpr int kDefaultRoleSession = 3600;
constexpr int kChainedMaxSession = 3600;
constexpr int kUserDefaultSession = 43200;
constexpr int kUserMaxSession = 129600;
constexpr int kRootMaxSession = 3600;
constexpr int kMinSession = 900;

ApiError accessDenied(std::string message) { return ApiError::sender("AccessDenied", std::move(message), 403); }
ApiError validationError(std::string message) { return ApiError::sender("ValidationError", std::move(message)); }

ApiError notAuthorized(const RequestContext& c, const std::string& roleArn) {
  return accessDenied("User: " + c.userArn + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
}

// [\w+=,.@-]*, as STS's model has it (its lengths the gateway checked).
bool validSessionName(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](unsigned char ch) {
    return std::isalnum(ch) || std::string_view("_+=,.@-").find(static_cast<char>(ch)) != std::string_view::npos;
  });
}

}  // namespace

std::vector<std::pair<std::string, std::string>> StsApi::callerTags(const RequestContext& c) const {
  // A session's own tags stand before its role's (aws:PrincipalTag), as
  // for every other call (iam/request_authorizer.cpp).
  std::vector<std::pair<std::string, std::string>> tags;
  auto add = [&](const char* kind, const std::string& name) {
    if (auto record = catalog_.getResource(c.accountId, iam::kRegion, kind, name)) {
      auto own = iam::tagsOf(*record);
      tags.insert(tags.end(), own.begin(), own.end());
    }
  };
  if (c.principalType == "AssumedRole") {
    add(iam::kSession, c.accessKeyId);
    add(iam::kRole, iam::recordName(c.roleName));
  } else if (c.principalType == "IAMUser") {
    add(iam::kUser, iam::recordName(c.userName));
  }
  return tags;
}

Result<Json> StsApi::assumeRole(const RequestContext& c, const Json& in) {
  if (c.principalType == "Root") return accessDenied("Roles may not be assumed by root accounts.");
  std::string roleArn = in["RoleArn"];
  std::string sessionName = in["RoleSessionName"];
  if (!validSessionName(sessionName)) {
    return validationError("1 validation error detected: Value '" + sessionName +
                           "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [\\w+=,.@-]*");
  }
  // arn:aws:iam::<account>:role/<path><name>, a role of this account.
  std::string prefix = "arn:aws:iam::" + c.accountId + ":role/";
  if (roleArn.rfind(prefix, 0) != 0) return notAuthorized(c, roleArn);
  auto role = iam::findRole(catalog_, c.accountId, roleArn.substr(roleArn.rfind('/') + 1));
  if (!role || role->arn != roleArn) return notAuthorized(c, roleArn);

  int maxSession = role->spec.value("MaxSessionDuration", kDefaultRoleSession);
  bool chained = c.principalType == "AssumedRole";
  int seconds = in.value("DurationSeconds", kDefaultRoleSession);
  if (chained && seconds > kChainedMaxSession) {
    return validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
                           "chaining.");
  }
  if (seconds > maxSession) {
    return validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  if (seconds < kMinSession) {
    return validationError("1 validation error detected: Value '" + std::to_string(seconds) +
                           "' at 'durationSeconds' failed to satisfy constraint: Member must have value greater "
                           "than or equal to 900");
  }

  // The role's trust policy must name the caller (its ARN; a session by its
  // own ARN or its role's) and allow it sts:AssumeRole.
  auto trust = auth::parseTrustPolicy(role->spec.value("AssumeRolePolicyDocument", ""));
  if (!trust) return notAuthorized(c, roleArn);
  auth::TrustCaller caller{{c.userArn}, c.accountId};
  if (chained) caller.arns.push_back(c.roleArn);
  auth::RequestFacts facts;
  facts.action = "sts:AssumeRole";
  facts.resources = {roleArn};
  iam::addGlobalKeys(c, callerTags(c), facts);
  facts.keys.emplace("sts:rolesessionname", sessionName);
  if (auth::evaluateTrustPolicy(*trust, caller, facts) != auth::Decision::Allow) return notAuthorized(c, roleArn);
  // Session tags (aws:PrincipalTag for every call of the session) are the
  // role's to admit: its trust policy must allow sts:TagSession too, with
  // the tags as aws:RequestTag and aws:TagKeys (the caller's own policies
  // are asked the same by the authorizer).
  if (in.contains("Tags") || in.contains("TransitiveTagKeys")) {
    auth::RequestFacts tagging = facts;
    tagging.action = "sts:TagSession";
    std::vector<std::string> keys;
    for (const auto& tag : in.value("Tags", Json::array())) {
      if (!tag.is_object()) continue;
      std::string key = tag.value("Key", "");
      tagging.keys.insert_or_assign("aws:requesttag/" + auth::asciiLowered(key), tag.value("Value", ""));
      keys.push_back(key);
    }
    tagging.multiKeys["aws:tagkeys"] = keys;
    if (auth::evaluateTrustPolicy(*trust, caller, tagging) != auth::Decision::Allow) {
      return accessDenied("User: " + c.userArn + " is not authorized to perform: sts:TagSession on resource: " +
                          roleArn);
    }
  }

  Json spec = {{"Type", "AssumedRole"},
               {"RoleName", role->name},
               {"RoleId", role->spec.value("RoleId", "")},
               {"SessionName", sessionName}};
  if (in.contains("Policy")) {
    std::string policy = in["Policy"];
    if (auto parsed = auth::parsePolicyDocument(policy); !parsed) return parsed.error();
    spec["Policy"] = policy;
  }
  if (in.contains("PolicyArns")) {
    Json arns = Json::array();
    for (const auto& entry : in["PolicyArns"]) {
      std::string arn = entry.value("arn", "");
      auto policy = catalog_.getResourceByArn(arn);
      if (!policy || policy->kind != iam::kPolicy || policy->accountId != c.accountId) {
        return ApiError::sender("InvalidParameterValue", "Policy " + arn + " does not exist or is not attachable.");
      }
      arns.push_back(arn);
    }
    spec["PolicyArns"] = arns;
  }
  if (in.contains("Tags")) spec["Tags"] = in["Tags"];
  auto issued = issueSession(catalog_, secrets_, c.accountId, spec, seconds);
  if (!issued) return issued.error();
  std::string roleName = role->spec.value("RoleName", "");
  return Json{{"Credentials", issued->credentials},
              {"AssumedRoleUser",
               {{"AssumedRoleId", role->spec.value("RoleId", "") + ":" + sessionName},
                {"Arn", iam::assumedRoleArn(c.accountId, roleName, sessionName)}}},
              {"PackedPolicySize", 0}};
}

Result<Json> StsApi::getSessionToken(const RequestContext& c, const Json& in) {
  if (c.accessKeyId.rfind("ASIA", 0) == 0) return accessDenied("Cannot call GetSessionToken with session credentials");
  bool root = c.principalType == "Root";
  int seconds = in.value("DurationSeconds", root ? kRootMaxSession : kUserDefaultSession);
  if (seconds < kMinSession || seconds > kUserMaxSession) {
    return validationError("1 validation error detected: Value '" + std::to_string(seconds) +
                           "' at 'durationSeconds' failed to satisfy constraint: Member must have value " +
                           (seconds < kMinSession ? "greater than or equal to 900" : "less than or equal to 129600"));
  }
  // The root's sessions last an hour at most, a longer one is cut to it.
  if (root) seconds = std::min(seconds, kRootMaxSession);
  Json spec = {{"Type", root ? "Root" : "IAMUser"}};
  if (!root) {
    spec["UserName"] = iam::recordName(c.userName);
    spec["UserId"] = c.userId;  // the user's unique id: one made again under the name is another
  }
  auto issued = issueSession(catalog_, secrets_, c.accountId, spec, seconds);
  if (!issued) return issued.error();
  return Json{{"Credentials", issued->credentials}};
}

}  // namespace kura::sts
