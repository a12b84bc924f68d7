#include "services/rds/zone_choice.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

const std::vector<std::string> kGroupZones = {"ap-northeast-1a", "ap-northeast-1c"};

TEST(ZoneChoice, TakesTheGroupsFirstZoneWhenNoneIsAsked) {
  auto placement = placeInZones(kGroupZones, "", false);
  ASSERT_TRUE(placement.ok());
  EXPECT_EQ(placement->primary, "ap-northeast-1a");
  EXPECT_TRUE(placement->secondary.empty());
}

TEST(ZoneChoice, KeepsTheAskedZoneOfTheGroup) {
  auto placement = placeInZones(kGroupZones, "ap-northeast-1c", false);
  ASSERT_TRUE(placement.ok());
  EXPECT_EQ(placement->primary, "ap-northeast-1c");
}

TEST(ZoneChoice, RefusesAZoneOutsideTheGroup) {
  auto placement = placeInZones(kGroupZones, "ap-northeast-1b", false);
  ASSERT_FALSE(placement.ok());
  EXPECT_EQ(placement.error().code, "InvalidParameterCombination");
  EXPECT_NE(placement.error().message.find("ap-northeast-1b"), std::string::npos);
}

TEST(ZoneChoice, PutsAMultiAzStandbyInAnotherZoneOfTheGroup) {
  auto placement = placeInZones(kGroupZones, "ap-northeast-1c", true);
  ASSERT_TRUE(placement.ok());
  EXPECT_EQ(placement->primary, "ap-northeast-1c");
  EXPECT_EQ(placement->secondary, "ap-northeast-1a");
  // Never the region's third zone, which the group does not have.
  auto fromFirst = placeInZones(kGroupZones, "", true);
  ASSERT_TRUE(fromFirst.ok());
  EXPECT_EQ(fromFirst->secondary, "ap-northeast-1c");
}

TEST(ZoneChoice, KeepsTheStandbysZoneWhileTheGroupHasIt) {
  std::vector<std::string> three = {"us-east-1a", "us-east-1b", "us-east-1c"};
  auto placement = placeInZones(three, "us-east-1a", true, "us-east-1c");
  ASSERT_TRUE(placement.ok());
  EXPECT_EQ(placement->secondary, "us-east-1c");
  auto moved = placeInZones(kGroupZones, "ap-northeast-1a", true, "ap-northeast-1b");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->secondary, "ap-northeast-1c");
}

TEST(ZoneChoice, MultiAzNeedsTwoZones) {
  auto placement = placeInZones({"eu-west-1a"}, "", true);
  ASSERT_FALSE(placement.ok());
  EXPECT_EQ(placement.error().code, "DBSubnetGroupDoesNotCoverEnoughAZs");
  EXPECT_TRUE(placeInZones({"eu-west-1a"}, "", false).ok());
}

TEST(ZoneChoice, AGroupWithoutSubnetsPlacesNothing) {
  auto placement = placeInZones({}, "", false);
  ASSERT_FALSE(placement.ok());
  EXPECT_EQ(placement.error().code, "InvalidVPCNetworkStateFault");
}

}  // namespace
}  // namespace kura::rds
