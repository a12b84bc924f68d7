#include "cache/replication_group.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "cache/node_endpoints.h"

namespace kura::cache {
namespace {

using std::chrono::milliseconds;

}  // namespace

std::vector<std::string> ReplicationGroups::members(const Resource& group) {
  std::vector<std::string> names;
  if (!group.state.contains("Members")) return names;
  const nlohmann::json& members = group.state["Members"];
  for (auto it = members.begin(); it != members.end(); ++it) names.push_back(it.key());
  return names;  // ordered: rg-001, rg-002, ...
}

std::string ReplicationGroups::primary(const Resource& group) { return group.state.value("Primary", ""); }

Result<bool> ReplicationGroups::startAll(const Resource& group) {
  if (auto started = engine_.start(memberLayout(group, primary(group), paths_)); !started) return started;
  for (const std::string& member : members(group)) {
    if (member == primary(group)) continue;
    if (auto started = engine_.start(memberLayout(group, member, paths_)); !started) return started;
  }
  return true;
}

Result<bool> ReplicationGroups::stopAll(const Resource& group) {
  for (const std::string& member : members(group)) {
    if (auto stopped = engine_.stop(memberLayout(group, member, paths_)); !stopped) return stopped;
  }
  return true;
}

Result<bool> ReplicationGroups::route(const Resource& group) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  int primaryPort = memberLayout(group, primary(group), paths_).port;
  int readerPort = primaryPort;
  for (const std::string& member : members(group)) {
    engines::RedisLayout layout = memberLayout(group, member, paths_);
    if (member != primary(group) && engine_.running(layout)) {
      readerPort = layout.port;
      break;
    }
  }
  try {
    proxies_->route(group.arn, static_cast<unsigned short>(group.state.value("EndpointPort", 0)),
                    static_cast<unsigned short>(primaryPort));
    proxies_->route(group.arn + "#reader", static_cast<unsigned short>(group.state.value("ReaderPort", 0)),
                    static_cast<unsigned short>(readerPort));
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on the endpoint port: ") + error.what());
  }
  return NodeEndpoints(proxies_).route(group);  // each member's own endpoint
}

Result<std::string> ReplicationGroups::failOver(Resource& group, bool planned, const std::string& target) {
  std::string old = primary(group);
  engines::RedisLayout oldLayout = memberLayout(group, old, paths_);
  std::optional<long long> primaryOffset;
  if (planned) {
    // Writes wait on the primary while the replica catches up: once it has
    // the primary's whole stream, nothing acknowledged can be lost.
    if (auto paused = engine_.pauseWrites(oldLayout, milliseconds(10000)); !paused) return paused.error();
    primaryOffset = engine_.replicationOffset(oldLayout);
  } else if (auto fenced = engine_.fence(oldLayout); !fenced) {
    return fenced.error();
  }
  // The replica furthest along (or the one asked for).
  std::string chosen;
  long long best = -1;
  for (const std::string& member : members(group)) {
    if (member == old || (!target.empty() && member != target)) continue;
    auto offset = engine_.replicationOffset(memberLayout(group, member, paths_));
    if (offset && *offset > best) {
      best = *offset;
      chosen = member;
    }
  }
  if (chosen.empty()) {
    if (planned) engine_.unpauseWrites(oldLayout);
    return ApiError::internal("no replica answers: nothing to fail over to");
  }
  if (planned && primaryOffset) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    while (std::chrono::steady_clock::now() < deadline) {
      auto offset = engine_.replicationOffset(memberLayout(group, chosen, paths_));
      if (offset && *offset >= *primaryOffset) break;
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  group.state["Primary"] = chosen;
  if (auto promoted = engine_.setRole(memberLayout(group, chosen, paths_)); !promoted) {
    group.state["Primary"] = old;
    if (planned) engine_.unpauseWrites(oldLayout);
    return promoted.error();
  }
  if (auto routed = route(group); !routed) spdlog::error("msg=\"{}\"", routed.error().message);
  // The others follow the new primary; a planned old primary turns replica
  // at once (its held writes then fail with READONLY, never land on it).
  for (const std::string& member : members(group)) {
    if (member == chosen || (member == old && !planned)) continue;
    if (auto followed = engine_.setRole(memberLayout(group, member, paths_)); !followed) {
      spdlog::warn("msg=\"a replica did not follow the new primary\" member={} error=\"{}\"", member,
                   followed.error().message);
    }
  }
  if (planned) engine_.unpauseWrites(memberLayout(group, old, paths_));
  return chosen;
}

void ReplicationGroups::forget(const Resource& group) {
  if (proxies_ == nullptr) return;
  proxies_->remove(group.arn);
  proxies_->remove(group.arn + "#reader");
  NodeEndpoints(proxies_).forget(group);
}

}  // namespace kura::cache
