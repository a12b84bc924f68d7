#include "kms/root_key.h"

#include "common/aes_gcm.h"
#include "common/crypto.h"
#include "common/key_file.h"

namespace kura::kms {

Result<std::string> loadRootKey(const RootKeySource& source) {
  if (!source.environmentValue.empty()) {
    std::string key;
    if (!base64Decode(source.environmentValue, key) || key.size() != kAesKeyBytes) {
      return ApiError::internal("KURA_KMS_ROOT_KEY must be the base64 of 32 bytes");
    }
    return key;
  }
  if (!source.keyFile.empty()) return readKeyFile(source.keyFile, kAesKeyBytes);
  return readOrCreateKeyFile(source.dataDir / "keys" / "kms-root.key", kAesKeyBytes);
}

}  // namespace kura::kms
