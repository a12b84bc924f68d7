#include "iam/iam_principals.h"

#include "iam/iam_records.h"

namespace kura::iam {
namespace {

// Enough for every key of a large account; past it the cache starts over
// rather than grow without bound.
constexpr size_t kMaxCached = 10000;

}  // namespace

std::vector<const auth::PolicyDocument*> UserPolicies::view() const {
  std::vector<const auth::PolicyDocument*> out;
  out.reserve(documents.size());
  for (const auto& document : documents) out.push_back(&document);
  return out;
}

IamPrincipals::IamPrincipals(Catalog& catalog, const SecretBox& secrets, std::string accountId)
    : catalog_(catalog), secrets_(secrets), accountId_(std::move(accountId)) {}

std::optional<auth::Credential> IamPrincipals::findAccessKey(std::string_view accessKeyId) {
  // Read the generation first: a write after it makes the next call read again.
  uint64_t generation = catalog_.generation();
  std::string id(accessKeyId);
  {
    std::shared_lock lock(mutex_);
    auto it = keys_.find(id);
    if (it != keys_.end() && it->second.generation == generation) return it->second.credential;
  }
  auto key = catalog_.getResource(accountId_, kRegion, kAccessKey, id);
  if (!key || key->spec.value("Status", "") != "Active") return std::nullopt;
  auto secret = secrets_.open(key->spec.value("SecretSealed", ""));
  auto user = catalog_.getResource(accountId_, kRegion, kUser, key->spec.value("UserName", ""));
  if (!secret || !user) return std::nullopt;
  auth::Credential credential{id, *secret, accountId_, user->spec.value("UserName", ""),
                              user->spec.value("UserId", ""), user->arn};
  std::unique_lock lock(mutex_);
  if (keys_.size() >= kMaxCached) keys_.clear();
  keys_[id] = {generation, credential};
  return credential;
}

std::shared_ptr<const UserPolicies> IamPrincipals::policiesOf(const std::string& userName) {
  uint64_t generation = catalog_.generation();
  std::string name = recordName(userName);
  {
    std::shared_lock lock(mutex_);
    auto it = policies_.find(name);
    if (it != policies_.end() && it->second.generation == generation) return it->second.policies;
  }
  auto user = catalog_.getResource(accountId_, kRegion, kUser, name);
  if (!user) return nullptr;
  auto compiled = std::make_shared<UserPolicies>();
  for (const auto& text : userPolicyDocuments(catalog_, *user)) {
    // Stored documents were checked when written; one that no longer
    // parses grants nothing.
    if (auto document = auth::parsePolicyDocument(text)) compiled->documents.push_back(std::move(*document));
    compiled->usesKeys = compiled->usesKeys || text.find("Condition") != std::string::npos ||
                         text.find("${") != std::string::npos;
  }
  std::unique_lock lock(mutex_);
  if (policies_.size() >= kMaxCached) policies_.clear();
  policies_[name] = {generation, compiled};
  return compiled;
}

std::string IamPrincipals::userArnOf(const std::string& userName) {
  auto user = catalog_.getResource(accountId_, kRegion, kUser, recordName(userName));
  return user ? user->arn : std::string();
}

std::optional<auth::Credential> ChainedCredentialStore::find(std::string_view accessKeyId) const {
  if (auto root = root_.find(accessKeyId)) return root;
  // IAM's keys all begin so; anything else is not worth a catalog read.
  if (accessKeyId.rfind("AKIA", 0) != 0) return std::nullopt;
  return users_.findAccessKey(accessKeyId);
}

}  // namespace kura::iam
