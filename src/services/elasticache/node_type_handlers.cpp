// ListAllowedNodeTypeModifications: the node types a cluster or
// replication group may move to, as ElastiCache lists them: those that
// leave more memory (or as much) to scale up to, those that leave less to
// scale down to. A scale-down is then put into effect only where the data
// fits (cache/node_type_change.h).
#include "cache/node_type_memory.h"
#include "services/elasticache/elasticache_api.h"

namespace kura::elasticache {

Result<Json> ElastiCacheApi::listAllowedNodeTypeModifications(const RequestContext& c, const Json& in) {
  bool ofCluster = in.contains("CacheClusterId");
  if (ofCluster == in.contains("ReplicationGroupId")) {
    return ApiError::sender("InvalidParameterCombination",
                            "Exactly one of CacheClusterId and ReplicationGroupId is required.");
  }
  auto owner = ofCluster ? findCluster(c, in["CacheClusterId"]) : findGroup(c, in["ReplicationGroupId"]);
  if (!owner) return owner.error();
  std::string current = owner->spec.value("CacheNodeType", "");
  auto memory = cache::nodeTypeMaxMemory(current);
  Json out = {{"ScaleUpModifications", Json::array()}, {"ScaleDownModifications", Json::array()}};
  for (const auto& [name, bytes] : cache::nodeTypesWithMemory()) {
    if (name == current) continue;
    bool down = memory && bytes < *memory;
    out[down ? "ScaleDownModifications" : "ScaleUpModifications"].push_back(std::string(name));
  }
  return out;
}

}  // namespace kura::elasticache
