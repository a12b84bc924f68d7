#include "cache/node_type_change.h"

#include <gtest/gtest.h>

namespace kura::cache {
namespace {

Resource redisOf(const std::string& nodeType) {
  Resource owner;
  owner.name = "shrink";
  owner.spec = {{"Engine", "redis"}, {"EngineVersion", "7.0"}, {"CacheNodeType", nodeType}};
  return owner;
}

TEST(NodeTypeChange, ASmallerTypeIsHeldAndALargerOneTakenAtOnce) {
  Resource owner = redisOf("cache.t3.small");
  changeNodeType(owner, "cache.t3.micro", SystemTime{});
  EXPECT_EQ(owner.spec["CacheNodeType"], "cache.t3.small");
  EXPECT_EQ(heldScaleDown(owner), "cache.t3.micro");
  EXPECT_TRUE(owner.state.contains("ScaleDownSince"));
  EXPECT_FALSE(owner.state.contains("ParametersToApply"));
  // The current type again: the held change is dropped.
  changeNodeType(owner, "cache.t3.small", SystemTime{});
  EXPECT_EQ(heldScaleDown(owner), "");
  EXPECT_FALSE(owner.state.contains("ScaleDownSince"));
  changeNodeType(owner, "cache.t3.micro", SystemTime{});
  // A larger one: at once, and it drops the held one.
  changeNodeType(owner, "cache.m7g.large", SystemTime{});
  EXPECT_EQ(owner.spec["CacheNodeType"], "cache.m7g.large");
  EXPECT_EQ(heldScaleDown(owner), "");
  EXPECT_TRUE(owner.state.value("ParametersToApply", false));
}

TEST(NodeTypeChange, AsMuchMemoryUnderAnotherNameIsNoScaleDown) {
  Resource owner = redisOf("cache.t3.micro");
  EXPECT_FALSE(scalesDown(owner, "cache.t4g.micro"));
  EXPECT_TRUE(scalesDown(redisOf("cache.m7g.large"), "cache.t3.small"));
  // From a type without a size (unbounded), every sized type is smaller.
  EXPECT_TRUE(scalesDown(redisOf("cache.unsized"), "cache.t3.micro"));
}

TEST(NodeTypeChange, UsedMemoryIsReadFromInfo) {
  EXPECT_EQ(usedMemoryIn("# Memory\r\nused_memory:5579416\r\nused_memory_human:5.32M\r\n"), 5579416u);
  EXPECT_EQ(usedMemoryIn("# Memory\r\nused_memory_rss:11218944\r\nused_memory:42\r\n"), 42u);
  EXPECT_EQ(usedMemoryIn("# Memory\r\nused_memory:42"), 42u);
  EXPECT_FALSE(usedMemoryIn("# Memory\r\nused_memory_rss:11218944\r\n"));
  EXPECT_FALSE(usedMemoryIn("# Memory\r\nused_memory:\r\n"));
  EXPECT_FALSE(usedMemoryIn("# Memory\r\nused_memory:12x\r\n"));
  EXPECT_FALSE(usedMemoryIn("# Memory\r\nused_memory:99999999999999999999999\r\n"));
}

}  // namespace
}  // namespace kura::cache
