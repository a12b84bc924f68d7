#pragma once
// The memory of an ElastiCache node type, as ElastiCache's table of
// node-type-specific parameters gives Redis's maxmemory for it (bytes).
// A Redis node runs with maxmemory = that × (100 − reserved-memory-percent)
// / 100, as on ElastiCache; a type missing here runs without maxmemory.
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <string_view>

namespace kura::cache {

std::optional<uint64_t> nodeTypeMaxMemory(std::string_view nodeType);
// Every node type of the table with its memory, sorted by name.
std::span<const std::pair<std::string_view, uint64_t>> nodeTypesWithMemory();

// What a node's process may map beyond its data: the server's code, thread
// stacks and buffers (an idle memcached maps about 400 MiB, Redis 60 MiB).
constexpr uint64_t kNodeProcessOverhead = 512ULL << 20;

// The address space a node of this type may map (its memory and the
// overhead); none for a type missing from the table, which runs unbounded.
std::optional<uint64_t> nodeTypeMemoryBound(std::string_view nodeType);

}  // namespace kura::cache
