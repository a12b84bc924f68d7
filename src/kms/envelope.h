#pragma once
// Envelope encryption as AWS services do it: a fresh data key from KMS per
// sealed value, the value under AES-256-GCM with that key, and the data key
// kept only in its KMS-encrypted form beside the value:
//
//   "KENV1" | u32 length of the encrypted data key (BE) | encrypted data key |
//   iv | ciphertext | tag
//
// Opening asks KMS to decrypt the data key, so a disabled or deleted key
// makes the value unreadable, and nothing else.
#include <string>

#include "common/api_error.h"
#include "kms/key_manager.h"

namespace kura::kms {

Result<std::string> sealEnvelope(KeyManager& keys, const Place& place, const std::string& keyRef,
                                 std::string_view plaintext, const EncryptionContext& context);
Result<std::string> openEnvelope(KeyManager& keys, const Place& place, std::string_view sealed,
                                 const EncryptionContext& context);
bool isEnvelope(std::string_view bytes);

}  // namespace kura::kms
