#pragma once
// Puts a snapshot's image into a node's files for a restore, opening it
// first when it is sealed under a KMS key (the opened copy is removed
// before this returns: a plaintext image never outlives the restore).
#include "cache/cache_paths.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"

namespace kura::cache {

// What a restore answers when a sealed snapshot cannot be opened: the
// key's refusal (disabled, deleted, not the caller's) as InvalidKMSKeyFault,
// which no retry mends; what the host refused (a full disk) as it is, an
// internal error the controller tries again.
ApiError sealedSnapshotRefused(const ApiError& openError);

Result<bool> restoreImage(engines::RedisEngine& engine, kms::KeyManager& keys, const CachePaths& paths,
                          const Resource& snapshot, const engines::RedisLayout& layout);

}  // namespace kura::cache
