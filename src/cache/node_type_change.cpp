#include "cache/node_type_change.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "cache/cache_events.h"
#include "cache/cache_parameters.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

constexpr const char* kHeld = "ScaleDownTo";

}  // namespace

bool scalesDown(const Resource& owner, std::string_view nodeType) {
  auto now = redisMaxMemoryWith(owner, owner.spec.value("CacheNodeType", ""));
  auto next = redisMaxMemoryWith(owner, nodeType);
  // A node without maxmemory (a type without a size) is unbounded.
  if (!next) return false;
  return !now || *next < *now;
}

void changeNodeType(Resource& owner, const std::string& nodeType) {
  if (nodeType == owner.spec.value("CacheNodeType", "")) {
    owner.state.erase(kHeld);
    return;
  }
  if (scalesDown(owner, nodeType)) {
    owner.state[kHeld] = nodeType;
    return;
  }
  owner.state.erase(kHeld);
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

void settleScaleDown(Catalog& catalog, engines::RedisEngine& engine, Resource& owner,
                     const std::vector<engines::RedisLayout>& nodes) {
  std::string nodeType = heldScaleDown(owner);
  if (nodeType.empty()) return;
  auto room = redisMaxMemoryWith(owner, nodeType);
  uint64_t largest = 0;
  for (const engines::RedisLayout& layout : nodes) {
    // A node that is down, or does not answer, is asked again next pass:
    // its data is no smaller for being out of sight.
    if (!engine.running(layout)) return;
    auto info = engine.info(layout);
    if (!info) return;
    auto used = usedMemoryIn(*info);
    if (!used) return;
    largest = std::max(largest, *used);
  }
  std::string refusal;
  if (room && largest > *room) {
    refusal = fmt::format(
        "Failed to scale down to cache node type {} {} {} because the node has insufficient memory (a node holds "
        "{} bytes; the type leaves {} for data). Please select a different node type or reduce current memory "
        "usage and retry.",
        nodeType, owner.kind == elasticache::kReplicationGroup ? "Replication Group" : "Cache Cluster", owner.name, largest,
        *room);
  }
  Resource updated = owner;
  updated.state.erase(kHeld);
  if (refusal.empty()) {
    updated.spec["CacheNodeType"] = nodeType;
    updated.state["ParametersToApply"] = true;
  }
  auto stored = catalog.updateResource(updated);
  if (!stored) return;  // changed meanwhile: the next pass sees it
  owner = *stored;
  if (!refusal.empty()) return addResourceEvent(catalog, owner, refusal, "configuration change");
  addResourceEvent(catalog, owner, "Scaled down to cache node type " + nodeType + ": every node's data fits",
                   "configuration change");
}

}  // namespace kura::cache
