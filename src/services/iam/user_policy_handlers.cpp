// A user's identity policies: managed policies attached to it (up to ten,
// each counted in the policy's AttachmentCount) and inline policies, a
// document under a name that only this user has.
#include <algorithm>

#include "auth/sigv4_verifier.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

constexpr size_t kAttachedPerUser = 10;
constexpr size_t kMaxInlinePolicySize = 2048;

}  // namespace

Result<Json> IamApi::attachUserPolicy(const RequestContext& c, const Json& in) {
  auto attached = catalog_.transact([&]() -> Result<bool> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    auto arns = user->spec.value("AttachedPolicies", std::vector<std::string>());
    if (std::find(arns.begin(), arns.end(), policy->arn) != arns.end()) return true;  // IAM: no error, no change
    if (arns.size() >= kAttachedPerUser) {
      return limitExceeded("Cannot exceed quota for PoliciesPerUser: " + std::to_string(kAttachedPerUser));
    }
    arns.push_back(policy->arn);
    user->spec["AttachedPolicies"] = arns;
    policy->spec["AttachmentCount"] = policy->spec.value("AttachmentCount", 0) + 1;
    if (auto stored = catalog_.updateResource(*user); !stored) return stored.error();
    if (auto stored = catalog_.updateResource(*policy); !stored) return stored.error();
    return true;
  });
  if (!attached) return attached.error();
  return Json::object();
}

Result<Json> IamApi::detachUserPolicy(const RequestContext& c, const Json& in) {
  std::string arn = in["PolicyArn"];
  auto detached = catalog_.transact([&]() -> Result<bool> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    auto arns = user->spec.value("AttachedPolicies", std::vector<std::string>());
    auto it = std::find(arns.begin(), arns.end(), arn);
    if (it == arns.end()) return noSuchEntity("Policy " + arn + " was not found.");
    arns.erase(it);
    user->spec["AttachedPolicies"] = arns;
    if (auto stored = catalog_.updateResource(*user); !stored) return stored.error();
    if (auto policy = findPolicy(c, arn)) {
      policy->spec["AttachmentCount"] = std::max(0, policy->spec.value("AttachmentCount", 1) - 1);
      if (auto stored = catalog_.updateResource(*policy); !stored) return stored.error();
    }
    return true;
  });
  if (!detached) return detached.error();
  return Json::object();
}

Result<Json> IamApi::listAttachedUserPolicies(const RequestContext& c, const Json& in) {
  auto user = targetUser(c, in);
  if (!user) return user.error();
  Json out = {{"AttachedPolicies", Json::array()}, {"IsTruncated", false}};
  for (const auto& arn : user->spec.value("AttachedPolicies", std::vector<std::string>())) {
    auto policy = catalog_.getResourceByArn(arn);
    if (!policy) continue;
    out["AttachedPolicies"].push_back({{"PolicyName", policy->spec.value("PolicyName", "")}, {"PolicyArn", arn}});
  }
  return out;
}

Result<Json> IamApi::putUserPolicy(const RequestContext& c, const Json& in) {
  std::string name = in["PolicyName"];
  if (auto error = checkName(name, "policyName")) return *error;
  std::string document = in["PolicyDocument"];
  if (auto error = checkPolicyDocument(document, kMaxInlinePolicySize)) return *error;
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    // IAM's quota is on a user's inline policies together, not one by one:
    // without it a user's record (and every evaluation of its calls) grows
    // with each new name.
    auto nonSpace = [](const std::string& text) {
      return static_cast<size_t>(
          std::count_if(text.begin(), text.end(), [](unsigned char ch) { return !std::isspace(ch); }));
    };
    size_t total = nonSpace(document);
    if (auto inline_ = user->spec.find("InlinePolicies"); inline_ != user->spec.end() && inline_->is_object()) {
      for (auto it = inline_->begin(); it != inline_->end(); ++it) {
        if (it.key() != name && it->is_string()) total += nonSpace(it->get<std::string>());
      }
    }
    if (total > kMaxInlinePolicySize) {
      return limitExceeded("Maximum policy size of " + std::to_string(kMaxInlinePolicySize) +
                           " bytes exceeded for user " + user->spec.value("UserName", ""));
    }
    user->spec["InlinePolicies"][name] = document;  // replaces one of that name
    return catalog_.updateResource(*user);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::getUserPolicy(const RequestContext& c, const Json& in) {
  auto user = targetUser(c, in);
  if (!user) return user.error();
  std::string name = in["PolicyName"];
  const Json policies = user->spec.value("InlinePolicies", Json::object());
  if (!policies.contains(name)) return noSuchEntity("The user policy with name " + name + " cannot be found.");
  return Json{{"UserName", user->spec.value("UserName", "")},
              {"PolicyName", name},
              {"PolicyDocument", auth::uriEncode(policies[name].get<std::string>(), false)}};
}

Result<Json> IamApi::deleteUserPolicy(const RequestContext& c, const Json& in) {
  std::string name = in["PolicyName"];
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    Json& policies = user->spec["InlinePolicies"];
    if (!policies.is_object() || !policies.contains(name)) {
      return noSuchEntity("The user policy with name " + name + " cannot be found.");
    }
    policies.erase(name);
    return catalog_.updateResource(*user);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::listUserPolicies(const RequestContext& c, const Json& in) {
  auto user = targetUser(c, in);
  if (!user) return user.error();
  Json out = {{"PolicyNames", Json::array()}, {"IsTruncated", false}};
  const Json policies = user->spec.value("InlinePolicies", Json::object());
  for (auto it = policies.begin(); it != policies.end(); ++it) out["PolicyNames"].push_back(it.key());
  return out;
}

}  // namespace kura::iam
