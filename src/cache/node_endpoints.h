#pragma once
// The endpoints of cache nodes: a Redis cache cluster's node, each node of
// a Memcached cluster, each member of a replication group (its
// ReadEndpoint). Kura's proxy owns the port a node's endpoint shows, where
// the resource's security groups admit connections, and forwards to the
// engine's own port (the node's EnginePort). A node recorded before Kura
// proxied them has none: its engine listens on the endpoint port itself
// and it is passed over.
//
// Endpoint names: the cluster's ARN for a Redis node, the ARN and "#<node>"
// for a Memcached node or a replication group member.
#include <string>

#include "catalog/records.h"
#include "common/api_error.h"
#include "proxy/endpoint_proxy.h"

namespace kura::cache {

// A node's engine port: its EnginePort, or the endpoint port for a node
// recorded without one.
int enginePortOf(const nlohmann::json& node);

class NodeEndpoints {
 public:
  explicit NodeEndpoints(EndpointProxies* proxies) : proxies_(proxies) {}
  // Routes every node endpoint of a cache cluster or replication group.
  Result<bool> route(const Resource& resource);
  // Stops serving them all, or one node's.
  void forget(const Resource& resource);
  void forgetNode(const Resource& resource, const std::string& node);

 private:
  EndpointProxies* proxies_;
};

}  // namespace kura::cache
