// The identity policies of a user, a group or a role: managed policies
// attached to it (up to ten, each counted in the policy's AttachmentCount)
// and inline policies, a document under a name that only this principal
// has. The same calls for the three, as IAM has them (AttachUserPolicy,
// AttachGroupPolicy, AttachRolePolicy, ...).
#include <algorithm>

#include "auth/sigv4_verifier.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

constexpr size_t kAttachedPerPrincipal = 10;

size_t nonSpace(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](unsigned char ch) { return !std::isspace(ch); }));
}

}  // namespace

const PrincipalKind& PrincipalKind::user() {
  static const PrincipalKind kind{kUser, "UserName", "user", "User", 2048};
  return kind;
}
const PrincipalKind& PrincipalKind::group() {
  static const PrincipalKind kind{kGroup, "GroupName", "group", "Group", 5120};
  return kind;
}
const PrincipalKind& PrincipalKind::role() {
  static const PrincipalKind kind{kRole, "RoleName", "role", "Role", 10240};
  return kind;
}

Result<Resource> IamApi::targetPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  if (std::string_view(kind.kind) == kUser) return targetUser(c, in);
  std::string name = in[kind.member];
  auto found = catalog_.getResource(c.accountId, kRegion, kind.kind, recordName(name));
  if (!found) return noSuchEntity("The " + std::string(kind.noun) + " with name " + name + " cannot be found.");
  return found;
}

Result<Json> IamApi::attachPolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto attached = catalog_.transact([&]() -> Result<bool> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    auto arns = principal->spec.value("AttachedPolicies", std::vector<std::string>());
    if (std::find(arns.begin(), arns.end(), policy->arn) != arns.end()) return true;  // IAM: no error, no change
    if (arns.size() >= kAttachedPerPrincipal) {
      return limitExceeded("Cannot exceed quota for PoliciesPer" + std::string(kind.Noun) + ": " +
                           std::to_string(kAttachedPerPrincipal));
    }
    arns.push_back(policy->arn);
    principal->spec["AttachedPolicies"] = arns;
    policy->spec["AttachmentCount"] = policy->spec.value("AttachmentCount", 0) + 1;
    if (auto stored = catalog_.updateResource(*principal); !stored) return stored.error();
    if (auto stored = catalog_.updateResource(*policy); !stored) return stored.error();
    return true;
  });
  if (!attached) return attached.error();
  return Json::object();
}

Result<Json> IamApi::detachPolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  std::string arn = in["PolicyArn"];
  auto detached = catalog_.transact([&]() -> Result<bool> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    auto arns = principal->spec.value("AttachedPolicies", std::vector<std::string>());
    auto it = std::find(arns.begin(), arns.end(), arn);
    if (it == arns.end()) return noSuchEntity("Policy " + arn + " was not found.");
    arns.erase(it);
    principal->spec["AttachedPolicies"] = arns;
    if (auto stored = catalog_.updateResource(*principal); !stored) return stored.error();
    if (auto policy = findPolicy(c, arn)) {
      policy->spec["AttachmentCount"] = std::max(0, policy->spec.value("AttachmentCount", 1) - 1);
      if (auto stored = catalog_.updateResource(*policy); !stored) return stored.error();
    }
    return true;
  });
  if (!detached) return detached.error();
  return Json::object();
}

Result<Json> IamApi::listAttachedPolicies(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto principal = targetPrincipal(kind, c, in);
  if (!principal) return principal.error();
  std::string prefix = in.value("PathPrefix", "/");
  Json out = {{"AttachedPolicies", Json::array()}, {"IsTruncated", false}};
  for (const auto& arn : principal->spec.value("AttachedPolicies", std::vector<std::string>())) {
    auto policy = catalog_.getResourceByArn(arn);
    if (!policy || policy->spec.value("Path", "/").rfind(prefix, 0) != 0) continue;
    out["AttachedPolicies"].push_back({{"PolicyName", policy->spec.value("PolicyName", "")}, {"PolicyArn", arn}});
  }
  return out;
}

Result<Json> IamApi::putInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  std::string name = in["PolicyName"];
  if (auto error = checkName(name, "policyName")) return *error;
  std::string document = in["PolicyDocument"];
  if (auto error = checkPolicyDocument(document, kind.inlineQuota)) return *error;
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    // IAM's quota is on a principal's inline policies together, not one by
    // one: without it a record (and every evaluation of its calls) grows
    // with each new name.
    size_t total = nonSpace(document);
    if (auto inline_ = principal->spec.find("InlinePolicies");
        inline_ != principal->spec.end() && inline_->is_object()) {
      for (auto it = inline_->begin(); it != inline_->end(); ++it) {
        if (it.key() != name && it->is_string()) total += nonSpace(it->get<std::string>());
      }
    }
    if (total > kind.inlineQuota) {
      return limitExceeded("Maximum policy size of " + std::to_string(kind.inlineQuota) + " bytes exceeded for " +
                           kind.noun + " " + principal->spec.value(kind.member, ""));
    }
    principal->spec["InlinePolicies"][name] = document;  // replaces one of that name
    return catalog_.updateResource(*principal);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::getInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto principal = targetPrincipal(kind, c, in);
  if (!principal) return principal.error();
  std::string name = in["PolicyName"];
  const Json policies = principal->spec.value("InlinePolicies", Json::object());
  if (!policies.contains(name)) {
    return noSuchEntity("The " + std::string(kind.noun) + " policy with name " + name + " cannot be found.");
  }
  return Json{{kind.member, principal->spec.value(kind.member, "")},
              {"PolicyName", name},
              {"PolicyDocument", auth::uriEncode(policies[name].get<std::string>(), false)}};
}

Result<Json> IamApi::deleteInlinePolicy(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  std::string name = in["PolicyName"];
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    Json& policies = principal->spec["InlinePolicies"];
    if (!policies.is_object() || !policies.contains(name)) {
      return noSuchEntity("The " + std::string(kind.noun) + " policy with name " + name + " cannot be found.");
    }
    policies.erase(name);
    return catalog_.updateResource(*principal);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::listInlinePolicies(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto principal = targetPrincipal(kind, c, in);
  if (!principal) return principal.error();
  Json out = {{"PolicyNames", Json::array()}, {"IsTruncated", false}};
  const Json policies = principal->spec.value("InlinePolicies", Json::object());
  for (auto it = policies.begin(); it != policies.end(); ++it) out["PolicyNames"].push_back(it.key());
  return out;
}

}  // namespace kura::iam
