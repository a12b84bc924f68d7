#include "kms/key_manager.h"

#include <algorithm>
#include <regex>

#include "common/aes_gcm.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "kms/key_policy.h"

namespace kura::kms {
namespace {

constexpr int64_t kDayMs = 86400LL * 1000;
// AWS KMS's quota of on-demand rotations per key (not adjustable).
constexpr long kOnDemandRotations = 25;

bool isUuid(const std::string& text) {
  static const std::regex uuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return std::regex_match(text, uuid);
}

std::string aliasArn(const Place& place, const std::string& name) {
  return "arn:aws:kms:" + place.region + ":" + place.account + ":" + name;
}

// The AWS managed keys Kura's services use, with AWS's descriptions.
std::optional<std::string> awsManagedDescription(const std::string& alias) {
  static const std::map<std::string, std::string> known = {
      {"alias/aws/rds", "Default key that protects my RDS database volumes when no other key is defined"},
      {"alias/aws/dynamodb", "Default key that protects my DynamoDB data when no other key is defined"},
      {"alias/aws/elasticache", "Default key that protects my ElastiCache data when no other key is defined"},
      {"alias/aws/secretsmanager", "Default key that protects my Secrets Manager data when no other key is defined"},
      {"alias/aws/logs", "Default key that protects my CloudWatch Logs data when no other key is defined"},
  };
  auto it = known.find(alias);
  if (it == known.end()) return std::nullopt;
  return it->second;
}

KeyMaterial freshMaterial(int64_t version, int64_t nowMs, bool onDemand) {
  return KeyMaterial{version, randomBytes(kAesKeyBytes), nowMs, onDemand};
}

ApiError disabled(const KeyRecord& key) { return ApiError::sender("DisabledException", key.arn() + " is disabled."); }

ApiError aliasNameError(const std::string& message) {
  return ApiError::sender("InvalidAliasNameException", message);
}

Result<bool> checkAliasName(const std::string& name) {
  static const std::regex pattern("^alias/[a-zA-Z0-9/_-]+$");
  if (!std::regex_match(name, pattern)) {
    return aliasNameError("Alias name must begin with 'alias/' and contain only alphanumeric characters, "
                          "forward slashes (/), underscores (_), and dashes (-).");
  }
  if (name.rfind("alias/aws/", 0) == 0) {
    return aliasNameError("Alias names that begin with 'alias/aws/' are reserved for AWS managed keys.");
  }
  return true;
}

}  // namespace

ApiError notFound(const std::string& message) { return ApiError::sender("NotFoundException", message); }
ApiError invalidState(const std::string& message) {
  return ApiError::sender("KMSInvalidStateException", message);
}

KeyManager::KeyManager(KeyStore& store, ClockPtr clock) : store_(store), clock_(std::move(clock)) {}

int64_t KeyManager::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now().time_since_epoch()).count();
}

Result<KeyRecord> KeyManager::createKey(const Place& place, const CreateKeyRequest& request) {
  if (request.keySpec != "SYMMETRIC_DEFAULT" || request.keyUsage != "ENCRYPT_DECRYPT") {
    return ApiError::sender("UnsupportedOperationException",
                            "Kura's KMS supports SYMMETRIC_DEFAULT keys for ENCRYPT_DECRYPT only.");
  }
  KeyRecord key;
  key.keyId = newUuid();
  key.account = place.account;
  key.region = place.region;
  key.description = request.description;
  key.createdMs = nowMs();
  store_.insertKey(key, freshMaterial(1, key.createdMs, false),
                   request.policy.empty() ? defaultKeyPolicy(place.account) : request.policy);
  if (!request.tags.empty()) store_.setTags(key.keyId, request.tags);
  return key;
}

Result<KeyRecord> KeyManager::keyById(const Place& place, const std::string& keyId, const std::string& shownAs) {
  auto key = store_.key(keyId);
  if (!key || key->account != place.account || key->region != place.region) {
    return notFound("Key '" + shownAs + "' does not exist");
  }
  if (key->state == KeyState::PendingDeletion && key->deletionDateMs && nowMs() >= *key->deletionDateMs) {
    store_.eraseKey(keyId);  // its waiting period is over: the key and its material are gone for good
    return notFound("Key '" + shownAs + "' does not exist");
  }
  return *key;
}

Result<KeyRecord> KeyManager::createAwsManagedKey(const Place& place, const std::string& aliasName) {
  std::lock_guard lock(createMutex_);
  if (auto alias = store_.alias(place.account, place.region, aliasName)) {
    return keyById(place, alias->keyId, aliasArn(place, aliasName));
  }
  KeyRecord key;
  key.keyId = newUuid();
  key.account = place.account;
  key.region = place.region;
  key.description = *awsManagedDescription(aliasName);
  key.awsManaged = true;
  key.createdMs = nowMs();
  key.rotationEnabled = true;  // AWS rotates its managed keys every year
  key.nextRotationMs = key.createdMs + key.rotationPeriodDays * kDayMs;
  store_.insertKey(key, freshMaterial(1, key.createdMs, false),
                   awsManagedKeyPolicy(place.account, place.region, aliasName.substr(10)));
  store_.insertAlias(place.account, place.region, {aliasName, key.keyId, key.createdMs, key.createdMs});
  return key;
}

Result<KeyRecord> KeyManager::resolve(const Place& place, const std::string& keyRef) {
  std::string ref = keyRef;
  std::string arnPrefix = "arn:aws:kms:" + place.region + ":" + place.account + ":";
  if (ref.rfind("arn:", 0) == 0) {
    if (ref.rfind(arnPrefix, 0) != 0) return notFound("Invalid arn " + ref);
    ref = ref.substr(arnPrefix.size());
    if (ref.rfind("key/", 0) == 0) return keyById(place, ref.substr(4), keyRef);
    if (ref.rfind("alias/", 0) != 0) return notFound("Invalid arn " + keyRef);
  }
  if (ref.rfind("alias/", 0) == 0) {
    auto alias = store_.alias(place.account, place.region, ref);
    if (!alias) {
      if (awsManagedDescription(ref)) return createAwsManagedKey(place, ref);
      return notFound("Alias '" + aliasArn(place, ref) + "' is not found.");
    }
    return keyById(place, alias->keyId, alias->keyId);
  }
  if (!isUuid(ref)) return notFound("Invalid keyId '" + ref + "'");
  return keyById(place, ref, arnPrefix + "key/" + ref);
}

std::vector<AliasRecord> KeyManager::aliases(const Place& place) { return store_.aliases(place.account, place.region); }

std::vector<KeyRecord> KeyManager::keys(const Place& place, const std::string& after, size_t limit) {
  return store_.keys(place.account, place.region, after, limit);
}

Result<KeyRecord> KeyManager::customerKey(const Place& place, const std::string& keyRef) {
  auto key = resolve(place, keyRef);
  if (!key) return key.error();
  if (key->awsManaged) {
    return ApiError::sender("UnsupportedOperationException",
                            key->arn() + " is an AWS managed key: its state and rotation are AWS's to manage.");
  }
  return key;
}

Result<KeyRecord> KeyManager::setEnabled(const Place& place, const std::string& keyRef, bool enabled) {
  auto key = customerKey(place, keyRef);
  if (!key) return key;
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  key->state = enabled ? KeyState::Enabled : KeyState::Disabled;
  store_.updateKey(*key);
  return key;
}

Result<KeyRecord> KeyManager::scheduleDeletion(const Place& place, const std::string& keyRef, int64_t windowDays) {
  auto key = customerKey(place, keyRef);
  if (!key) return key;
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  key->state = KeyState::PendingDeletion;
  key->pendingWindowDays = windowDays;
  key->deletionDateMs = nowMs() + windowDays * kDayMs;
  store_.updateKey(*key);
  return key;
}

Result<KeyRecord> KeyManager::cancelDeletion(const Place& place, const std::string& keyRef) {
  auto key = customerKey(place, keyRef);
  if (!key) return key;
  if (key->state != KeyState::PendingDeletion) return invalidState(key->arn() + " is not pending deletion.");
  key->state = KeyState::Disabled;  // as AWS: a cancelled deletion leaves the key disabled
  key->deletionDateMs.reset();
  key->pendingWindowDays.reset();
  store_.updateKey(*key);
  return key;
}

Result<KeyRecord> KeyManager::setRotation(const Place& place, const std::string& keyRef, bool enabled,
                                          std::optional<int64_t> periodDays) {
  auto key = customerKey(place, keyRef);
  if (!key) return key;
  if (key->state == KeyState::Disabled) return disabled(*key);
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  key->rotationEnabled = enabled;
  if (periodDays) key->rotationPeriodDays = *periodDays;
  if (enabled) {
    key->nextRotationMs = nowMs() + key->rotationPeriodDays * kDayMs;
  } else {
    key->nextRotationMs.reset();
  }
  store_.updateKey(*key);
  return key;
}

Result<KeyRecord> KeyManager::setDescription(const Place& place, const std::string& keyRef,
                                             const std::string& description) {
  auto key = customerKey(place, keyRef);
  if (!key) return key;
  key->description = description;
  store_.updateKey(*key);
  return key;
}

void KeyManager::rotateIfDue(KeyRecord& key) {
  if (!key.rotationEnabled || !key.nextRotationMs || nowMs() < *key.nextRotationMs) return;
  int64_t now = nowMs();
  if (auto rotated = store_.rotate(key.keyId, randomBytes(kAesKeyBytes), now, now + key.rotationPeriodDays * kDayMs)) {
    key = *rotated;
  }
}

Result<KeyRecord> KeyManager::rotateOnDemand(const Place& place, const std::string& keyRef) {
  auto key = resolve(place, keyRef);
  if (!key) return key;
  if (key->awsManaged) {
    return ApiError::sender("UnsupportedOperationException",
                            key->arn() + " is an AWS managed key: AWS rotates it every year.");
  }
  if (key->keySpec != "SYMMETRIC_DEFAULT") {
    return ApiError::sender("UnsupportedOperationException",
                            key->arn() + " is not a symmetric encryption key: on-demand rotation needs one.");
  }
  if (key->state == KeyState::Disabled) return disabled(*key);
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  std::lock_guard lock(onDemandMutex_);
  auto done = store_.materials(key->keyId);
  auto onDemand = std::count_if(done.begin(), done.end(), [](const KeyMaterial& m) { return m.onDemand; });
  if (onDemand >= kOnDemandRotations) {
    return ApiError::sender("LimitExceededException", key->arn() + " has been rotated on demand " +
                                                          std::to_string(kOnDemandRotations) +
                                                          " times, the most KMS allows for one key.");
  }
  auto rotated = store_.rotate(key->keyId, randomBytes(kAesKeyBytes), nowMs(), std::nullopt);
  if (!rotated) return notFound("Key '" + key->arn() + "' does not exist");
  return *rotated;
}

Result<AliasRecord> KeyManager::createAlias(const Place& place, const std::string& name, const std::string& targetRef) {
  if (auto valid = checkAliasName(name); !valid) return valid.error();
  if (targetRef.rfind("alias/", 0) == 0 || targetRef.find(":alias/") != std::string::npos) {
    return ApiError::sender("ValidationException", "TargetKeyId must be a key ID or key ARN, not an alias.");
  }
  auto key = customerKey(place, targetRef);
  if (!key) return key.error();
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  AliasRecord alias{name, key->keyId, nowMs(), nowMs()};
  if (!store_.insertAlias(place.account, place.region, alias)) {
    return ApiError::sender("AlreadyExistsException",
                            "An alias with the name " + aliasArn(place, name) + " already exists");
  }
  return alias;
}

Result<AliasRecord> KeyManager::updateAlias(const Place& place, const std::string& name, const std::string& targetRef) {
  if (auto valid = checkAliasName(name); !valid) return valid.error();
  auto alias = store_.alias(place.account, place.region, name);
  if (!alias) return notFound("Alias '" + aliasArn(place, name) + "' is not found.");
  auto key = customerKey(place, targetRef);
  if (!key) return key.error();
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  store_.pointAlias(place.account, place.region, name, key->keyId, nowMs());
  alias->keyId = key->keyId;
  return *alias;
}

Result<bool> KeyManager::deleteAlias(const Place& place, const std::string& name) {
  if (name.rfind("alias/aws/", 0) == 0) {
    return aliasNameError("Alias names that begin with 'alias/aws/' are reserved for AWS managed keys.");
  }
  if (!store_.eraseAlias(place.account, place.region, name)) {
    return notFound("Alias '" + aliasArn(place, name) + "' is not found.");
  }
  return true;
}

Result<KeyRecord> KeyManager::usableKey(const Place& place, const std::string& keyRef) {
  auto key = resolve(place, keyRef);
  if (!key) return key;
  if (key->state == KeyState::Disabled) return disabled(*key);
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  return key;
}

Result<Encrypted> KeyManager::encrypt(const Place& place, const std::string& keyRef, const std::string& plaintext,
                                      const EncryptionContext& context) {
  auto key = usableKey(place, keyRef);
  if (!key) return key.error();
  rotateIfDue(*key);
  auto material = store_.material(key->keyId, key->currentVersion);
  if (!material) return ApiError::internal("the key material of " + key->arn() + " is missing");
  std::string header = blobHeader({key->keyId, key->currentVersion});
  return Encrypted{header + aesGcmSeal(material->bytes, plaintext, header + canonicalContext(context)), key->arn()};
}

Result<Decrypted> KeyManager::decrypt(const Place& place, const std::string& blob, const EncryptionContext& context,
                                      const std::string& keyRef) {
  auto header = parseBlobHeader(blob);
  if (!header) return ApiError::sender("InvalidCiphertextException", "");
  if (!keyRef.empty()) {
    auto named = resolve(place, keyRef);
    if (!named) return named.error();
    if (named->keyId != header->keyId) {
      return ApiError::sender("IncorrectKeyException",
                              "The key ID in the request does not identify a CMK that can perform this operation.");
    }
  }
  auto key = keyById(place, header->keyId, header->keyId);
  if (!key) return ApiError::sender("InvalidCiphertextException", "");
  if (key->state == KeyState::Disabled) return disabled(*key);
  if (key->state == KeyState::PendingDeletion) return invalidState(key->arn() + " is pending deletion.");
  auto material = store_.material(key->keyId, header->version);
  if (!material) return ApiError::sender("InvalidCiphertextException", "");
  std::string_view headerBytes(blob.data(), blobHeaderSize());
  auto plain = aesGcmOpen(material->bytes, std::string_view(blob).substr(blobHeaderSize()),
                          std::string(headerBytes) + canonicalContext(context));
  if (!plain) return ApiError::sender("InvalidCiphertextException", "");
  return Decrypted{std::move(*plain), key->arn()};
}

Result<DataKey> KeyManager::generateDataKey(const Place& place, const std::string& keyRef, size_t bytes,
                                            const EncryptionContext& context) {
  std::string plaintext = randomBytes(bytes);
  auto sealed = encrypt(place, keyRef, plaintext, context);
  if (!sealed) return sealed.error();
  return DataKey{std::move(plaintext), std::move(sealed->blob), std::move(sealed->keyArn)};
}

}  // namespace kura::kms
