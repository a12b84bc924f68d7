#pragma once
// KMS as a component: keys resolved by id, ARN, alias or alias ARN, their
// states, rotation, and the cryptography (encrypt, decrypt, data keys). The
// KMS API handlers call it, and so do the services that encrypt backups
// and secrets under a customer's key (envelope encryption).
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/clock.h"
#include "kms/ciphertext_blob.h"
#include "kms/key_store.h"

namespace kura::kms {

struct Place {
  std::string account;
  std::string region;
};

struct CreateKeyRequest {
  std::string description;
  std::string keyUsage = "ENCRYPT_DECRYPT";
  std::string keySpec = "SYMMETRIC_DEFAULT";
  std::map<std::string, std::string> tags;
  std::string policy;  // JSON, already checked (kms/key_access.h); empty: the default key policy
};

struct Encrypted {
  std::string blob;
  std::string keyArn;
};

struct Decrypted {
  std::string plaintext;
  std::string keyArn;
};

struct DataKey {
  std::string plaintext;  // 32 bytes (or as asked)
  std::string blob;       // the same, encrypted under the KMS key
  std::string keyArn;
};

class KeyManager {
 public:
  KeyManager(KeyStore& store, ClockPtr clock);

  Result<KeyRecord> createKey(const Place& place, const CreateKeyRequest& request);
  // Any key reference AWS accepts; alias/aws/<service> creates that AWS
  // managed key on first use, as AWS does. Keys past their deletion date are
  // gone.
  Result<KeyRecord> resolve(const Place& place, const std::string& keyRef);
  // The alias, for ListAliases and DescribeKey on alias names.
  std::vector<AliasRecord> aliases(const Place& place);
  std::vector<KeyRecord> keys(const Place& place, const std::string& after, size_t limit);

  Result<KeyRecord> setEnabled(const Place& place, const std::string& keyRef, bool enabled);
  Result<KeyRecord> scheduleDeletion(const Place& place, const std::string& keyRef, int64_t windowDays);
  Result<KeyRecord> cancelDeletion(const Place& place, const std::string& keyRef);
  Result<KeyRecord> setRotation(const Place& place, const std::string& keyRef, bool enabled,
                                std::optional<int64_t> periodDays);
  Result<KeyRecord> setDescription(const Place& place, const std::string& keyRef, const std::string& description);
  // A new generation of the key's material now (RotateKeyOnDemand); the
  // automatic schedule stays as it was.
  Result<KeyRecord> rotateOnDemand(const Place& place, const std::string& keyRef);
  // Every generation of the key's material, oldest first, without the bytes.
  std::vector<KeyMaterial> rotations(const KeyRecord& key) { return store_.materials(key.keyId); }

  Result<AliasRecord> createAlias(const Place& place, const std::string& name, const std::string& targetRef);
  Result<AliasRecord> updateAlias(const Place& place, const std::string& name, const std::string& targetRef);
  Result<bool> deleteAlias(const Place& place, const std::string& name);

  Result<Encrypted> encrypt(const Place& place, const std::string& keyRef, const std::string& plaintext,
                            const EncryptionContext& context);
  // `keyRef`, when given, must name the key the blob was made with.
  Result<Decrypted> decrypt(const Place& place, const std::string& blob, const EncryptionContext& context,
                            const std::string& keyRef = "");
  Result<DataKey> generateDataKey(const Place& place, const std::string& keyRef, size_t bytes,
                                  const EncryptionContext& context);

  // Keys that resolve and may be used for cryptography, or AWS's error.
  Result<KeyRecord> usableKey(const Place& place, const std::string& keyRef);
  KeyStore& store() { return store_; }
  int64_t nowMs() const;

 private:
  Result<KeyRecord> keyById(const Place& place, const std::string& keyId, const std::string& shownAs);
  Result<KeyRecord> createAwsManagedKey(const Place& place, const std::string& aliasName);
  Result<KeyRecord> customerKey(const Place& place, const std::string& keyRef);
  void rotateIfDue(KeyRecord& key);

  KeyStore& store_;
  ClockPtr clock_;
  std::mutex createMutex_;  // one AWS managed key per alias, however many ask at once
  std::mutex onDemandMutex_;  // the count of on-demand rotations and the next one, together
};

// Errors AWS KMS answers, worded as it does.
ApiError notFound(const std::string& message);
ApiError invalidState(const std::string& message);

}  // namespace kura::kms
