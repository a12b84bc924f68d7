// The part of RdsSupervisor that watches read replicas: a replica streams
// from whichever server is its source's primary now (after a Multi-AZ
// failover or conversion it is pointed at the new one and follows its
// timeline), its replication state and lag are reported, and a replica that
// cannot stream again (it got ahead of the promoted standby, or lost WAL it
// needed) is rebuilt from the source.
#include <spdlog/spdlog.h>

#include "common/descriptor_shortage.h"
#include "rds/db_instance_controller.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

constexpr auto kStatusEvery = std::chrono::seconds(2);
// How long a replica may fail to stream from a source that answers before it
// is rebuilt: long enough for a walreceiver to reconnect and catch up.
constexpr auto kRebuildAfter = std::chrono::seconds(20);

}  // namespace

bool RdsSupervisor::watchReplica(Resource& replica) {
  auto layout = layoutOf(replica, paths_, secrets_);
  if (!layout || !engine_.running(*layout)) return true;  // started again below
  auto source = catalog_.getResourceByArn(replica.spec.value("ReadReplicaSourceArn", ""));
  std::optional<EngineLayout> sourceLayout;
  if (source && source->status == kAvailable && source->goal == kAvailable) {
    if (auto found = layoutOf(*source, paths_, secrets_); found && engine_.running(*found)) sourceLayout = *found;
  }
  auto steadyNow = std::chrono::steady_clock::now();
  ReplicaWatch& watched = replicaWatch_[replica.arn];
  std::string upstream = sourceLayout ? upstreamKey(*sourceLayout) : "";
  if (sourceLayout && replica.state.value("Upstream", "") != upstream) {
    if (auto followed = engine_.follow(*layout, *sourceLayout); !followed) {
      spdlog::warn("msg=\"cannot point the read replica at its source's primary\" instance={} error=\"{}\"",
                   replica.name, followed.error().message);
      return true;
    }
    replica.state["Upstream"] = upstream;
    auto stored = catalog_.updateResource(replica);
    if (!stored) return false;
    replica = *stored;
    watched.streamedAt = steadyNow;
    addEvent(replica, "Read replica now streams from the current primary of " + source->name, "read replica");
  }
  if (steadyNow - watched.checkedAt < kStatusEvery) return true;
  watched.checkedAt = steadyNow;
  uint64_t mark = descriptorShortages();
  auto status = engine_.replicaStatus(*layout);
  // Unasked for lack of descriptors in Kura: neither "error" nor a step
  // towards a rebuild.
  if (!status && judgeProbe(false, mark) == ProbeVerdict::kUnknown) {
    logProbeUnknown("read replica " + replica.name);
    return true;
  }
  bool streaming = status && status->streaming;
  if (status && metrics_) metrics_(replica, "ReplicaLag", status->lagSeconds, "Seconds");
  // The time to a rebuild counts only while the source's primary runs.
  if (streaming || !sourceLayout || watched.streamedAt == std::chrono::steady_clock::time_point{}) {
    watched.streamedAt = steadyNow;
  }
  std::string state = streaming ? "replicating" : "error";
  if (replica.state.value("ReplicationState", "replicating") != state) {
    replica.state["ReplicationState"] = state;
    auto stored = catalog_.updateResource(replica);
    if (!stored) return false;
    replica = *stored;
  }
  if (streaming || steadyNow - watched.streamedAt < kRebuildAfter ||
      !engine_.healthy(*sourceLayout, std::chrono::seconds(1))) {
    return true;
  }
  spdlog::warn("msg=\"read replica does not stream: rebuilding it from its source\" instance={} source={}",
               replica.name, source->name);
  // As long as a backup of the source: off this thread (rebuilds_).
  rebuilds_.submit(replica.arn, [this, replica, source = *source, sourceLayout = *sourceLayout,
                                 layout = *layout, upstream]() mutable {
    // Only if it is still a replica of that source to run when the copy
    // starts (a promotion, a stop or a deletion meanwhile ends it here).
    auto now = catalog_.getResourceByArn(replica.arn);
    if (!now || now->status != kAvailable || now->goal != kAvailable || !isReadReplica(*now) ||
        now->spec.value("ReadReplicaSourceArn", "") != source.arn) {
      return true;
    }
    if (auto fenced = engine_.fence(layout); !fenced) return false;
    auto made = engine_.createStandby(sourceLayout, layout);
    if (made) made = engine_.start(layout);
    if (!made) {
      spdlog::warn("msg=\"cannot rebuild the read replica\" instance={} error=\"{}\"", replica.name,
                   made.error().message);
      return false;
    }
    // Recorded where the replica is still one to run; else the one just
    // started stops again (its controller may have stopped it meanwhile).
    auto fresh = catalog_.getResourceByArn(replica.arn);
    if (!fresh || fresh->goal != kAvailable) {
      engine_.stop(layout);
      return true;
    }
    fresh->state["Upstream"] = upstream;
    catalog_.updateResource(*fresh);
    addEvent(*fresh, "Read replica rebuilt from " + source.name + ": it could not stream from its primary",
             "read replica");
    return true;
  });
  return false;
}

}  // namespace kura::rds
