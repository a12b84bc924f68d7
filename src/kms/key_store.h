#pragma once
// KMS keys, their material, aliases and tags on SQLite (data/kms/kms.db).
// Material is stored sealed (AES-256-GCM) under the root key; the file alone
// decrypts nothing. Every write is one transaction with full sync.
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kms/grant_record.h"
#include "kms/key_record.h"
#include "sql/sqlite_db.h"

namespace kura::kms {

class KeyStore {
 public:
  KeyStore(const std::filesystem::path& dataDir, std::string rootKey);

  // With its key policy (JSON text), in the same transaction.
  void insertKey(const KeyRecord& key, const KeyMaterial& first, const std::string& policy);
  void updateKey(const KeyRecord& key);
  // Removes the key, its material, aliases and tags (deletion is final).
  void eraseKey(const std::string& keyId);
  std::optional<KeyRecord> key(const std::string& keyId);
  // Keys of one account and region, by key id, starting after `after`.
  std::vector<KeyRecord> keys(const std::string& account, const std::string& region, const std::string& after,
                              size_t limit);

  // A new generation of the key's material, made current, in one
  // transaction: its version follows the newest stored, however many rotate
  // at once. An automatic rotation (`nextRotationMs` set: the date after
  // it) happens only while the stored key is still due, so two callers that
  // both saw it due rotate it once. The key as stored after, or nothing when
  // it is gone.
  std::optional<KeyRecord> rotate(const std::string& keyId, std::string materialBytes, int64_t nowMs,
                                  std::optional<int64_t> nextRotationMs);
  std::optional<KeyMaterial> material(const std::string& keyId, int64_t version);
  std::vector<KeyMaterial> materials(const std::string& keyId);

  // Aliases: names are unique per account and region.
  bool insertAlias(const std::string& account, const std::string& region, const AliasRecord& alias);
  void pointAlias(const std::string& account, const std::string& region, const std::string& name,
                  const std::string& keyId, int64_t nowMs);
  bool eraseAlias(const std::string& account, const std::string& region, const std::string& name);
  std::optional<AliasRecord> alias(const std::string& account, const std::string& region, const std::string& name);
  std::vector<AliasRecord> aliases(const std::string& account, const std::string& region);

  // Key policies (key_policy_store.cpp): empty for a key made before Kura
  // stored them, which has the default policy.
  std::string policy(const std::string& keyId);
  void setPolicy(const std::string& keyId, const std::string& policy);
  // Moves on every setPolicy: what a parsed policy kept in memory is
  // checked against (kms/key_access.h).
  uint64_t policyGeneration() const { return policyGeneration_.load(std::memory_order_acquire); }
  // Moves on every write of a key's record (made, changed, erased).
  uint64_t keyGeneration() const { return keyGeneration_.load(std::memory_order_acquire); }

  // Grants (key_policy_store.cpp), erased with their key.
  void insertGrant(const GrantRecord& grant);
  std::vector<GrantRecord> grantsOfKey(const std::string& keyId);
  // The key's grants whose grantee is `grantee`, or a role (whose sessions
  // a caller may be).
  std::vector<GrantRecord> grantsForGrantee(const std::string& keyId, const std::string& grantee);
  std::vector<GrantRecord> grantsRetirableBy(const std::string& account, const std::string& region,
                                             const std::string& principal);
  std::optional<GrantRecord> grantByToken(const std::string& token);
  bool eraseGrant(const std::string& keyId, const std::string& grantId);

  std::map<std::string, std::string> tags(const std::string& keyId);
  void setTags(const std::string& keyId, const std::map<std::string, std::string>& tags);
  void removeTags(const std::string& keyId, const std::vector<std::string>& keys);

 private:
  KeyRecord readKey(SqliteStatement& row);
  std::vector<GrantRecord> selectGrants(const std::string& where, const std::vector<std::string>& args);
  std::string seal(const std::string& keyId, const KeyMaterial& material) const;
  void insertMaterialLocked(const std::string& keyId, const KeyMaterial& material);
  void updateKeyLocked(const KeyRecord& key);

  std::string rootKey_;
  std::atomic<uint64_t> policyGeneration_{1};
  std::atomic<uint64_t> keyGeneration_{1};
  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace kura::kms
