#include "cache/cluster_slots.h"

#include <gtest/gtest.h>

namespace kura::cache {
namespace {

TEST(ClusterSlots, SharedAsElastiCacheHandsThemOut) {
  EXPECT_EQ(slotsText(evenSlotShare(0, 1)), "0-16383");
  EXPECT_EQ(slotsText(evenSlotShare(0, 2)), "0-8191");
  EXPECT_EQ(slotsText(evenSlotShare(1, 2)), "8192-16383");
  // The first node groups take one more when they do not divide.
  EXPECT_EQ(slotsText(evenSlotShare(0, 3)), "0-5461");
  EXPECT_EQ(slotsText(evenSlotShare(1, 3)), "5462-10922");
  EXPECT_EQ(slotsText(evenSlotShare(2, 3)), "10923-16383");
  int total = 0;
  for (int i = 0; i < 7; ++i) total += slotCount(evenSlotShare(i, 7));
  EXPECT_EQ(total, kClusterSlots);
}

TEST(ClusterSlots, ParsesRangesAndRefusesBadOnes) {
  auto ranges = parseSlots("0-100,200,300-16383");
  ASSERT_TRUE(ranges);
  EXPECT_EQ(slotsText(*ranges), "0-100,200,300-16383");
  EXPECT_EQ(slotCount(*ranges), 101 + 1 + 16084);
  for (const char* bad : {"", "5-1", "0-16384", "a-b", "0-10,5-20", "-1", "0-", "1,,2", "100000"}) {
    EXPECT_FALSE(parseSlots(bad)) << bad;
  }
}

}  // namespace
}  // namespace kura::cache
