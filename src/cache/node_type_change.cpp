#include "cache/node_type_change.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "catalog/resource_event.h"
#include "cache/cache_parameters.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

constexpr const char* kHeld = "ScaleDownTo";
constexpr const char* kHeldSince = "ScaleDownSince";  // epoch seconds
// A node whose memory cannot be read for this long (down, or not
// answering) drops the held change rather than keeping it pending forever.
constexpr std::chrono::minutes kUnreadLimit{10};

void dropHeld(Resource& owner) {
  owner.state.erase(kHeld);
  owner.state.erase(kHeldSince);
}

}  // namespace

bool scalesDown(const Resource& owner, std::string_view nodeType) {
  auto now = redisMaxMemoryWith(owner, owner.spec.value("CacheNodeType", ""));
  auto next = redisMaxMemoryWith(owner, nodeType);
  // A node without maxmemory (a type without a size) is unbounded.
  if (!next) return false;
  return !now || *next < *now;
}

void changeNodeType(Resource& owner, const std::string& nodeType, SystemTime now) {
  if (nodeType == owner.spec.value("CacheNodeType", "")) return dropHeld(owner);
  if (scalesDown(owner, nodeType)) {
    owner.state[kHeld] = nodeType;
    owner.state[kHeldSince] = toEpochSeconds(now);
    return;
  }
  dropHeld(owner);
  owner.spec["CacheNodeType"] = nodeType;
  owner.state["ParametersToApply"] = true;  // its nodes' maxmemory follows (reserved-memory-percent)
}

std::string heldScaleDown(const Resource& owner) { return owner.state.value(kHeld, ""); }

std::optional<uint64_t> usedMemoryIn(std::string_view info) {
  constexpr std::string_view kField = "\nused_memory:";
  size_t at = info.find(kField);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = info.data() + at + kField.size();
  const char* end = info.data() + info.size();
  uint64_t bytes = 0;
  auto [stop, error] = std::from_chars(begin, end, bytes);
  if (error != std::errc() || stop == begin || (stop != end && *stop != '\r' && *stop != '\n')) return std::nullopt;
  return bytes;
}

bool settleScaleDown(Catalog& catalog, engines::RedisEngine& engine, Resource& owner,
                     const std::vector<engines::RedisLayout>& nodes, SystemTime now) {
  std::string nodeType = heldScaleDown(owner);
  if (nodeType.empty()) return false;
  std::string kind = owner.kind == elasticache::kReplicationGroup ? "Replication Group" : "Cache Cluster";
  auto room = redisMaxMemoryWith(owner, nodeType);
  uint64_t largest = 0;
  bool unread = false;
  for (const engines::RedisLayout& layout : nodes) {
    // A node that is down, or does not answer, is asked again next pass:
    // its data is no smaller for being out of sight.
    auto info = engine.running(layout) ? engine.info(layout) : std::nullopt;
    auto used = info ? usedMemoryIn(*info) : std::nullopt;
    if (!used) {
      unread = true;
      break;
    }
    largest = std::max(largest, *used);
  }
  std::string refusal;
  if (unread) {
    double since = owner.state.value(kHeldSince, toEpochSeconds(now));
    if (toEpochSeconds(now) - since < std::chrono::duration<double>(kUnreadLimit).count()) return false;
    refusal = fmt::format(
        "Failed to scale down to cache node type {} {} {}: the memory of every node could not be read for {} "
        "minutes (a node is down or does not answer). Please retry once every node is available.",
        nodeType, kind, owner.name, kUnreadLimit.count());
  } else if (room && largest > *room) {
    refusal = fmt::format(
        "Failed to scale down to cache node type {} {} {} because the node has insufficient memory (a node holds "
        "{} bytes; the type leaves {} for data). Please select a different node type or reduce current memory "
        "usage and retry.",
        nodeType, kind, owner.name, largest, *room);
  }
  Resource updated = owner;
  dropHeld(updated);
  if (refusal.empty()) {
    updated.spec["CacheNodeType"] = nodeType;
    updated.state["ParametersToApply"] = true;
  }
  auto stored = catalog.updateResource(updated);
  if (!stored) return false;  // changed meanwhile: the next pass sees it
  owner = *stored;
  if (!refusal.empty()) {
    addResourceEvent(catalog, owner, refusal, "configuration change");
    return false;
  }
  addResourceEvent(catalog, owner, "Scaled down to cache node type " + nodeType + ": every node's data fits",
                   "configuration change");
  return true;
}

}  // namespace kura::cache
