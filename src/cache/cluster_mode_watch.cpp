#include "cache/cluster_mode_watch.h"

#include <spdlog/spdlog.h>

#include "catalog/resource_event.h"
#include "cache/cluster_node.h"
#include "cache/parameter_apply.h"
#include "common/descriptor_shortage.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

// A dead node with a replica waits this long at most for the cluster to
// promote it before it is started again in place.
constexpr auto kFailoverGrace = std::chrono::milliseconds(kClusterNodeTimeoutMs * 6);

}  // namespace

std::vector<engines::RedisLayout> ClusterModeWatch::layouts(const Resource& group) const {
  std::vector<engines::RedisLayout> nodes;
  for (const auto& [member, unused] : group.state["Members"].items()) nodes.push_back(groups_.layout(group, member));
  return nodes;
}

void ClusterModeWatch::addEvent(const Resource& group, const std::string& message, const std::string& category) {
  addResourceEvent(catalog_, group, message, category);
}

void ClusterModeWatch::failOverLostPrimaries(Resource& group) {
  for (const std::string& nodeGroup : ClusterModeGroups::nodeGroups(group)) {
    std::string primary = ClusterModeGroups::primaryOf(group, nodeGroup);
    if (primary.empty() || ClusterModeGroups::membersOf(group, nodeGroup).size() < 2) continue;
    engines::RedisLayout node = groups_.layout(group, primary);
    uint64_t mark = descriptorShortages();
    bool running = engine_.running(node);
    bool answers = running && engine_.healthy(node);
    if (judgeProbe(answers, mark) == ProbeVerdict::kUnknown) {
      logProbeUnknown("redis cluster primary " + group.name + "/" + primary);
      continue;
    }
    int& unanswered = unanswered_[group.arn + "#" + primary];
    unanswered = answers ? 0 : unanswered + 1;
    if (running && unanswered < 2) continue;
    unanswered = 0;
    spdlog::warn("msg=\"cluster node group primary lost: failing over\" group={} node_group={} running={}", group.name,
                 nodeGroup, running);
    engine_.fence(node);  // a hung one never answers again
    auto chosen = groups_.takeOver(group, nodeGroup);
    if (!chosen) {
      spdlog::error("msg=\"failover failed\" group={} error=\"{}\"", group.name, chosen.error().message);
      addEvent(group, "Failover of node group " + nodeGroup + " failed: " + chosen.error().message, "failure");
      continue;
    }
    group.state["NodeGroups"][nodeGroup]["Primary"] = *chosen;
    auto stored = catalog_.updateResource(group);
    if (stored) group = *stored;
    addEvent(group, "Failover from primary node " + primary + " to replica node " + *chosen +
                        " completed for node group " + nodeGroup, "failover");
  }
}

void ClusterModeWatch::watch(Resource& group) {
  failOverLostPrimaries(group);
  std::vector<ClusterNodeLine> view = groups_.nodes(group);
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> members;
  for (const auto& [member, unused] : group.state["Members"].items()) members.push_back(member);
  for (const std::string& member : members) {
    engines::RedisLayout node = groups_.layout(group, member);
    std::string key = group.arn + "#" + member;
    uint64_t mark = descriptorShortages();
    if (engine_.running(node)) {
      downSince_.erase(key);
      continue;
    }
    if (judgeProbe(false, mark) == ProbeVerdict::kUnknown) {
      logProbeUnknown("redis cluster node " + group.name + "/" + member);
      continue;
    }
    auto [since, fresh] = downSince_.emplace(key, now);
    std::string nodeGroup = group.state["Members"][member].value("NodeGroup", "");
    // Another live primary in its node group: the cluster has failed it over.
    bool shardServed = false;
    bool hasReplica = ClusterModeGroups::membersOf(group, nodeGroup).size() > 1;
    for (const ClusterNodeLine& line : view) {
      if (!line.master || line.failed || line.id == group.state["Members"][member].value("NodeId", "")) continue;
      for (const std::string& other : ClusterModeGroups::membersOf(group, nodeGroup)) {
        if (group.state["Members"][other].value("NodeId", "") == line.id) shardServed = true;
      }
    }
    if (hasReplica && !shardServed && now - since->second < kFailoverGrace) continue;
    auto started = groups_.startMember(group, member);
    if (started) {
      downSince_.erase(key);
      if (*started) noteNodeStartedAgain(catalog_, group, member);
    }
    addEvent(group,
             started ? "Cache node 0001 of " + member + " restarted"
                     : "Cache node 0001 of " + member + " could not be restarted: " + started.error().message,
             "notification");
  }
  Resource before = group;
  std::vector<std::string> failovers = groups_.sync(group);
  if (group.state != before.state) {
    auto stored = catalog_.updateResource(group);
    if (stored) {
      group = *stored;
      for (const std::string& message : failovers) addEvent(group, message, "failover");
    }
  }
  if (auto routed = groups_.route(group); !routed) {
    spdlog::error("msg=\"cannot route the cluster's endpoints\" group={} error=\"{}\"", group.name,
                  routed.error().message);
  }
}

}  // namespace kura::cache
