// Managed policies: a name (unique without regard to case), an ARN, and up
// to five versions of its document, one of them the default (what attached
// users get). A policy still attached, or with versions beside its
// default, is not deleted, as IAM refuses.
#include "auth/sigv4_verifier.h"
#include "common/time_format.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

constexpr size_t kMaxManagedPolicySize = 6144;
constexpr size_t kMaxVersions = 5;

Json policyView(const Resource& policy) {
  Json view = {{"PolicyName", policy.spec.value("PolicyName", "")},
               {"PolicyId", policy.spec.value("PolicyId", "")},
               {"Arn", policy.arn},
               {"Path", policy.spec.value("Path", "/")},
               {"DefaultVersionId", policy.spec.value("DefaultVersionId", "v1")},
               {"AttachmentCount", policy.spec.value("AttachmentCount", 0)},
               {"PermissionsBoundaryUsageCount", 0},
               {"IsAttachable", true},
               {"CreateDate", toEpochSeconds(policy.createdAt)},
               {"UpdateDate", toEpochSeconds(policy.updatedAt)}};
  if (policy.spec.contains("Description")) view["Description"] = policy.spec["Description"];
  return view;
}

// IAM answers documents URL-encoded (RFC 3986); the SDKs decode them.
Json versionView(const Json& version, const Resource& policy, bool withDocument) {
  Json view = {{"VersionId", version.value("VersionId", "")},
               {"IsDefaultVersion", version.value("VersionId", "") == policy.spec.value("DefaultVersionId", "")},
               {"CreateDate", version.value("CreateDate", 0.0)}};
  if (withDocument) view["Document"] = auth::uriEncode(version.value("Document", ""), false);
  return view;
}

Json* findVersion(Resource& policy, const std::string& versionId) {
  for (auto& version : policy.spec["Versions"]) {
    if (version.value("VersionId", "") == versionId) return &version;
  }
  return nullptr;
}

ApiError noSuchVersion(const std::string& arn, const std::string& versionId) {
  return noSuchEntity("Policy " + arn + " version " + versionId + " does not exist or is not attachable.");
}

}  // namespace

Result<Resource> IamApi::findPolicy(const RequestContext& c, const std::string& arn) {
  auto policy = catalog_.getResourceByArn(arn);
  if (!policy || policy->kind != kPolicy || policy->accountId != c.accountId) {
    return noSuchEntity("Policy " + arn + " does not exist or is not attachable.");
  }
  return policy;
}

Result<Json> IamApi::createPolicy(const RequestContext& c, const Json& in) {
  std::string name = in["PolicyName"];
  if (auto error = checkName(name, "policyName")) return *error;
  std::string path = in.value("Path", "/");
  if (auto error = checkPath(path)) return *error;
  std::string document = in["PolicyDocument"];
  if (auto error = checkPolicyDocument(document, kMaxManagedPolicySize)) return *error;
  double now = toEpochSeconds(catalog_.clock()->now());
  Resource draft;
  draft.accountId = c.accountId;
  draft.region = kRegion;
  draft.service = kService;
  draft.kind = kPolicy;
  draft.name = recordName(name);
  draft.arn = policyArn(c.accountId, path, name);
  draft.status = "active";
  draft.goal = "active";
  draft.spec = {{"PolicyName", name},
                {"PolicyId", newIamId("ANPA", 17)},
                {"Path", path},
                {"DefaultVersionId", "v1"},
                {"NextVersion", 2},
                {"AttachmentCount", 0},
                {"Versions", Json::array({Json{{"VersionId", "v1"}, {"Document", document}, {"CreateDate", now}}})}};
  if (in.contains("Description")) draft.spec["Description"] = in["Description"];
  auto created = catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, kRegion, kPolicy, draft.name)) {
      return entityAlreadyExists("A policy called " + name + " already exists. Duplicate names are not allowed.");
    }
    return catalog_.createResource(draft);
  });
  if (!created) return created.error();
  Json view = policyView(*created);
  view.erase("Description");  // CreatePolicy's answer leaves it out, as IAM's does
  return Json{{"Policy", view}};
}

Result<Json> IamApi::getPolicy(const RequestContext& c, const Json& in) {
  auto policy = findPolicy(c, in["PolicyArn"]);
  if (!policy) return policy.error();
  return Json{{"Policy", policyView(*policy)}};
}

Result<Json> IamApi::listPolicies(const RequestContext& c, const Json& in) {
  auto page = pageOf(in);
  if (!page) return page.error();
  Json out = {{"Policies", Json::array()}, {"IsTruncated", false}};
  // Kura has no AWS managed policies: Scope AWS lists none.
  if (in.value("Scope", "All") == "AWS") return out;
  std::string prefix = in.value("PathPrefix", "/");
  bool onlyAttached = in.value("OnlyAttached", false);
  ResourcePage policies = catalog_.listResources(c.accountId, kRegion, kPolicy, page->afterName, page->limit);
  for (const auto& policy : policies.items) {
    if (policy.spec.value("Path", "/").rfind(prefix, 0) != 0) continue;
    if (onlyAttached && policy.spec.value("AttachmentCount", 0) == 0) continue;
    out["Policies"].push_back(policyView(policy));
  }
  finishPage(out, policies);
  return out;
}

Result<Json> IamApi::deletePolicy(const RequestContext& c, const Json& in) {
  auto deleted = catalog_.transact([&]() -> Result<bool> {
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    if (policy->spec.value("AttachmentCount", 0) > 0) {
      return deleteConflict("Cannot delete a policy attached to entities.");
    }
    if (policy->spec.value("Versions", Json::array()).size() > 1) {
      return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the "
                            "policy's versions. The default version is deleted with the policy.");
    }
    return catalog_.removeResource(policy->id);
  });
  if (!deleted) return deleted.error();
  return Json::object();
}

Result<Json> IamApi::createPolicyVersion(const RequestContext& c, const Json& in) {
  std::string document = in["PolicyDocument"];
  if (auto error = checkPolicyDocument(document, kMaxManagedPolicySize)) return *error;
  return catalog_.transact([&]() -> Result<Json> {
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    Json& versions = policy->spec["Versions"];
    if (versions.size() >= kMaxVersions) {
      return limitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must "
                           "delete an existing version.");
    }
    int next = policy->spec.value("NextVersion", 2);
    Json version = {{"VersionId", "v" + std::to_string(next)},
                    {"Document", document},
                    {"CreateDate", toEpochSeconds(catalog_.clock()->now())}};
    versions.push_back(version);
    policy->spec["NextVersion"] = next + 1;
    if (in.value("SetAsDefault", false)) policy->spec["DefaultVersionId"] = version["VersionId"];
    auto stored = catalog_.updateResource(*policy);
    if (!stored) return stored.error();
    return Json{{"PolicyVersion", versionView(version, *stored, false)}};
  });
}

Result<Json> IamApi::getPolicyVersion(const RequestContext& c, const Json& in) {
  auto policy = findPolicy(c, in["PolicyArn"]);
  if (!policy) return policy.error();
  std::string versionId = in["VersionId"];
  const Json* version = findVersion(*policy, versionId);
  if (version == nullptr) return noSuchVersion(policy->arn, versionId);
  return Json{{"PolicyVersion", versionView(*version, *policy, true)}};
}

Result<Json> IamApi::listPolicyVersions(const RequestContext& c, const Json& in) {
  auto policy = findPolicy(c, in["PolicyArn"]);
  if (!policy) return policy.error();
  Json out = {{"Versions", Json::array()}, {"IsTruncated", false}};
  const Json versions = policy->spec.value("Versions", Json::array());
  // Newest first, as IAM lists them.
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    out["Versions"].push_back(versionView(*it, *policy, false));
  }
  return out;
}

Result<Json> IamApi::setDefaultPolicyVersion(const RequestContext& c, const Json& in) {
  auto updated = catalog_.transact([&]() -> Result<Resource> {
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    std::string versionId = in["VersionId"];
    if (findVersion(*policy, versionId) == nullptr) return noSuchVersion(policy->arn, versionId);
    policy->spec["DefaultVersionId"] = versionId;
    return catalog_.updateResource(*policy);
  });
  if (!updated) return updated.error();
  return Json::object();
}

Result<Json> IamApi::deletePolicyVersion(const RequestContext& c, const Json& in) {
  auto updated = catalog_.transact([&]() -> Result<Resource> {
    auto policy = findPolicy(c, in["PolicyArn"]);
    if (!policy) return policy.error();
    std::string versionId = in["VersionId"];
    if (findVersion(*policy, versionId) == nullptr) return noSuchVersion(policy->arn, versionId);
    if (policy->spec.value("DefaultVersionId", "") == versionId) {
      return deleteConflict("Cannot delete the default version of a policy.");
    }
    Json kept = Json::array();
    for (const auto& version : policy->spec["Versions"]) {
      if (version.value("VersionId", "") != versionId) kept.push_back(version);
    }
    policy->spec["Versions"] = kept;
    return catalog_.updateResource(*policy);
  });
  if (!updated) return updated.error();
  return Json::object();
}

}  // namespace kura::iam
