#include "iam/iam_records.h"

#include <algorithm>

namespace kura::iam {

std::string recordName(const std::string& name) {
  std::string out = name;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string userArn(const std::string& accountId, const std::string& path, const std::string& userName) {
  return "arn:aws:iam::" + accountId + ":user" + path + userName;
}

std::string groupArn(const std::string& accountId, const std::string& path, const std::string& groupName) {
  return "arn:aws:iam::" + accountId + ":group" + path + groupName;
}

std::string roleArn(const std::string& accountId, const std::string& path, const std::string& roleName) {
  return "arn:aws:iam::" + accountId + ":role" + path + roleName;
}

std::string policyArn(const std::string& accountId, const std::string& path, const std::string& policyName) {
  return "arn:aws:iam::" + accountId + ":policy" + path + policyName;
}

std::string assumedRoleArn(const std::string& accountId, const std::string& roleName, const std::string& session) {
  return "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + session;
}

Result<Resource> findUser(Catalog& catalog, const std::string& accountId, const std::string& userName) {
  return catalog.getResource(accountId, kRegion, kUser, recordName(userName));
}

Result<Resource> findGroup(Catalog& catalog, const std::string& accountId, const std::string& groupName) {
  return catalog.getResource(accountId, kRegion, kGroup, recordName(groupName));
}

Result<Resource> findRole(Catalog& catalog, const std::string& accountId, const std::string& roleName) {
  return catalog.getResource(accountId, kRegion, kRole, recordName(roleName));
}

std::string permissionsBoundaryOf(const Resource& principal) {
  auto boundary = principal.spec.find("PermissionsBoundary");
  return boundary != principal.spec.end() && boundary->is_string() ? boundary->get<std::string>() : std::string();
}

std::optional<std::string> defaultPolicyDocument(Catalog& catalog, const std::string& arn) {
  auto policy = catalog.getResourceByArn(arn);
  if (!policy || policy->kind != kPolicy) return std::nullopt;
  std::string defaultVersion = policy->spec.value("DefaultVersionId", "");
  for (const auto& version : policy->spec.value("Versions", nlohmann::json::array())) {
    if (version.value("VersionId", "") == defaultVersion) return version.value("Document", "");
  }
  return std::nullopt;
}

std::vector<std::string> ownPolicyDocuments(Catalog& catalog, const Resource& principal) {
  std::vector<std::string> documents;
  for (const auto& arn : principal.spec.value("AttachedPolicies", std::vector<std::string>())) {
    if (auto document = defaultPolicyDocument(catalog, arn)) documents.push_back(std::move(*document));
  }
  const auto inline_ = principal.spec.value("InlinePolicies", nlohmann::json::object());
  for (auto it = inline_.begin(); it != inline_.end(); ++it) documents.push_back(it->get<std::string>());
  return documents;
}

std::vector<std::string> userPolicyDocuments(Catalog& catalog, const Resource& user) {
  std::vector<std::string> documents = ownPolicyDocuments(catalog, user);
  for (const auto& name : user.spec.value("Groups", std::vector<std::string>())) {
    auto group = catalog.getResource(user.accountId, kRegion, kGroup, name);
    if (!group) continue;
    auto more = ownPolicyDocuments(catalog, *group);
    documents.insert(documents.end(), more.begin(), more.end());
  }
  return documents;
}

namespace {

void addSourced(Catalog& catalog, const Resource& principal, std::vector<SourcedDocument>& out) {
  for (const auto& arn : principal.spec.value("AttachedPolicies", std::vector<std::string>())) {
    auto document = defaultPolicyDocument(catalog, arn);
    if (document) out.push_back({arn.substr(arn.rfind('/') + 1), "user-managed", std::move(*document)});
  }
  std::string type = principal.kind == kUser ? "user" : principal.kind == kGroup ? "group" : "role";
  const auto inline_ = principal.spec.value("InlinePolicies", nlohmann::json::object());
  for (auto it = inline_.begin(); it != inline_.end(); ++it) out.push_back({it.key(), type, it->get<std::string>()});
}

}  // namespace

std::vector<SourcedDocument> sourcedPolicyDocuments(Catalog& catalog, const Resource& principal) {
  std::vector<SourcedDocument> out;
  addSourced(catalog, principal, out);
  if (principal.kind != kUser) return out;
  for (const auto& name : principal.spec.value("Groups", std::vector<std::string>())) {
    if (auto group = catalog.getResource(principal.accountId, kRegion, kGroup, name)) addSourced(catalog, *group, out);
  }
  return out;
}

}  // namespace kura::iam
