#pragma once
// Drives ElastiCache snapshots: creating (an RDB image of the source
// cluster's node, sealed under a KMS key when the snapshot has one, or a
// copy of another snapshot) -> available; deleting -> deleted. An image cut
// off by a crash is thrown away and taken again. Events go to the source
// cluster, as ElastiCache reports them.
#include "cache/cache_paths.h"
#include "engines/redis_engine.h"
#include "kms/key_manager.h"
#include "reconcile/controller.h"

namespace kura::cache {

class CacheSnapshotController final : public Controller {
 public:
  CacheSnapshotController(engines::RedisEngine& engine, CachePaths paths, kms::KeyManager& keys)
      : engine_(engine), paths_(std::move(paths)), keys_(keys) {}
  std::string kind() const override;
  StepOutcome step(Resource& snapshot, ReconcileContext& ctx) override;

 private:
  StepOutcome create(Resource& snapshot, ReconcileContext& ctx);
  StepOutcome copy(Resource& snapshot, ReconcileContext& ctx);
  StepOutcome fail(Resource& snapshot, ReconcileContext& ctx, const std::string& why);
  void clusterEvent(const Resource& snapshot, ReconcileContext& ctx, const std::string& message,
                    const std::string& category);

  engines::RedisEngine& engine_;
  CachePaths paths_;
  kms::KeyManager& keys_;
};

}  // namespace kura::cache
