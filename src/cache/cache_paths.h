#pragma once
// Where ElastiCache keeps its files: <data-dir>/elasticache/.
#include <filesystem>

#include "catalog/records.h"
#include "engines/redis_engine.h"

namespace kura::cache {

struct CachePaths {
  std::filesystem::path root;  // <data-dir>/elasticache

  // The record's id keeps a resource deleted and re-created under the same
  // name apart from the old one.
  std::filesystem::path clusterDir(const Resource& cluster) const;
  std::filesystem::path snapshotDir(const Resource& snapshot) const;
};

// The engine layout of a cluster's node.
engines::RedisLayout nodeLayout(const Resource& cluster, const CachePaths& paths);

}  // namespace kura::cache
