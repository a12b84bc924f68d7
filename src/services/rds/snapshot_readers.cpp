#include "services/rds/snapshot_readers.h"

#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

void addSources(const Resource& target, std::set<std::string>& reads) {
  const nlohmann::json source = target.spec.value("RestoreSource", nlohmann::json::object());
  for (const char* member : {"SnapshotArn", "SourceInstanceArn", "ClusterSnapshotArn", "SourceClusterArn"}) {
    if (source.contains(member) && source[member].is_string()) reads.insert(source[member].get<std::string>());
  }
}

}  // namespace

std::set<std::string> snapshotReads(Catalog& catalog) {
  std::set<std::string> reads;
  auto creating = [](const Resource& unparsed) { return unparsed.status == kCreating; };
  for (const Resource& instance : catalog.listAllOfKind(kInstance, creating)) addSources(instance, reads);
  for (const char* kind : {kSnapshot, kClusterSnapshot}) {
    for (const Resource& copy : catalog.listAllOfKind(kind, creating)) {
      if (copy.spec.contains("CopyFromSnapshotArn")) reads.insert(copy.spec.value("CopyFromSnapshotArn", ""));
    }
  }
  // A restored cluster reads its source when its first writer is made
  // (cluster_member.cpp), however long after the call that is.
  for (const Resource& cluster : catalog.listAllOfKind(kCluster, [](const Resource& unparsed) {
         return unparsed.status != kDeleted && unparsed.goal != kDeleted;
       })) {
    if (cluster.spec.contains("RestoreSource") && !cluster.state.value(kRestoreRead, false)) addSources(cluster, reads);
  }
  return reads;
}

}  // namespace kura::rds
