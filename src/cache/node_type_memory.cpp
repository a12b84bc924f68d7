#include "cache/node_type_memory.h"

#include <utility>

namespace kura::cache {
namespace {

// Sorted by name.
constexpr std::pair<std::string_view, uint64_t> kMaxMemory[] = {
    {"cache.m5.large", 6854542746},    {"cache.m5.xlarge", 13891921715}, {"cache.m6g.large", 6854542746},
    {"cache.m6g.xlarge", 13891921715}, {"cache.r5.large", 14037181030},  {"cache.r5.xlarge", 28261849702},
    {"cache.r6g.large", 14037181030},  {"cache.r6g.xlarge", 28261849702}, {"cache.t2.medium", 3461349376},
    {"cache.t2.micro", 581959680},     {"cache.t2.small", 1665138688},   {"cache.t3.medium", 3317862236},
    {"cache.t3.micro", 536870912},     {"cache.t3.small", 1471026299},   {"cache.t4g.medium", 3317862236},
    {"cache.t4g.micro", 536870912},    {"cache.t4g.small", 1471026299},
};

}  // namespace

std::optional<uint64_t> nodeTypeMaxMemory(std::string_view nodeType) {
  for (const auto& [name, bytes] : kMaxMemory) {
    if (name == nodeType) return bytes;
  }
  return std::nullopt;
}

std::optional<uint64_t> nodeTypeMemoryBound(std::string_view nodeType) {
  auto memory = nodeTypeMaxMemory(nodeType);
  if (!memory) return std::nullopt;
  return *memory + kNodeProcessOverhead;
}

}  // namespace kura::cache
