#include "iam/iam_principals.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "iam/iam_records.h"

namespace kura::iam {
namespace {

// Enough for every key of a large account; past it the cache starts over
// rather than grow without bound.
constexpr size_t kMaxCached = 10000;
// Decisions remembered per principal, the longest key remembered, and the
// bytes all principals' remembered decisions may hold together.
constexpr size_t kMaxDecisions = 4096;
constexpr size_t kMaxDecisionKey = 2048;
constexpr size_t kDecisionBudget = size_t{64} << 20;
std::atomic<size_t> gDecisionBytes{0};

size_t decisionBytes(const std::string& key, const std::string& deniedResource) {
  return key.size() + deniedResource.size() + 64;  // with the map's node, roughly
}

SystemTime fromEpochSeconds(double seconds) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(seconds)));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> tagsOf(const Resource& principal) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& tag : principal.spec.value("Tags", nlohmann::json::array())) {
    if (tag.is_object()) out.emplace_back(tag.value("Key", ""), tag.value("Value", ""));
  }
  return out;
}

std::optional<auth::Decision> PrincipalPolicies::recalled(const std::string& key, std::string* deniedResource) const {
  std::shared_lock lock(mutex_);
  auto it = decisions_.find(key);
  if (it == decisions_.end()) return std::nullopt;
  if (deniedResource != nullptr && it->second.decision != auth::Decision::Allow) {
    *deniedResource = it->second.deniedResource;
  }
  return it->second.decision;
}

PrincipalPolicies::~PrincipalPolicies() { gDecisionBytes.fetch_sub(bytes_); }

void PrincipalPolicies::forgetAll() const {
  gDecisionBytes.fetch_sub(bytes_);
  bytes_ = 0;
  decisions_.clear();
}

void PrincipalPolicies::remember(const std::string& key, auth::Decision decision,
                                 const std::string& deniedResource) const {
  if (key.size() > kMaxDecisionKey) return;  // decided again next time
  size_t bytes = decisionBytes(key, deniedResource);
  std::unique_lock lock(mutex_);
  if (decisions_.size() >= kMaxDecisions) forgetAll();
  if (gDecisionBytes.load() + bytes > kDecisionBudget) {
    forgetAll();
    if (gDecisionBytes.load() + bytes > kDecisionBudget) return;
  }
  auto [it, added] = decisions_.try_emplace(key, Remembered{decision, deniedResource});
  if (!added) return;
  bytes_ += bytes;
  gDecisionBytes.fetch_add(bytes);
}

std::shared_ptr<PrincipalPolicies> compilePolicies(const std::vector<std::string>& texts) {
  auto compiled = std::make_shared<PrincipalPolicies>();
  for (const auto& text : texts) {
    // Stored documents were checked when written; one that no longer
    // parses grants nothing.
    if (auto document = auth::parsePolicyDocument(text)) compiled->documents.push_back(std::move(*document));
    compiled->usesKeys = compiled->usesKeys || text.find("Condition") != std::string::npos ||
                         text.find("${") != std::string::npos;
  }
  std::set<std::string> keys;
  auto variablesOf = [&keys](const std::string& text) {
    for (size_t open = text.find("${"); open != std::string::npos; open = text.find("${", open + 2)) {
      size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      std::string name = text.substr(open + 2, close - open - 2);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      keys.insert(std::move(name));
    }
  };
  for (const auto& document : compiled->documents) {
    compiled->pointers.push_back(&document);
    for (const auto& statement : document.statements) {
      for (const auto& resource : statement.resources) variablesOf(resource);
      for (const auto& condition : statement.conditions) {
        keys.insert(condition.key);
        for (const auto& value : condition.values) variablesOf(value);
      }
    }
  }
  compiled->keysRead.assign(keys.begin(), keys.end());
  return compiled;
}

uint64_t IamPrincipals::iamGeneration() const {
  // Users, groups, roles, keys and policies are IAM's records, sessions
  // STS's: a write to any other service's leaves the caches be.
  return catalog_.serviceGeneration(kService) + catalog_.serviceGeneration("sts");
}

IamPrincipals::IamPrincipals(Catalog& catalog, const SecretBox& secrets, std::string accountId)
    : catalog_(catalog), secrets_(secrets), accountId_(std::move(accountId)) {}

std::optional<auth::Credential> IamPrincipals::findAccessKey(std::string_view accessKeyId) {
  // Read the generation first: a write after it makes the next call read again.
  uint64_t generation = iamGeneration();
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
  credential.principalType = "IAMUser";
  std::unique_lock lock(mutex_);
  if (keys_.size() >= kMaxCached) keys_.clear();
  keys_[id] = {generation, credential};
  return credential;
}

std::optional<auth::Credential> IamPrincipals::findSession(std::string_view accessKeyId) {
  uint64_t generation = iamGeneration();
  std::string id(accessKeyId);
  {
    std::shared_lock lock(mutex_);
    auto it = keys_.find(id);
    if (it != keys_.end() && it->second.generation == generation) return it->second.credential;
  }
  auto session = catalog_.getResource(accountId_, kRegion, kSession, id);
  if (!session) return std::nullopt;
  auto secret = secrets_.open(session->spec.value("SecretSealed", ""));
  auto token = secrets_.open(session->spec.value("TokenSealed", ""));
  if (!secret || !token || token->empty()) return std::nullopt;
  auth::Credential credential;
  credential.accessKeyId = id;
  credential.secretAccessKey = *secret;
  credential.accountId = accountId_;
  credential.sessionToken = *token;
  credential.expiresAt = fromEpochSeconds(session->spec.value("Expiration", 0.0));
  credential.issuedAt = session->createdAt;
  std::string type = session->spec.value("Type", "");
  if (type == "AssumedRole") {
    auto role = catalog_.getResource(accountId_, kRegion, kRole, session->spec.value("RoleName", ""));
    if (!role) return std::nullopt;  // the role is gone: so is what it granted
    // A session is its role's, by the role's unique id: a role made again
    // under the name (with other trust and other policies) is another role,
    // and the old sessions stay dead. (A session issued before the id was
    // kept has none, and holds until it expires.)
    if (std::string issuedFor = session->spec.value("RoleId", ""); !issuedFor.empty() &&
                                                                    issuedFor != role->spec.value("RoleId", "")) {
      return std::nullopt;
    }
    std::string sessionName = session->spec.value("SessionName", "");
    credential.principalType = "AssumedRole";
    credential.roleName = role->spec.value("RoleName", "");
    credential.roleArn = role->arn;
    credential.roleId = role->spec.value("RoleId", "");
    credential.userName = sessionName;
    credential.userId = credential.roleId + ":" + sessionName;
    credential.userArn = assumedRoleArn(accountId_, credential.roleName, sessionName);
  } else if (type == "IAMUser") {
    auto user = catalog_.getResource(accountId_, kRegion, kUser, session->spec.value("UserName", ""));
    if (!user) return std::nullopt;
    if (std::string issuedFor = session->spec.value("UserId", ""); !issuedFor.empty() &&
                                                                    issuedFor != user->spec.value("UserId", "")) {
      return std::nullopt;  // the same name, another user
    }
    credential.principalType = "IAMUser";
    credential.userName = user->spec.value("UserName", "");
    credential.userId = user->spec.value("UserId", "");
    credential.userArn = user->arn;
  } else {
    credential.principalType = "Root";
    credential.userName = "root";
  }
  std::unique_lock lock(mutex_);
  if (keys_.size() >= kMaxCached) keys_.clear();
  keys_[id] = {generation, credential};
  return credential;
}

std::shared_ptr<const PrincipalPolicies> IamPrincipals::cachedPolicies(const std::string& cacheKey,
                                                                       const std::string& kind,
                                                                       const std::string& name) {
  uint64_t generation = iamGeneration();
  {
    std::shared_lock lock(mutex_);
    auto it = policies_.find(cacheKey);
    if (it != policies_.end() && it->second.generation == generation) return it->second.policies;
  }
  auto record = catalog_.getResource(accountId_, kRegion, kind, name);
  std::shared_ptr<PrincipalPolicies> compiled;
  if (record && kind == kSession) {
    // Its session policies: the inline one and the managed ones it named.
    bool limits = record->spec.contains("Policy") || record->spec.contains("PolicyArns");
    std::vector<std::string> texts;
    if (record->spec.contains("Policy")) texts.push_back(record->spec.value("Policy", ""));
    for (const auto& arn : record->spec.value("PolicyArns", std::vector<std::string>())) {
      if (auto text = defaultPolicyDocument(catalog_, arn)) texts.push_back(std::move(*text));
    }
    compiled = compilePolicies(texts);
    compiled->limits = limits;
    compiled->tags = tagsOf(*record);
  } else if (record) {
    compiled = compilePolicies(kind == kUser ? userPolicyDocuments(catalog_, *record)
                                             : ownPolicyDocuments(catalog_, *record));
    compiled->tags = tagsOf(*record);
    std::string boundaryArn = permissionsBoundaryOf(*record);
    if (!boundaryArn.empty()) {
      std::vector<std::string> texts;
      if (auto text = defaultPolicyDocument(catalog_, boundaryArn)) texts.push_back(std::move(*text));
      compiled->boundary = compilePolicies(texts);
    }
  }
  std::unique_lock lock(mutex_);
  if (policies_.size() >= kMaxCached) policies_.clear();
  policies_[cacheKey] = {generation, compiled};
  return compiled;
}

std::shared_ptr<const PrincipalPolicies> IamPrincipals::policiesOf(const std::string& userName) {
  std::string name = recordName(userName);
  return cachedPolicies("user/" + name, kUser, name);
}

std::shared_ptr<const PrincipalPolicies> IamPrincipals::policiesOfRole(const std::string& roleName) {
  std::string name = recordName(roleName);
  return cachedPolicies("role/" + name, kRole, name);
}

std::shared_ptr<const PrincipalPolicies> IamPrincipals::sessionPolicyOf(const std::string& accessKeyId) {
  return cachedPolicies("session/" + accessKeyId, kSession, accessKeyId);
}

std::string IamPrincipals::arnOf(const std::string& kind, const std::string& name) {
  auto record = catalog_.getResource(accountId_, kRegion, kind, recordName(name));
  return record ? record->arn : std::string();
}

std::optional<auth::Credential> ChainedCredentialStore::find(std::string_view accessKeyId) const {
  if (auto root = root_.find(accessKeyId)) return root;
  // IAM's keys all begin so, STS's ASIA; anything else is not worth a catalog read.
  if (accessKeyId.rfind("AKIA", 0) == 0) return users_.findAccessKey(accessKeyId);
  if (accessKeyId.rfind("ASIA", 0) == 0) return users_.findSession(accessKeyId);
  return std::nullopt;
}

}  // namespace kura::iam
