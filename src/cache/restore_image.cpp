#include "cache/restore_image.h"

#include "kms/tree_envelope.h"

namespace kura::cache {
namespace fs = std::filesystem;

Result<bool> restoreImage(engines::RedisEngine& engine, kms::KeyManager& keys, const CachePaths& paths,
                          const Resource& snapshot, const engines::RedisLayout& layout) {
  fs::path files = paths.snapshotDir(snapshot);
  if (!kms::isSealedTree(files)) return engine.restore(files, layout);
  fs::path opened = layout.dir;
  opened += ".opened-snapshot";
  std::error_code ec;
  fs::remove_all(opened, ec);
  auto open = kms::openTree(keys, {snapshot.accountId, snapshot.region}, files, opened);
  Result<bool> made = open ? engine.restore(opened, layout) : Result<bool>(open.error());
  fs::remove_all(opened, ec);
  if (!open) return sealedSnapshotRefused(open.error());
  return made;
}

ApiError sealedSnapshotRefused(const ApiError& openError) {
  if (openError.httpStatus >= 500) return openError;
  return ApiError::sender("InvalidKMSKeyFault", "The snapshot's KMS key cannot open it: " + openError.message);
}

}  // namespace kura::cache
