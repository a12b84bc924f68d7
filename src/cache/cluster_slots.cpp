#include "cache/cluster_slots.h"

#include <cctype>
#include <sstream>

namespace kura::cache {

std::vector<SlotRange> evenSlotShare(int shard, int shards) {
  int base = kClusterSlots / shards;
  int extra = kClusterSlots % shards;
  int first = shard * base + std::min(shard, extra);
  int count = base + (shard < extra ? 1 : 0);
  return {{first, first + count - 1}};
}

std::string slotsText(const std::vector<SlotRange>& ranges) {
  std::string text;
  for (const auto& [first, last] : ranges) {
    if (!text.empty()) text += ",";
    text += first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
  }
  return text;
}

std::optional<std::vector<SlotRange>> parseSlots(const std::string& text) {
  std::vector<SlotRange> ranges;
  std::istringstream parts(text);
  int previous = -1;
  for (std::string part; std::getline(parts, part, ',');) {
    size_t dash = part.find('-');
    std::string a = part.substr(0, dash);
    std::string b = dash == std::string::npos ? a : part.substr(dash + 1);
    auto number = [](const std::string& s) -> int {
      if (s.empty() || s.size() > 5) return -1;
      for (char ch : s) {
        if (!std::isdigit(static_cast<unsigned char>(ch))) return -1;
      }
      return std::stoi(s);
    };
    int first = number(a);
    int last = number(b);
    if (first < 0 || last < first || last >= kClusterSlots || first <= previous) return std::nullopt;
    ranges.emplace_back(first, last);
    previous = last;
  }
  if (ranges.empty()) return std::nullopt;
  return ranges;
}

int slotCount(const std::vector<SlotRange>& ranges) {
  int count = 0;
  for (const auto& [first, last] : ranges) count += last - first + 1;
  return count;
}

}  // namespace kura::cache
