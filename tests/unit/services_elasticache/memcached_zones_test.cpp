// Where a Memcached cluster's nodes go, zone by zone (memcached_zones.h).
#include "services/elasticache/memcached_zones.h"

#include <gtest/gtest.h>

namespace kura::elasticache {
namespace {

using Zones = std::vector<std::string>;

const Zones kSubnet = {"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"};

std::string codeOf(const Result<Zones>& result) { return result ? "" : result.error().code; }

TEST(MemcachedZones, SingleAzPutsEveryNodeInTheClusterZone) {
  auto zones = zonesOfNewNodes({"", {}, 3}, {}, "ap-northeast-1c", kSubnet, "default");
  ASSERT_TRUE(zones);
  EXPECT_EQ(*zones, Zones(3, "ap-northeast-1c"));
  zones = zonesOfNewNodes({"single-az", {}, 2}, {"ap-northeast-1c"}, "ap-northeast-1c", kSubnet, "default");
  ASSERT_TRUE(zones);
  EXPECT_EQ(*zones, Zones(2, "ap-northeast-1c"));
}

TEST(MemcachedZones, CrossAzSpreadsFromTheClusterZoneToTheEmptiestZones) {
  auto zones = zonesOfNewNodes({"cross-az", {}, 4}, {}, "ap-northeast-1c", kSubnet, "default");
  ASSERT_TRUE(zones);
  EXPECT_EQ(*zones, (Zones{"ap-northeast-1c", "ap-northeast-1d", "ap-northeast-1a", "ap-northeast-1c"}));
  // Added beside nodes kept: the zones that have fewest first.
  zones = zonesOfNewNodes({"cross-az", {}, 2}, {"ap-northeast-1a", "ap-northeast-1a", "ap-northeast-1c"},
                          "ap-northeast-1a", kSubnet, "default");
  ASSERT_TRUE(zones);
  EXPECT_EQ(*zones, (Zones{"ap-northeast-1d", "ap-northeast-1c"}));
}

TEST(MemcachedZones, NamedZonesAreTakenAsGivenOnceChecked) {
  Zones named = {"ap-northeast-1d", "ap-northeast-1a"};
  auto zones = zonesOfNewNodes({"", named, 2}, {}, "ap-northeast-1d", kSubnet, "default");
  ASSERT_TRUE(zones);
  EXPECT_EQ(*zones, named);
  EXPECT_EQ(codeOf(zonesOfNewNodes({"", named, 3}, {}, "ap-northeast-1d", kSubnet, "default")),
            "InvalidParameterValue");  // one zone a node
  EXPECT_EQ(codeOf(zonesOfNewNodes({"", {"ap-northeast-1b", "ap-northeast-1a"}, 2}, {}, "ap-northeast-1a", kSubnet,
                                   "default")),
            "InvalidVPCNetworkStateFault");  // not one of the group's zones
  EXPECT_EQ(codeOf(zonesOfNewNodes({"single-az", named, 2}, {}, "ap-northeast-1d", kSubnet, "default")),
            "InvalidParameterCombination");  // single-az, several zones
}

TEST(MemcachedZones, ModesAreCheckedAsElastiCacheChecksThem) {
  EXPECT_EQ(codeOf(zonesOfNewNodes({"cross-az", {}, 1}, {}, "ap-northeast-1a", kSubnet, "default")),
            "InvalidParameterValue");  // cross-az needs two nodes
  EXPECT_EQ(codeOf(zonesOfNewNodes({"both", {}, 2}, {}, "ap-northeast-1a", kSubnet, "default")),
            "InvalidParameterValue");
  EXPECT_EQ(codeOf(zonesOfNewNodes({"single-az", {}, 1}, {"ap-northeast-1a", "ap-northeast-1c"}, "ap-northeast-1a",
                                   kSubnet, "default")),
            "InvalidParameterCombination");  // its nodes are in several zones already
}

TEST(MemcachedZones, AClusterShowsMultipleWhenItsNodesSpanZones) {
  Resource cluster;
  cluster.spec = {{"PreferredAvailabilityZone", "ap-northeast-1a"}};
  cluster.state = {{"Nodes", {{"0001", {{"Port", 1}}}, {"0002", {{"Port", 2}, {"AvailabilityZone", "ap-northeast-1a"}}}}}};
  EXPECT_EQ(memcachedClusterZone(cluster), "ap-northeast-1a");
  EXPECT_EQ(memcachedNodeZone(cluster, "0001"), "ap-northeast-1a");  // recorded before zones were per node
  cluster.state["Nodes"]["0002"]["AvailabilityZone"] = "ap-northeast-1c";
  EXPECT_EQ(memcachedClusterZone(cluster), "Multiple");
  EXPECT_EQ(memcachedNodeZones(cluster, {"0002"}), Zones{"ap-northeast-1a"});
}

}  // namespace
}  // namespace kura::elasticache
