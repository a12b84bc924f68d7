#include "cache/memcached_discovery.h"

#include <gtest/gtest.h>

namespace kura::cache {
namespace {

constexpr const char* kAnswer = "CONFIG cluster 0 3\r\n1\n\n\r\nEND\r\n";

DiscoveryStream stream() {
  return DiscoveryStream([] { return std::string(kAnswer); });
}

TEST(MemcachedDiscovery, ConfigOfACluster) {
  Resource cluster;
  cluster.state = {{"Address", "10.0.0.5"},
                   {"ConfigVersion", 4},
                   {"Nodes", {{"0001", {{"Port", 21001}}}, {"0003", {{"Port", 21003}}}}}};
  std::string body = "4\n10.0.0.5|10.0.0.5|21001 10.0.0.5|10.0.0.5|21003\n";
  EXPECT_EQ(memcachedClusterConfig(cluster),
            "CONFIG cluster 0 " + std::to_string(body.size()) + "\r\n" + body + "\r\nEND\r\n");
  raiseMemcachedConfigVersion(cluster);
  EXPECT_EQ(cluster.state["ConfigVersion"], 5);
}

TEST(MemcachedDiscovery, ConfigGetClusterBecomesANoOpAnsweredInItsPlace) {
  DiscoveryStream filter = stream();
  EXPECT_EQ(filter.fromClient("get a\r\nconfig get cluster\r\nmn\r\n"), "get a\r\nmn\r\nmn\r\n");
  EXPECT_EQ(filter.fromServer("VALUE a 0 4\r\nMN\r\n\r\nEND\r\nMN\r\nMN\r\n"),
            std::string("VALUE a 0 4\r\nMN\r\n\r\nEND\r\n") + kAnswer + "MN\r\n");
}

TEST(MemcachedDiscovery, DataBlocksAreNotReadAsCommands) {
  DiscoveryStream filter = stream();
  // Split anywhere: a command across reads, a data block holding the command.
  std::string in = "set k 0 0 20\r\nconfig get cluster\r\n\r\nms m 20\r\nconfig get cluster\r\n\r\nconfig get cluster\n";
  std::string out;
  for (char ch : in) out += filter.fromClient(std::string_view(&ch, 1));
  EXPECT_EQ(out, "set k 0 0 20\r\nconfig get cluster\r\n\r\nms m 20\r\nconfig get cluster\r\n\r\nmn\r\n");
}

TEST(MemcachedDiscovery, BinaryAndOverlongStreamsPassUntouched) {
  DiscoveryStream binary = stream();
  std::string request("\x80\x0b\x00\x00", 4);
  EXPECT_EQ(binary.fromClient(request + "config get cluster\r\n"), request + "config get cluster\r\n");
  DiscoveryStream longLine = stream();
  std::string junk(9000, 'x');
  EXPECT_EQ(longLine.fromClient(junk), junk);
  EXPECT_EQ(longLine.fromClient("\r\nconfig get cluster\r\n"), "\r\nconfig get cluster\r\n");
}

}  // namespace
}  // namespace kura::cache
