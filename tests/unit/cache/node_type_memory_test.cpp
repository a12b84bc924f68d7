#include "cache/node_type_memory.h"

#include <gtest/gtest.h>

namespace kura::cache {
namespace {

// A node's process may map its type's memory and the server's own
// overhead. A type missing from ElastiCache's table has none (the API
// refuses it: elasticache_validation.h).
TEST(NodeTypeMemoryTest, ABoundIsTheTypesMemoryAndTheOverhead) {
  ASSERT_EQ(nodeTypeMaxMemory("cache.t3.micro"), 536870912u);
  EXPECT_EQ(nodeTypeMemoryBound("cache.t3.micro"), 536870912u + kNodeProcessOverhead);
  EXPECT_EQ(nodeTypeMemoryBound("cache.r6g.xlarge"), 28261849702u + kNodeProcessOverhead);
  EXPECT_EQ(nodeTypeMaxMemory("cache.m7g.large"), 6854542746u);
  EXPECT_EQ(nodeTypeMaxMemory("cache.r8g.16xlarge"), 541725818880u);
  EXPECT_EQ(nodeTypeMaxMemory("cache.t1.micro"), 142606336u);
  EXPECT_EQ(nodeTypeMemoryBound("cache.x9.unheard"), std::nullopt);
  EXPECT_EQ(nodeTypeMemoryBound("cache.t3"), std::nullopt);
  EXPECT_EQ(nodeTypeMemoryBound(""), std::nullopt);
}

}  // namespace
}  // namespace kura::cache
