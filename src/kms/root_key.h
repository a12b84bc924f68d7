#pragma once
// The root key that seals every KMS key's material. Its source, strongest
// first: the environment variable KURA_KMS_ROOT_KEY (base64 of 32 bytes),
// a file the operator names (--kms-root-key-file: 32 raw bytes or their
// base64), or else a key Kura generates once in <data-dir>/keys/kms-root.key.
// docs/operations.md explains how to keep it apart from the data.
#include <filesystem>
#include <string>

#include "common/api_error.h"

namespace kura::kms {

struct RootKeySource {
  std::string environmentValue;        // KURA_KMS_ROOT_KEY, if set
  std::filesystem::path keyFile;       // --kms-root-key-file, if set
  std::filesystem::path dataDir;       // for the generated default
};

Result<std::string> loadRootKey(const RootKeySource& source);

}  // namespace kura::kms
