#pragma once
// The memory of an ElastiCache node type, as ElastiCache's table of
// node-type-specific parameters gives Redis's maxmemory for it (bytes).
// A Redis node runs with maxmemory = that × (100 − reserved-memory-percent)
// / 100, as on ElastiCache; a type missing here runs without maxmemory.
#include <cstdint>
#include <optional>
#include <string_view>

namespace kura::cache {

std::optional<uint64_t> nodeTypeMaxMemory(std::string_view nodeType);

}  // namespace kura::cache
