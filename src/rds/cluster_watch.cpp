// The part of RdsSupervisor that watches Aurora clusters: a writer that died
// or hangs is failed over to a reader (or restarted where it is, without
// one); readers that do not follow the current writer are rebuilt from it;
// the writer's commits wait for a reader while one streams; the endpoints
// follow; the cluster's restorable window and daily automated snapshots.
#include <spdlog/spdlog.h>

#include "common/descriptor_shortage.h"
#include "common/time_format.h"
#include "rds/db_instance_controller.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/snapshot_readers.h"

namespace kura::rds {

void RdsSupervisor::watchCluster(Resource cluster) {
  if (cluster.status != kAvailable || cluster.goal != kAvailable) return;
  std::vector<Resource> members = clusterMembers(catalog_, cluster);
  auto writer = std::find_if(members.begin(), members.end(),
                             [&](const Resource& member) { return isClusterWriter(cluster, member); });
  if (writer == members.end() || writer->status != kAvailable || writer->goal != kAvailable) return;
  auto layout = layoutOf(*writer, paths_, secrets_);
  if (!layout) return;
  uint64_t mark = descriptorShortages();
  bool running = engine_.running(*layout);
  bool answers = running && engine_.healthy(*layout, std::chrono::seconds(1));
  if (judgeProbe(answers, mark) == ProbeVerdict::kUnknown) {
    return logProbeUnknown("rds cluster writer " + writer->name);
  }
  int& unanswered = unanswered_[cluster.arn];
  unanswered = answers ? 0 : unanswered + 1;
  std::vector<const Resource*> readers;
  for (const Resource& member : members) {
    if (member.status != kAvailable || !followsWriter(cluster, member)) continue;
    auto readerLayout = layoutOf(member, paths_, secrets_);
    // A hung reader neither serves the reader endpoint nor holds commits.
    if (readerLayout && engine_.running(*readerLayout) &&
        engine_.healthy(*readerLayout, std::chrono::milliseconds(300))) {
      readers.push_back(&member);
    }
  }
  if (!running || unanswered >= 2) {
    unanswered = 0;
    if (!readers.empty()) {
      spdlog::warn("msg=\"cluster writer lost: failing over\" cluster={} writer={} running={}", cluster.name,
                   writer->name, running);
      cluster.status = kFailingOver;
      cluster.state["FailoverPlanned"] = false;
      if (catalog_.updateResource(cluster)) reconciler_.wake();
      return;
    }
    // No reader to take over: the writer starts again where it is, unless
    // a StopDBCluster came since this pass read the cluster.
    auto fresh = catalog_.getResourceByArn(cluster.arn);
    if (!fresh || fresh->status != kAvailable || fresh->goal != kAvailable) return;
    if (auto fenced = engine_.fence(*layout); !fenced) return;
    auto started = engine_.start(*layout);
    addEvent(*writer, started ? "DB instance restarted" : "DB instance could not be restarted: " + started.error().message,
             "availability");
    return;
  }
  if (!answers) return;
  // Commits wait for a reader while one streams, and never for none.
  bool synchronous = writer->state.value("SynchronousReaders", false);
  if (synchronous != !readers.empty()) {
    Resource updated = *writer;
    updated.state["SynchronousReaders"] = !readers.empty();
    auto wanted = layoutOf(updated, paths_, secrets_);
    bool applied = wanted && engine_.reload(*wanted) &&
                   (readers.empty() || engine_.synchronousStandbyStreaming(*wanted, std::chrono::seconds(5)));
    if (!applied) {
      // Back as it was: a reader that does not confirm must not hold commits.
      updated.state["SynchronousReaders"] = false;
      if (auto plain = layoutOf(updated, paths_, secrets_)) engine_.reload(*plain);
    }
    if (auto stored = catalog_.updateResource(updated)) *writer = *stored;
  }
  std::map<std::string, std::string> customErrors;
  if (auto routed = clusterEndpoints_.route(cluster, members, customEndpoints_[cluster.arn], &customErrors); !routed) {
    spdlog::warn("msg=\"cannot route the cluster\" cluster={} error=\"{}\"", cluster.name, routed.error().message);
  } else {
    settleCustomEndpointStatus(cluster, members, customErrors);
  }
  SystemTime now = clock_->now();
  if (!followArchive(cluster, *layout)) return;
  if (!countFirstBackup(cluster)) return;
  if (cluster.spec.contains("RestoreSource") && !cluster.state.value(kRestoreRead, false)) {
    // Its writer answers, so it made its files from the restore's source:
    // the source's snapshots may be pruned again (snapshot_readers.h).
    Resource updated = cluster;
    updated.state[kRestoreRead] = true;
    if (auto stored = catalog_.updateResource(updated)) cluster = *stored;
  }
  if (!cluster.state.contains("LastAutomatedBackup") || backupDue(cluster, now)) {
    Resource snapshot = clusterSnapshotDraft(cluster, automatedSnapshotName(cluster.name, now), "automated");
    auto recorded = catalog_.transact([&]() -> Result<Resource> {
      if (auto existing = catalog_.getResource(snapshot.accountId, snapshot.region, kClusterSnapshot, snapshot.name)) {
        return existing;
      }
      cluster.state["LastAutomatedBackup"] = toEpochSeconds(now);
      if (!cluster.state.contains("EarliestRestorableTime")) cluster.state["PendingFirstBackup"] = snapshot.name;
      auto stored = catalog_.updateResource(cluster);
      if (!stored) return stored;
      auto created = catalog_.createResource(snapshot);
      // With CopyTagsToSnapshot, automated snapshots carry the cluster's tags as manual ones do.
      if (created && cluster.spec.value("CopyTagsToSnapshot", false)) {
        catalog_.addTags(created->arn, catalog_.listTags(cluster.arn));
      }
      return created;
    });
    if (recorded) reconciler_.wake();
    return;
  }
  pruneAutomatedSnapshots(cluster, now);
}

bool RdsSupervisor::countFirstBackup(Resource& cluster) {
  // A cluster's first automated snapshot starts its restorable window once
  // it is available (an instance's controller waits for its own backup; a
  // cluster's is the watch's): looked up by its name on each pass while it
  // is under way, not by a read of every snapshot. One that failed is let
  // go; the pruning counts the next one.
  std::string name = cluster.state.value("PendingFirstBackup", "");
  if (name.empty()) return true;
  auto snapshot = catalog_.getResource(cluster.accountId, cluster.region, kClusterSnapshot, name);
  if (snapshot && snapshot->status == kCreating) return true;
  if (snapshot && snapshot->status == kAvailable && !cluster.state.contains("EarliestRestorableTime")) {
    cluster.state["EarliestRestorableTime"] = snapshot->state.value("SnapshotCreateTime", 0.0);
  }
  cluster.state.erase("PendingFirstBackup");
  auto updated = catalog_.updateResource(cluster);
  if (!updated) return false;  // changed meanwhile: next pass
  cluster = *updated;
  return true;
}

bool RdsSupervisor::watchMember(Resource& instance) {
  auto cluster = catalog_.getResourceByArn(instance.spec.value("ClusterArn", ""));
  if (!cluster) return false;
  // The writer is the cluster's to watch (watchCluster).
  if (isClusterWriter(*cluster, instance)) return false;
  auto layout = layoutOf(instance, paths_, secrets_);
  if (!layout) return false;
  // Its cluster being stopped or started: the controllers move its servers.
  if (cluster->status == kStopping || cluster->status == kStopped || cluster->status == kStarting) return false;
  if (followsWriter(*cluster, instance)) {
    if (!engine_.running(*layout)) {
      // This pass's record may be older than a StopDBCluster: the current one decides.
      auto fresh = catalog_.getResourceByArn(instance.arn);
      if (!fresh || fresh->status != kAvailable || fresh->goal != kAvailable) return false;
      addStartEvent(instance, engine_.start(*layout));
    }
    return false;
  }
  // A reader of an old writer (the old writer itself after a failover):
  // rebuilt from the current writer, once the cluster is settled.
  if (cluster->status != kAvailable) return false;
  auto writer = catalog_.getResourceByArn(cluster->state.value("Writer", ""));
  if (!writer || writer->status != kAvailable) return false;
  auto writerLayout = layoutOf(*writer, paths_, secrets_);
  if (!writerLayout || !engine_.running(*writerLayout)) return false;
  spdlog::info("msg=\"rebuilding a cluster reader\" cluster={} instance={} writer={}", cluster->name, instance.name,
               writer->name);
  // As long as a backup of the writer: off this thread (rebuilds_), which
  // meanwhile keeps watching the writer.
  rebuilds_.submit(instance.arn, [this, name = instance.name, arn = instance.arn, writer = *writer,
                                  writerLayout = *writerLayout, layout = *layout, clusterArn = cluster->arn,
                                  epoch = cluster->state.value("WriterEpoch", 0)]() {
    // Only if, when the copy starts, it is still a reader to run and that
    // writer still the cluster's (a failover meanwhile may have made this
    // very instance the writer).
    auto now = catalog_.getResourceByArn(arn);
    auto cluster = catalog_.getResourceByArn(clusterArn);
    if (!now || now->status != kAvailable || now->goal != kAvailable || !cluster ||
        cluster->status != kAvailable || cluster->state.value("Writer", "") != writer.arn ||
        cluster->state.value("WriterEpoch", 0) != epoch) {
      return true;
    }
    if (auto fenced = engine_.fence(layout); !fenced) return false;
    auto made = engine_.createStandby(writerLayout, layout);
    if (made) made = engine_.start(layout);
    if (!made) {
      spdlog::warn("msg=\"cannot rebuild the reader\" instance={} error=\"{}\"", name, made.error().message);
      return false;
    }
    // Recorded where the reader is still one to run; else the one just
    // started stops again (its controller may have stopped it meanwhile).
    auto fresh = catalog_.getResourceByArn(arn);
    if (!fresh || fresh->goal != kAvailable) {
      engine_.stop(layout);
      return true;
    }
    fresh->state["Upstream"] = writer.arn;
    fresh->state["UpstreamEpoch"] = epoch;
    fresh->state["SynchronousReaders"] = false;
    if (auto stored = catalog_.updateResource(*fresh)) {
      addEvent(*stored, "DB instance is now a reader of " + writer.name, "availability");
    }
    return true;
  });
  return false;
}

}  // namespace kura::rds
