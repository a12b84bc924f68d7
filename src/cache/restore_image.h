#pragma once
// Puts a snapshot's image into a node's files for a restore, opening it
// first when it is sealed under a KMS key (the opened copy is removed
// before this returns: a plaintext image never outlives the restore).
#include "cache/cache_paths.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"

namespace kura::cache {

Result<bool> restoreImage(engines::RedisEngine& engine, kms::KeyManager& keys, const CachePaths& paths,
                          const Resource& snapshot, const engines::RedisLayout& layout);

}  // namespace kura::cache
