#include "cache/node_endpoints.h"

#include <vector>

#include "cache/memcached_discovery.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

struct NodeEndpoint {
  std::string name;
  int port = 0;        // what clients connect to
  int enginePort = 0;  // where the engine listens
};

// The node endpoints of `resource` that the proxy serves.
std::vector<NodeEndpoint> proxiedNodes(const Resource& resource) {
  std::vector<NodeEndpoint> nodes;
  auto add = [&](const std::string& name, const nlohmann::json& node) {
    if (node.contains("EnginePort")) nodes.push_back({name, node.value("Port", 0), node.value("EnginePort", 0)});
  };
  if (resource.kind == elasticache::kReplicationGroup) {
    if (resource.state.contains("Members")) {
      for (const auto& [member, node] : resource.state["Members"].items()) add(resource.arn + "#" + member, node);
    }
  } else if (resource.state.contains("Nodes")) {  // Memcached
    for (const auto& [id, node] : resource.state["Nodes"].items()) add(resource.arn + "#" + id, node);
  } else {
    add(resource.arn, resource.state);
  }
  return nodes;
}

}  // namespace

int enginePortOf(const nlohmann::json& node) { return node.value("EnginePort", node.value("Port", 0)); }

Result<bool> NodeEndpoints::route(const Resource& resource) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  try {
    // A Memcached node's clients pass through its Auto Discovery filter
    // (memcached_discovery.h), but for TLS, which it cannot read.
    bool discovery = resource.kind == elasticache::kCluster && resource.state.contains("Nodes") &&
                     !resource.spec.value("TransitEncryptionEnabled", false);
    std::string config = discovery ? memcachedClusterConfig(resource) : "";
    for (const NodeEndpoint& node : proxiedNodes(resource)) {
      auto backend = static_cast<unsigned short>(node.enginePort);
      if (discovery) backend = MemcachedDiscovery::instance().serve(node.name, backend, config);
      proxies_->route(node.name, static_cast<unsigned short>(node.port), backend);
    }
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on a node's endpoint port: ") + error.what());
  }
  return true;
}

void NodeEndpoints::forget(const Resource& resource) {
  if (proxies_ == nullptr) return;
  bool memcached = resource.kind == elasticache::kCluster && resource.state.contains("Nodes");
  for (const NodeEndpoint& node : proxiedNodes(resource)) {
    proxies_->remove(node.name);
    if (memcached) MemcachedDiscovery::instance().forget(node.name);
  }
}

void NodeEndpoints::forgetNode(const Resource& resource, const std::string& node) {
  if (proxies_ == nullptr) return;
  bool redisNode = resource.kind == elasticache::kCluster && !resource.state.contains("Nodes");
  proxies_->remove(redisNode ? resource.arn : resource.arn + "#" + node);
  if (!redisNode) MemcachedDiscovery::instance().forget(resource.arn + "#" + node);
}

}  // namespace kura::cache
