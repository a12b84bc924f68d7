#pragma once
// Who may use a KMS key, as KMS decides it for an IAM principal of the
// key's account:
//  - the key policy must allow the call, either to the principal itself (or
//    "*"), or to the account root, which delegates to IAM: then the
//    principal's identity policies must allow it too;
//  - a grant on the key allows its operations to its grantee principal,
//    within its encryption context constraints, whatever the policies say;
//  - an explicit Deny in the key policy or an identity policy refuses.
// The account root itself is not evaluated (docs/iam.md).
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "auth/resource_policy.h"
#include "kms/key_manager.h"

namespace kura::kms {

class KeyAccess {
 public:
  explicit KeyAccess(KeyManager& keys) : keys_(keys) {}

  // The key policy's text: the stored one, or the default one.
  std::string policyText(const KeyRecord& key);
  // Parses a key policy given to CreateKey or PutKeyPolicy, or answers
  // MalformedPolicyDocumentException.
  static Result<auth::ResourcePolicy> parse(const std::string& text);

  // The identity policies' decision on facts of the caller's (action,
  // resources, condition keys); for the root, always Allow.
  using IdentityDecision = std::function<auth::Decision(const auth::RequestFacts&)>;

  // KMS's lockout check: whether `caller` could still call PutKeyPolicy on
  // `keyArn` under `policy`; MalformedPolicyDocumentException if not.
  Result<bool> checkLockout(const auth::ResourcePolicy& policy, const auth::Caller& caller,
                            const std::string& keyArn, const auth::RequestFacts& facts,
                            const IdentityDecision& identity);

  // The decision on a KMS call (`facts` holds its action, resources and the
  // global condition keys).
  auth::ResourceVerdict authorize(const Place& place, const auth::Caller& caller, const std::string& operation,
                                  const nlohmann::json& input, const auth::RequestFacts& facts,
                                  const IdentityDecision& identity);

  // Whether a grant of `key` allows `operation` ("Decrypt") to `caller`
  // with the request's encryption context.
  bool grantAllows(const KeyRecord& key, const auth::Caller& caller, const std::string& operation,
                   const EncryptionContext& context, const nlohmann::json& input);

 private:
  struct Cached {
    uint64_t generation = 0;  // the store's policy generation when read
    std::shared_ptr<const auth::ResourcePolicy> policy;
  };
  // The key's policy, parsed: read again once any policy has changed.
  std::shared_ptr<const auth::ResourcePolicy> policyOf(const KeyRecord& key);
  // The key a reference names, if it exists: by id or key ARN from memory
  // until a key record changes, by alias from the store.
  std::optional<KeyRecord> existingKey(const Place& place, const std::string& ref);
  struct CachedKey {
    uint64_t generation = 0;  // the store's key generation when read
    KeyRecord key;
  };

  KeyManager& keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;     // guarded by mutex_; by key id
  std::unordered_map<std::string, CachedKey> keys_cache_;  // guarded by mutex_; by key id
};

// A grant's constraints hold for an encryption context.
bool constraintsHold(const GrantRecord& grant, const EncryptionContext& context);

}  // namespace kura::kms
