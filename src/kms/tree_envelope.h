#pragma once
// Envelope encryption of a directory of backup files (RDS snapshots,
// DynamoDB backups): one data key from KMS per tree, kept only encrypted in
// <tree>/kura-envelope.json with its encryption context; every file sealed
// in 1 MiB chunks under AES-256-GCM. Each chunk's additional data names the
// file, the chunk's index and whether it is the last, so chunks cannot be
// moved, reordered, or cut off without the open failing.
#include <filesystem>

#include "common/api_error.h"
#include "kms/key_manager.h"

namespace kura::kms {

// Seals every file below `source` into `target` (created, must not exist).
Result<bool> sealTree(KeyManager& keys, const Place& place, const std::string& keyRef,
                      const EncryptionContext& context, const std::filesystem::path& source,
                      const std::filesystem::path& target);
// Opens a sealed tree into `target` (created, must not exist). A key that is
// disabled, pending deletion or deleted answers KMS's error.
Result<bool> openTree(KeyManager& keys, const Place& place, const std::filesystem::path& source,
                      const std::filesystem::path& target);
bool isSealedTree(const std::filesystem::path& dir);

// A directory whose files are sealed one at a time as they arrive (a WAL
// archive): its data key is made on first use, kept encrypted in the same
// kura-envelope.json, and openTree opens the whole directory.
Result<std::string> directoryDataKey(KeyManager& keys, const Place& place, const std::string& keyRef,
                                     const EncryptionContext& context, const std::filesystem::path& dir);
// Seals one file into the directory under `name` (written whole, then renamed).
Result<bool> sealIntoDirectory(const std::string& dataKey, const std::filesystem::path& from,
                               const std::filesystem::path& dir, const std::string& name);

}  // namespace kura::kms
