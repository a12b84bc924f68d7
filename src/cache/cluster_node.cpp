#include "cache/cluster_node.h"

#include <fmt/format.h>

#include <mutex>

namespace kura::cache {

std::string clusterNodeSettings(const Resource& group, const std::string& member) {
  const nlohmann::json& node = group.state["Members"][member];
  std::string address = group.state.value("Address", "127.0.0.1");
  int port = node.value("Port", 0);
  int bus = node.value("BusPort", 0);
  return fmt::format(
      // Loopback only: clients come through the proxy, the nodes through
      // the internal links; the bus is never on the host's address.
      "bind 127.0.0.1 {}\n"
      "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout {}\n"
      "cluster-port {}\ncluster-announce-ip {}\ncluster-announce-port {}\ncluster-announce-bus-port {}\n"
      "cluster-announce-hostname {}\ncluster-preferred-endpoint-type hostname\n"
      // A shard that lost every node leaves the others serving; a replica
      // takes over however long its link was down; replicas stay in their
      // node group, as ElastiCache's do.
      "cluster-require-full-coverage no\ncluster-replica-validity-factor 0\n"
      "cluster-allow-replica-migration no\ncluster-migration-barrier 999\n"
      // The bus stays plaintext on loopback with in-transit encryption
      // too (Kura's node certificates are for servers; the bus would need
      // client ones); the announced port is the proxy's either way, where
      // TLS clients and replicas pass through to the TLS port.
      "tls-cluster no\n",
      kClusterInternalAddress, kClusterNodeTimeoutMs, bus, kClusterInternalAddress, port, bus, address);
}

engines::RedisLayout clusterMemberLayout(const Resource& group, const std::string& member, const CachePaths& paths) {
  engines::RedisLayout layout = memberLayout(group, member, paths);
  layout.replicaOf = 0;  // the cluster's
  layout.clusterSettings = clusterNodeSettings(group, member);
  layout.busPort = group.state["Members"][member].value("BusPort", 0);
  return layout;
}

EndpointProxies& clusterLinks() {
  static EndpointProxies links(kClusterInternalAddress);
  static std::once_flag started;
  std::call_once(started, [] { links.start(); });
  return links;
}

}  // namespace kura::cache
