#include "cache/node_type_memory.h"

#include <gtest/gtest.h>

namespace kura::cache {
namespace {

// A node's process may map its type's memory and the server's own
// overhead; a type Kura has no memory for is not bounded (nor given a
// maxmemory): operators who must bound every node allow only listed types
// (the elasticache:CacheNodeType condition key).
TEST(NodeTypeMemoryTest, ABoundIsTheTypesMemoryAndTheOverhead) {
  ASSERT_EQ(nodeTypeMaxMemory("cache.t3.micro"), 536870912u);
  EXPECT_EQ(nodeTypeMemoryBound("cache.t3.micro"), 536870912u + kNodeProcessOverhead);
  EXPECT_EQ(nodeTypeMemoryBound("cache.r6g.xlarge"), 28261849702u + kNodeProcessOverhead);
  EXPECT_EQ(nodeTypeMemoryBound("cache.x9.unheard"), std::nullopt);
  EXPECT_EQ(nodeTypeMemoryBound(""), std::nullopt);
}

}  // namespace
}  // namespace kura::cache
