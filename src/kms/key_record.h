#pragma once
// One KMS key as Kura keeps it: what DescribeKey reports, minus the key
// material (kept apart, sealed under the root key).
#include <cstdint>
#include <optional>
#include <string>

namespace kura::kms {

enum class KeyState { Enabled, Disabled, PendingDeletion };
std::string keyStateName(KeyState state);
std::optional<KeyState> parseKeyState(const std::string& name);

struct KeyRecord {
  std::string keyId;  // a UUID
  std::string account;
  std::string region;
  std::string description;
  std::string keyUsage = "ENCRYPT_DECRYPT";
  std::string keySpec = "SYMMETRIC_DEFAULT";
  bool awsManaged = false;  // KeyManager AWS (alias/aws/<service>) or CUSTOMER
  KeyState state = KeyState::Enabled;
  int64_t createdMs = 0;
  std::optional<int64_t> deletionDateMs;  // set while PendingDeletion
  std::optional<int64_t> pendingWindowDays;
  bool rotationEnabled = false;
  int64_t rotationPeriodDays = 365;
  std::optional<int64_t> nextRotationMs;  // when rotation is enabled
  int64_t currentVersion = 1;  // the material new ciphertexts use

  std::string arn() const { return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId; }
};

// One generation of a key's material. Rotation adds one; none is ever
// dropped while the key exists, so old ciphertexts stay readable.
struct KeyMaterial {
  int64_t version = 0;
  std::string bytes;  // 32 bytes, plaintext in memory only
  int64_t createdMs = 0;
  bool onDemand = false;
};

struct AliasRecord {
  std::string name;  // alias/...
  std::string keyId;
  int64_t createdMs = 0;
  int64_t updatedMs = 0;
};

}  // namespace kura::kms
