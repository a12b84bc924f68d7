#pragma once
// The IAM users behind access keys, as the request path needs them on every
// call: the credential of an active key (for SigV4) and the user's compiled
// identity policies (for evaluation). Both are cached in memory and read
// again from the catalog once its generation has moved (any committed
// write, IAM's among them), so a deleted key or a detached policy takes
// effect on the next call.
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/policy_document.h"
#include "auth/sigv4_verifier.h"
#include "catalog/catalog.h"
#include "common/secret_box.h"

namespace kura::iam {

// A user's identity policies, parsed.
struct UserPolicies {
  std::vector<auth::PolicyDocument> documents;
  // Some statement has a Condition or a policy variable: only then does a
  // call need its condition keys.
  bool usesKeys = false;
  std::vector<const auth::PolicyDocument*> view() const;
};

class IamPrincipals {
 public:
  // Keys are looked up in `accountId`, the account Kura serves.
  IamPrincipals(Catalog& catalog, const SecretBox& secrets, std::string accountId);

  // The credential of an active access key: its secret, the user's name,
  // id (AIDA...) and ARN. Empty for an unknown, inactive or deleted key.
  std::optional<auth::Credential> findAccessKey(std::string_view accessKeyId);
  // The policies of a user by name; null once the user is gone.
  std::shared_ptr<const UserPolicies> policiesOf(const std::string& userName);
  // A user's ARN, its path included; empty if there is no such user.
  std::string userArnOf(const std::string& userName);

 private:
  struct CachedKey {
    uint64_t generation = 0;
    auth::Credential credential;
  };
  struct CachedPolicies {
    uint64_t generation = 0;
    std::shared_ptr<const UserPolicies> policies;
  };

  Catalog& catalog_;
  const SecretBox& secrets_;
  std::string accountId_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, CachedKey> keys_;            // guarded by mutex_
  std::unordered_map<std::string, CachedPolicies> policies_;  // guarded by mutex_; by record name
};

// Kura's own credentials first (the account root), then IAM users' keys.
class ChainedCredentialStore final : public auth::CredentialStore {
 public:
  ChainedCredentialStore(const auth::CredentialStore& root, IamPrincipals& users) : root_(root), users_(users) {}
  std::optional<auth::Credential> find(std::string_view accessKeyId) const override;

 private:
  const auth::CredentialStore& root_;
  IamPrincipals& users_;
};

}  // namespace kura::iam
