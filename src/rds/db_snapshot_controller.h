#pragma once
// Drives RDS DB snapshots (and, as a second controller, DB cluster
// snapshots, whose source is the cluster's writer or its volume): creating (a consistent physical backup of the
// source instance, or a copy of another snapshot) -> available; deleting ->
// deleted. A backup cut off by a crash is thrown away and taken again.
#include "common/secret_box.h"
#include "kms/key_manager.h"
#include "rds/instance_engine.h"
#include "rds/rds_layout.h"
#include "reconcile/controller.h"

namespace kura::rds {

class DbSnapshotController final : public Controller {
 public:
  DbSnapshotController(InstanceEngine& engine, const SecretBox& secrets, RdsPaths paths, kms::KeyManager& keys,
                       std::string kind = "db-snapshot")
      : engine_(engine), secrets_(secrets), paths_(std::move(paths)), keys_(keys), kind_(std::move(kind)) {}
  std::string kind() const override;
  StepOutcome step(Resource& snapshot, ReconcileContext& ctx) override;

 private:
  StepOutcome create(Resource& snapshot, ReconcileContext& ctx);
  StepOutcome fail(Resource& snapshot, ReconcileContext& ctx, const std::string& why);
  // A copy sealed under another key than its source's (CopyDBSnapshot,
  // CopyDBClusterSnapshot with a KmsKeyId): spec.SealCopyUnder.
  StepOutcome sealCopy(Resource& snapshot, ReconcileContext& ctx, const Resource& source);
  // The snapshot's files as a copy of `from` (another snapshot's, a volume).
  StepOutcome copyFiles(Resource& snapshot, ReconcileContext& ctx, const std::filesystem::path& from,
                        double createTime, uint64_t bytes);

  InstanceEngine& engine_;
  const SecretBox& secrets_;
  RdsPaths paths_;
  kms::KeyManager& keys_;  // seals the snapshots of encrypted instances
  std::string kind_;
};

}  // namespace kura::rds
