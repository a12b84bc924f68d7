#include "cache/cluster_mode.h"

#include <spdlog/spdlog.h>

#include <set>
#include <thread>
#include <sstream>

#include "cache/cluster_node.h"
#include "cache/node_endpoints.h"

namespace kura::cache {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

bool hasFlag(const std::string& flags, const std::string& flag) {
  std::istringstream in(flags);
  for (std::string one; std::getline(in, one, ',');) {
    if (one == flag) return true;
  }
  return false;
}

}  // namespace

bool ClusterModeGroups::enabled(const Resource& group) { return group.spec.value("ClusterEnabled", false); }

std::vector<std::string> ClusterModeGroups::nodeGroups(const Resource& group) {
  std::vector<std::string> ids;
  if (!group.state.contains("NodeGroups")) return ids;
  for (const auto& [id, unused] : group.state["NodeGroups"].items()) ids.push_back(id);
  return ids;
}

std::vector<std::string> ClusterModeGroups::membersOf(const Resource& group, const std::string& nodeGroup) {
  std::vector<std::string> names;
  if (!group.state.contains("Members")) return names;
  for (const auto& [name, member] : group.state["Members"].items()) {
    if (member.value("NodeGroup", "") == nodeGroup) names.push_back(name);
  }
  return names;
}

std::string ClusterModeGroups::primaryOf(const Resource& group, const std::string& nodeGroup) {
  if (!group.state.contains("NodeGroups") || !group.state["NodeGroups"].contains(nodeGroup)) return "";
  return group.state["NodeGroups"][nodeGroup].value("Primary", "");
}

engines::RedisLayout ClusterModeGroups::layout(const Resource& group, const std::string& member) const {
  return clusterMemberLayout(group, member, paths_);
}

Result<std::string> ClusterModeGroups::run(const engines::RedisLayout& layout,
                                           const std::vector<std::string>& args) const {
  auto result = engine_.admin(layout, args);
  if (!result.ok() || result.output.rfind("ERR", 0) == 0) {
    std::string said = result.output.substr(0, 300);
    return ApiError::internal("Redis refused " + args[0] + " " + (args.size() > 1 ? args[1] : "") + ": " + said);
  }
  return result.output;
}

Result<bool> ClusterModeGroups::startMember(Resource& group, const std::string& member) {
  engines::RedisLayout node = layout(group, member);
  auto started = engine_.start(node);
  if (!started) return started;
  nlohmann::json& record = group.state["Members"][member];
  if (!record.contains("NodeId")) {
    auto id = run(node, {"CLUSTER", "MYID"});
    if (!id) return id.error();
    record["NodeId"] = *id;
  }
  return started;
}

Result<bool> ClusterModeGroups::stopAll(const Resource& group) {
  if (!group.state.contains("Members")) return true;
  for (const auto& [member, unused] : group.state["Members"].items()) {
    if (auto stopped = engine_.stop(layout(group, member)); !stopped) return stopped;
  }
  return true;
}

Result<bool> ClusterModeGroups::route(const Resource& group) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  std::vector<unsigned short> running;
  try {
    for (const auto& [member, record] : group.state["Members"].items()) {
      auto port = static_cast<unsigned short>(record.value("Port", 0));
      auto enginePort = static_cast<unsigned short>(enginePortOf(record));
      clusterLinks().route(group.arn + "#" + member, port, enginePort);
      if (engine_.running(layout(group, member))) running.push_back(enginePort);
    }
    if (running.empty()) {
      for (const auto& [member, record] : group.state["Members"].items()) {
        running.push_back(static_cast<unsigned short>(enginePortOf(record)));
      }
    }
    proxies_->route(group.arn, static_cast<unsigned short>(group.state.value("EndpointPort", 0)), running);
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on the endpoint port: ") + error.what());
  }
  return NodeEndpoints(proxies_).route(group);
}

void ClusterModeGroups::forget(const Resource& group) {
  if (proxies_ != nullptr) proxies_->remove(group.arn);
  if (group.state.contains("Members")) {
    for (const auto& [member, unused] : group.state["Members"].items()) forgetMember(group, member);
  }
}

void ClusterModeGroups::forgetMember(const Resource& group, const std::string& member) {
  clusterLinks().remove(group.arn + "#" + member);
  if (proxies_ != nullptr) proxies_->remove(group.arn + "#" + member);
}

std::vector<ClusterNodeLine> ClusterModeGroups::nodesFrom(const engines::RedisLayout& node) const {
  std::vector<ClusterNodeLine> lines;
  auto result = engine_.admin(node, {"CLUSTER", "NODES"}, std::chrono::seconds(3));
  if (!result.ok() || result.output.rfind("ERR", 0) == 0) return lines;
  std::istringstream in(result.output);
  for (std::string text; std::getline(in, text);) {
    std::vector<std::string> fields = words(text);
    if (fields.size() < 8) continue;
    ClusterNodeLine line;
    line.id = fields[0];
    size_t colon = fields[1].find(':');
    if (colon != std::string::npos) line.port = std::atoi(fields[1].c_str() + colon + 1);
    line.master = hasFlag(fields[2], "master");
    line.myself = hasFlag(fields[2], "myself");
    line.failed = hasFlag(fields[2], "fail") || hasFlag(fields[2], "fail?") || hasFlag(fields[2], "handshake") ||
                  hasFlag(fields[2], "noaddr");
    line.masterId = fields[3] == "-" ? "" : fields[3];
    line.epoch = std::atoll(fields[6].c_str());
    for (size_t i = 8; i < fields.size(); ++i) {
      if (fields[i].empty() || fields[i][0] == '[') continue;  // a slot being moved
      size_t dash = fields[i].find('-');
      int first = std::atoi(fields[i].c_str());
      int last = dash == std::string::npos ? first : std::atoi(fields[i].c_str() + dash + 1);
      line.slots.emplace_back(first, last);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<ClusterNodeLine> ClusterModeGroups::nodes(const Resource& group) const {
  for (const auto& [member, unused] : group.state["Members"].items()) {
    engines::RedisLayout node = layout(group, member);
    if (!engine_.running(node)) continue;
    auto lines = nodesFrom(node);
    if (!lines.empty()) return lines;
  }
  return {};
}

Result<bool> ClusterModeGroups::form(Resource& group) {
  std::vector<std::string> members;
  for (const auto& [member, unused] : group.state["Members"].items()) members.push_back(member);
  for (const std::string& member : members) {
    if (auto started = startMember(group, member); !started) return started.error();
  }
  auto idOf = [&](const std::string& member) { return group.state["Members"][member].value("NodeId", ""); };
  // Fresh nodes get distinct config epochs before they meet (as redis-cli
  // --cluster create does), so that no collision has to be settled.
  std::map<std::string, std::vector<ClusterNodeLine>> views;
  std::string anchor;
  size_t known = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    views[members[i]] = nodesFrom(layout(group, members[i]));
    if (views[members[i]].size() == 1 && !group.state.value("SlotsAssigned", false)) {
      engine_.admin(layout(group, members[i]), {"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(i + 1)});
    }
    if (views[members[i]].size() > known) {
      known = views[members[i]].size();
      anchor = members[i];
    }
  }
  // Every node meets the cluster through the one that knows most of it.
  std::set<std::string> anchorKnows;
  for (const ClusterNodeLine& line : views[anchor]) anchorKnows.insert(line.id);
  bool everyoneKnown = true;
  for (const std::string& member : members) {
    if (anchorKnows.contains(idOf(member))) continue;
    everyoneKnown = false;
    const nlohmann::json& record = group.state["Members"][member];
    auto met = run(layout(group, anchor), {"CLUSTER", "MEET", kClusterInternalAddress,
                                           std::to_string(record.value("Port", 0)),
                                           std::to_string(record.value("BusPort", 0))});
    if (!met) return met.error();
  }
  if (!everyoneKnown) return false;
  for (const std::string& member : members) {
    if (views[member].size() < members.size()) return false;  // the gossip is on its way
  }
  // Slots: once, from the record (later the cluster's own, resharding moves them).
  if (!group.state.value("SlotsAssigned", false)) {
    std::set<int> owned;
    for (const ClusterNodeLine& line : views[anchor]) {
      for (const auto& [first, last] : line.slots) owned.insert(first);
    }
    for (const std::string& nodeGroup : nodeGroups(group)) {
      std::string primary = primaryOf(group, nodeGroup);
      auto ranges = parseSlots(group.state["NodeGroups"][nodeGroup].value("Slots", ""));
      if (!ranges) continue;
      std::vector<std::string> args = {"CLUSTER", "ADDSLOTSRANGE"};
      for (const auto& [first, last] : *ranges) {
        if (owned.contains(first)) continue;
        args.push_back(std::to_string(first));
        args.push_back(std::to_string(last));
      }
      if (args.size() > 2) {
        if (auto added = run(layout(group, primary), args); !added) return added.error();
      }
    }
    group.state["SlotsAssigned"] = true;
    return false;
  }
  // Replicas follow their node group's primary.
  bool ready = true;
  for (const std::string& nodeGroup : nodeGroups(group)) {
    std::string primary = primaryOf(group, nodeGroup);
    for (const std::string& member : membersOf(group, nodeGroup)) {
      if (member == primary) continue;
      const ClusterNodeLine* self = nullptr;
      for (const ClusterNodeLine& line : views[member]) {
        if (line.myself) self = &line;
      }
      if (self == nullptr) return false;
      if (self->masterId != idOf(primary)) {
        ready = false;
        auto followed = run(layout(group, member), {"CLUSTER", "REPLICATE", idOf(primary)});
        if (!followed) {
          spdlog::info("msg=\"a cluster replica cannot follow its primary yet\" member={} error=\"{}\"", member,
                       followed.error().message);
        }
        continue;
      }
      if (!engine_.replicaLinked(layout(group, member))) ready = false;
    }
  }
  if (!ready) return false;
  // Every node knows who follows whom (CLUSTER SLOTS anywhere names them all).
  for (const std::string& member : members) {
    for (const ClusterNodeLine& line : views[member]) {
      for (const std::string& nodeGroup : nodeGroups(group)) {
        for (const std::string& replica : membersOf(group, nodeGroup)) {
          if (replica == primaryOf(group, nodeGroup) || line.id != idOf(replica)) continue;
          if (line.masterId != idOf(primaryOf(group, nodeGroup))) return false;
        }
      }
    }
  }
  for (const std::string& member : members) {
    auto info = engine_.admin(layout(group, member), {"CLUSTER", "INFO"});
    if (info.output.find("cluster_state:ok") == std::string::npos) return false;
  }
  return true;
}

std::vector<std::string> ClusterModeGroups::sync(Resource& group) const {
  std::vector<std::string> messages;
  // One view that agrees with the record is enough (the usual pass: one
  // command); otherwise every running node's view: one that has not heard
  // of a failover yet shows the old primary, under an older epoch than the
  // new one's.
  std::vector<ClusterNodeLine> first = nodes(group);
  bool agrees = !first.empty();
  for (const std::string& nodeGroup : nodeGroups(group)) {
    std::string id = group.state["Members"][primaryOf(group, nodeGroup)].value("NodeId", "");
    bool seen = false;
    for (const ClusterNodeLine& line : first) {
      if (line.id == id && line.master && !line.failed &&
          slotsText(line.slots) == group.state["NodeGroups"][nodeGroup].value("Slots", "")) {
        seen = true;
      }
    }
    agrees = agrees && seen;
  }
  if (agrees) return messages;
  std::vector<ClusterNodeLine> lines;
  for (const auto& [member, unused] : group.state["Members"].items()) {
    engines::RedisLayout node = layout(group, member);
    if (!engine_.running(node)) continue;
    for (ClusterNodeLine& line : nodesFrom(node)) lines.push_back(std::move(line));
  }
  if (lines.empty()) return messages;
  std::map<std::string, std::string> memberOf;
  for (const auto& [member, record] : group.state["Members"].items()) memberOf[record.value("NodeId", "")] = member;
  for (const std::string& nodeGroup : nodeGroups(group)) {
    nlohmann::json& record = group.state["NodeGroups"][nodeGroup];
    std::string old = record.value("Primary", "");
    // The node group's live primary: the newest claim (config epoch).
    const ClusterNodeLine* best = nullptr;
    for (const ClusterNodeLine& line : lines) {
      auto found = memberOf.find(line.id);
      if (found == memberOf.end() || !line.master || line.failed) continue;
      if (group.state["Members"][found->second].value("NodeGroup", "") != nodeGroup) continue;
      if (best == nullptr || line.epoch > best->epoch) best = &line;
    }
    if (best == nullptr) continue;
    std::string now = memberOf[best->id];
    if (now != old) {
      record["Primary"] = now;
      messages.push_back("Failover from primary node " + old + " to replica node " + now +
                         " completed for node group " + nodeGroup);
    }
    record["Slots"] = slotsText(best->slots);
  }
  return messages;
}

std::string ClusterModeGroups::furthestReplica(const Resource& group, const std::string& nodeGroup) const {
  std::string old = primaryOf(group, nodeGroup);
  std::string chosen;
  long long furthest = -1;
  for (const std::string& member : membersOf(group, nodeGroup)) {
    if (member == old) continue;
    auto offset = engine_.replicationOffset(layout(group, member));
    if (offset && *offset > furthest) {
      furthest = *offset;
      chosen = member;
    }
  }
  return chosen;
}

Result<std::string> ClusterModeGroups::plannedFailover(Resource& group, const std::string& nodeGroup) const {
  std::string chosen = furthestReplica(group, nodeGroup);
  if (chosen.empty()) return ApiError::internal("no replica of node group " + nodeGroup + " answers");
  if (auto asked = run(layout(group, chosen), {"CLUSTER", "FAILOVER"}); !asked) return asked.error();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = engine_.admin(layout(group, chosen), {"ROLE"}, std::chrono::seconds(2));
    if (info.ok() && info.output.rfind("master", 0) == 0) {
      sync(group);
      group.state["NodeGroups"][nodeGroup]["Primary"] = chosen;
      return chosen;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ApiError::internal("replica " + chosen + " did not take over within 15 s");
}

Result<std::string> ClusterModeGroups::takeOver(const Resource& group, const std::string& nodeGroup) const {
  std::string chosen = furthestReplica(group, nodeGroup);
  if (chosen.empty()) return ApiError::internal("no replica of node group " + nodeGroup + " answers");
  // TAKEOVER: without the other primaries' votes (two node groups cannot
  // outvote a lost one), under a new config epoch that wins every slot.
  if (auto taken = run(layout(group, chosen), {"CLUSTER", "FAILOVER", "TAKEOVER"}); !taken) return taken.error();
  return chosen;
}

}  // namespace kura::cache
