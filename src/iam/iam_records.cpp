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

std::string policyArn(const std::string& accountId, const std::string& path, const std::string& policyName) {
  return "arn:aws:iam::" + accountId + ":policy" + path + policyName;
}

Result<Resource> findUser(Catalog& catalog, const std::string& accountId, const std::string& userName) {
  return catalog.getResource(accountId, kRegion, kUser, recordName(userName));
}

std::vector<std::string> userPolicyDocuments(Catalog& catalog, const Resource& user) {
  std::vector<std::string> documents;
  for (const auto& arn : user.spec.value("AttachedPolicies", std::vector<std::string>())) {
    auto policy = catalog.getResourceByArn(arn);
    if (!policy) continue;
    std::string defaultVersion = policy->spec.value("DefaultVersionId", "");
    for (const auto& version : policy->spec.value("Versions", nlohmann::json::array())) {
      if (version.value("VersionId", "") == defaultVersion) documents.push_back(version.value("Document", ""));
    }
  }
  const auto inline_ = user.spec.value("InlinePolicies", nlohmann::json::object());
  for (auto it = inline_.begin(); it != inline_.end(); ++it) documents.push_back(it->get<std::string>());
  return documents;
}

}  // namespace kura::iam
