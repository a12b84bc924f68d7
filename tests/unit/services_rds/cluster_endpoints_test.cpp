// Which instances a custom endpoint of an Aurora cluster holds, and the
// loopback address each gets (cluster_endpoints.h).
#include "services/rds/cluster_endpoints.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

Resource endpointWith(nlohmann::json spec, std::string address = "") {
  Resource endpoint;
  endpoint.name = "e";
  endpoint.spec = std::move(spec);
  endpoint.spec["ClusterArn"] = "arn:aws:rds:ap-northeast-1:000000000000:cluster:c";
  endpoint.state["Address"] = std::move(address);
  return endpoint;
}

TEST(ClusterEndpoints, StaticMembersAloneOrAllButTheExcluded) {
  Resource fixed = endpointWith({{"Static", true}, {"StaticMembers", {"c-2"}}, {"ExcludedMembers", nlohmann::json::array()}});
  EXPECT_TRUE(customEndpointHas(fixed, "c-2"));
  EXPECT_FALSE(customEndpointHas(fixed, "c-1"));
  Resource excluding = endpointWith({{"Static", false}, {"StaticMembers", nlohmann::json::array()}, {"ExcludedMembers", {"c-2"}}});
  EXPECT_FALSE(customEndpointHas(excluding, "c-2"));
  EXPECT_TRUE(customEndpointHas(excluding, "c-1"));
  EXPECT_TRUE(customEndpointHas(excluding, "added-later"));
  // A static endpoint whose members have all gone holds none, not all.
  Resource emptied = endpointWith({{"Static", true}, {"StaticMembers", nlohmann::json::array()}});
  EXPECT_FALSE(customEndpointHas(emptied, "c-1"));
  // Neither list: every instance.
  EXPECT_TRUE(customEndpointHas(endpointWith(nlohmann::json::object()), "c-1"));
}

TEST(ClusterEndpoints, EachGetsALoopbackAddressOfItsOwn) {
  EXPECT_EQ(freeCustomEndpointAddress({}), "127.77.0.1");
  std::vector<Resource> taken = {endpointWith({}, "127.77.0.1"), endpointWith({}, "127.77.0.3")};
  EXPECT_EQ(freeCustomEndpointAddress(taken), "127.77.0.2");
  taken.push_back(endpointWith({}, "127.77.0.2"));
  EXPECT_EQ(freeCustomEndpointAddress(taken), "127.77.0.4");
  std::vector<Resource> full;
  for (int third = 0; third <= 255; ++third) {
    for (int fourth = 1; fourth <= 254; ++fourth) {
      full.push_back(endpointWith({}, "127.77." + std::to_string(third) + "." + std::to_string(fourth)));
    }
  }
  EXPECT_EQ(freeCustomEndpointAddress(full), std::nullopt);
}

}  // namespace
}  // namespace kura::rds
