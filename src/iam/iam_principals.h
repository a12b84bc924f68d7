#pragma once
// The IAM principals behind credentials, as the request path needs them on
// every call: the credential of an active access key or of an unexpired
// STS session (for SigV4), and the principal's compiled identity policies
// (for evaluation). Both are cached in memory and read again from the
// catalog once IAM's generation has moved (a committed write to an IAM or
// STS record: Catalog::serviceGeneration), so a deleted key or a detached
// policy takes effect on the next call, and a table created or a snapshot
// taken does not empty the caches.
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/policy_evaluation.h"
#include "auth/sigv4_verifier.h"
#include "catalog/catalog.h"
#include "common/secret_box.h"

namespace kura::iam {

// A principal's identity policies, parsed, and its tags (aws:PrincipalTag).
// Decisions are remembered here, per action, resources and the values of
// the condition keys its statements read: the same call again costs one lookup.
struct PrincipalPolicies {
  std::vector<auth::PolicyDocument> documents;
  std::vector<const auth::PolicyDocument*> pointers;  // into documents
  const std::vector<const auth::PolicyDocument*>& view() const { return pointers; }
  std::vector<std::pair<std::string, std::string>> tags;
  // Some statement has a Condition or a policy variable: only then does a
  // call need its condition keys (and its decision is not remembered).
  bool usesKeys = false;
  // The condition keys and policy variables its statements read (lower
  // case): with their values, they make the decision's memory key.
  std::vector<std::string> keysRead;
  // For a session: whether it was given a session policy (which then
  // limits what its role's policies allow); its tags are the session's.
  bool limits = false;
  // A user's or role's permissions boundary (the default version of the
  // managed policy it names; one that is gone allows nothing), or null: it
  // limits what the identity policies allow.
  std::shared_ptr<const PrincipalPolicies> boundary;

  // A remembered decision, if any; remember() keeps a bounded number, each
  // of a bounded size, within a budget of bytes shared by every principal
  // (the keys hold request values a caller chooses: resources, its user
  // agent), and skips the rest.
  std::optional<auth::Decision> recalled(const std::string& key, std::string* deniedResource) const;
  void remember(const std::string& key, auth::Decision decision, const std::string& deniedResource) const;

  PrincipalPolicies() = default;
  PrincipalPolicies(const PrincipalPolicies&) = delete;
  PrincipalPolicies& operator=(const PrincipalPolicies&) = delete;
  ~PrincipalPolicies();

 private:
  struct Remembered {
    auth::Decision decision;
    std::string deniedResource;
  };
  void forgetAll() const;  // mutex_ held
  mutable std::shared_mutex mutex_;
  mutable std::unordered_map<std::string, Remembered> decisions_;  // guarded by mutex_
  mutable size_t bytes_ = 0;  // of decisions_, counted in the shared budget; guarded by mutex_
};

// A user's, role's or session's tags (its record's Tags), in order.
std::vector<std::pair<std::string, std::string>> tagsOf(const Resource& principal);

// Compiles documents (those that no longer parse grant nothing).
std::shared_ptr<PrincipalPolicies> compilePolicies(const std::vector<std::string>& texts);

class IamPrincipals {
 public:
  // Keys are looked up in `accountId`, the account Kura serves.
  IamPrincipals(Catalog& catalog, const SecretBox& secrets, std::string accountId);

  // The credential of an active access key: its secret, the user's name,
  // id (AIDA...) and ARN. Empty for an unknown, inactive or deleted key.
  std::optional<auth::Credential> findAccessKey(std::string_view accessKeyId);
  // The credential of an STS session (ASIA...), expired or not (the
  // verifier tells an expired one apart); empty for an unknown one or one
  // whose role or user is gone.
  std::optional<auth::Credential> findSession(std::string_view accessKeyId);
  // The policies of a user (its groups' included), a role, or a session's
  // own session policy and tags; null once the principal is gone.
  std::shared_ptr<const PrincipalPolicies> policiesOf(const std::string& userName);
  std::shared_ptr<const PrincipalPolicies> policiesOfRole(const std::string& roleName);
  std::shared_ptr<const PrincipalPolicies> sessionPolicyOf(const std::string& accessKeyId);
  // The ARN of a user, role or group (`kind`), its path included; empty if
  // there is none.
  std::string arnOf(const std::string& kind, const std::string& name);
  Catalog& catalog() { return catalog_; }
  // What the caches are read at: grows with every write to IAM's and
  // STS's records.
  uint64_t iamGeneration() const;

 private:
  struct CachedKey {
    uint64_t generation = 0;
    auth::Credential credential;
  };
  struct CachedPolicies {
    uint64_t generation = 0;
    std::shared_ptr<const PrincipalPolicies> policies;
  };
  std::shared_ptr<const PrincipalPolicies> cachedPolicies(const std::string& cacheKey, const std::string& kind,
                                                          const std::string& name);

  Catalog& catalog_;
  const SecretBox& secrets_;
  std::string accountId_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, CachedKey> keys_;            // guarded by mutex_
  std::unordered_map<std::string, CachedPolicies> policies_;  // guarded by mutex_; "<kind>/<record name>"
};

// Kura's own credentials first (the account root), then IAM users' keys
// and STS sessions.
class ChainedCredentialStore final : public auth::CredentialStore {
 public:
  ChainedCredentialStore(const auth::CredentialStore& root, IamPrincipals& users) : root_(root), users_(users) {}
  std::optional<auth::Credential> find(std::string_view accessKeyId) const override;

 private:
  const auth::CredentialStore& root_;
  IamPrincipals& users_;
};

}  // namespace kura::iam
