#pragma once
// Redis Cluster's 16384 hash slots as ElastiCache hands them to node
// groups: evenly, the first groups taking one more when they do not divide
// (3 shards: 0-5461, 5462-10922, 10923-16383), or as NodeGroupConfiguration
// gives them ("0-8191", "0-100,200-300").
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kura::cache {

inline constexpr int kClusterSlots = 16384;

using SlotRange = std::pair<int, int>;  // first and last, inclusive

std::vector<SlotRange> evenSlotShare(int shard, int shards);
std::string slotsText(const std::vector<SlotRange>& ranges);
// Empty when the text is not a list of ascending, disjoint ranges in 0-16383.
std::optional<std::vector<SlotRange>> parseSlots(const std::string& text);
int slotCount(const std::vector<SlotRange>& ranges);

}  // namespace kura::cache
