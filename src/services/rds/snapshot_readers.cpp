#include "services/rds/snapshot_readers.h"

#include "services/rds/rds_kinds.h"

namespace kura::rds {

bool beingReadFrom(Catalog& catalog, const std::string& arn) {
  for (const char* kind : {kInstance, kCluster}) {
    for (const Resource& target : catalog.listAllOfKind(kind)) {
      if (target.status != kCreating) continue;
      const nlohmann::json source = target.spec.value("RestoreSource", nlohmann::json::object());
      for (const char* member : {"SnapshotArn", "SourceInstanceArn", "ClusterSnapshotArn", "SourceClusterArn"}) {
        if (source.value(member, "") == arn) return true;
      }
    }
  }
  for (const char* kind : {kSnapshot, kClusterSnapshot}) {
    for (const Resource& copy : catalog.listAllOfKind(kind)) {
      if (copy.status == kCreating && copy.spec.value("CopyFromSnapshotArn", "") == arn) return true;
    }
  }
  return false;
}

}  // namespace kura::rds
