// A cache node's engine listens on 127.0.0.1 only, where Kura's proxy
// reaches it: on the endpoint's address it would be reached around the
// proxy, where the security groups admit clients (with a non-loopback
// host, memcached, which has no password, took anyone's reads and writes).
#include <gtest/gtest.h>

#include "cache/cache_paths.h"
#include "cache/memcached_nodes.h"
#include "engines/memcached_engine.h"
#include "engines/redis_engine.h"

namespace kura::cache {
namespace {

TEST(NodeListen, ProxiedRedisNodesBindLoopbackOnly) {
  CachePaths paths{"elasticache"};
  Resource group;
  group.name = "rg";
  group.state = {{"Address", "192.0.2.2"},
                 {"Primary", "rg-001"},
                 {"Members", {{"rg-001", {{"Port", 47504}, {"EnginePort", 47507}}},
                              {"rg-002", {{"Port", 47505}, {"EnginePort", 47508}}}}}};
  engines::RedisLayout primary = memberLayout(group, "rg-001", paths);
  EXPECT_FALSE(primary.exposed);
  EXPECT_EQ(primary.port, 47507);
  EXPECT_EQ(primary.address, "192.0.2.2");  // still what its certificate names
  EXPECT_EQ(engines::redisBindAddresses(primary), "127.0.0.1");
  EXPECT_EQ(engines::redisBindAddresses(memberLayout(group, "rg-002", paths)), "127.0.0.1");

  Resource cluster;
  cluster.name = "c1";
  cluster.state = {{"Address", "192.0.2.2"}, {"Port", 47510}, {"EnginePort", 47511}};
  EXPECT_EQ(engines::redisBindAddresses(nodeLayout(cluster, paths)), "127.0.0.1");
}

TEST(NodeListen, NodesRecordedBeforeTheProxyKeepTheirEndpoint) {
  CachePaths paths{"elasticache"};
  Resource cluster;
  cluster.name = "old";
  cluster.state = {{"Address", "192.0.2.2"}, {"Port", 47510}};
  engines::RedisLayout node = nodeLayout(cluster, paths);
  EXPECT_TRUE(node.exposed);
  EXPECT_EQ(node.port, 47510);
  EXPECT_EQ(engines::redisBindAddresses(node), "127.0.0.1 192.0.2.2");
  cluster.state["Address"] = "127.0.0.1";
  EXPECT_EQ(engines::redisBindAddresses(nodeLayout(cluster, paths)), "127.0.0.1");
}

TEST(NodeListen, MemcachedListensOnLoopbackUnlessRecordedBeforeTheProxy) {
  CachePaths paths{"elasticache"};
  Resource cluster;
  cluster.name = "m1";
  cluster.state = {{"Address", "192.0.2.2"},
                   {"Nodes", {{"0001", {{"Port", 47502}, {"EnginePort", 47503}}}, {"0002", {{"Port", 47520}}}}}};
  engines::MemcachedLayout proxied = memcachedLayout(cluster, "0001", paths);
  EXPECT_EQ(proxied.port, 47503);
  EXPECT_EQ(engines::memcachedListenAddress(proxied), "127.0.0.1");
  EXPECT_EQ(engines::memcachedListenAddress(memcachedLayout(cluster, "0002", paths)), "192.0.2.2");
}

}  // namespace
}  // namespace kura::cache
