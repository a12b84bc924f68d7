#include "services/applicationautoscaling/cache_replicas.h"

#include <algorithm>

namespace kura {

Result<Json> CacheReplicas::group(const std::string& account, const std::string& region,
                                  const ScalableResource& target) {
  auto found = calls_.read(account, region, "DescribeReplicationGroups", {{"ReplicationGroupId", target.id}});
  if (!found) {
    if (found.error().code == "ReplicationGroupNotFoundFault") {
      return ApiError::sender("ValidationException", "Replication group does not exist: replication-group/" + target.id);
    }
    return found.error();
  }
  if ((*found)["ReplicationGroups"].empty()) {
    return ApiError::sender("ValidationException", "Replication group does not exist: replication-group/" + target.id);
  }
  return (*found)["ReplicationGroups"][0];
}

Result<int64_t> CacheReplicas::current(const std::string& account, const std::string& region,
                                       const ScalableResource& target) {
  auto found = group(account, region, target);
  if (!found) return found.error();
  const Json nodeGroups = found->value("NodeGroups", Json::array());
  if (target.kind == ScalableKind::CacheNodeGroups) return static_cast<int64_t>(nodeGroups.size());
  int64_t fewest = -1;
  for (const Json& nodeGroup : nodeGroups) {
    auto replicas = static_cast<int64_t>(nodeGroup.value("NodeGroupMembers", Json::array()).size()) - 1;
    fewest = fewest < 0 ? replicas : std::min(fewest, replicas);
  }
  return std::max<int64_t>(fewest, 0);
}

Result<bool> CacheReplicas::set(const std::string& account, const std::string& region,
                                const ScalableResource& target, int64_t count) {
  auto found = group(account, region, target);
  if (!found) return found.error();
  auto have = current(account, region, target);
  if (!have) return have.error();
  if (*have == count) return true;
  Json input = {{"ReplicationGroupId", target.id}, {"ApplyImmediately", true}};
  std::string operation;
  if (target.kind == ScalableKind::CacheReplicas) {
    operation = count > *have ? "IncreaseReplicaCount" : "DecreaseReplicaCount";
    input["NewReplicaCount"] = count;
  } else {
    operation = "ModifyReplicationGroupShardConfiguration";
    input["NodeGroupCount"] = count;
    if (count < *have) {
      std::vector<std::string> ids;
      for (const Json& nodeGroup : found->value("NodeGroups", Json::array())) ids.push_back(nodeGroup["NodeGroupId"]);
      std::sort(ids.begin(), ids.end());
      input["NodeGroupsToRemove"] = std::vector<std::string>(ids.end() - (*have - count), ids.end());
    }
  }
  auto changed = calls_.change(account, region, operation, input);
  if (!changed) return changed.error();
  return true;
}

}  // namespace kura
