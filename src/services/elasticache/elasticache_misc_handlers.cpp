#include "catalog/event_query_input.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/elasticache/unsupported_members.h"
#include "services/rds/rds_api.h"

namespace kura::elasticache {

ElastiCacheApi::ElastiCacheApi(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                               ElastiCacheConfig config)
    : catalog_(catalog), reconciler_(reconciler), ports_(ports), config_(std::move(config)) {}

void ElastiCacheApi::registerHandlers(HandlerTable& table) {
  auto bind = [&](const char* operation, Result<Json> (ElastiCacheApi::*method)(const RequestContext&, const Json&)) {
    table.add(operation, [this, method](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto refused = refuseUnsupportedMembers(in)) return *refused;
      return (this->*method)(c, in);
    });
  };
  bind("CreateCacheCluster", &ElastiCacheApi::createCluster);
  bind("DescribeCacheClusters", &ElastiCacheApi::describeClusters);
  bind("ModifyCacheCluster", &ElastiCacheApi::modifyCluster);
  bind("DeleteCacheCluster", &ElastiCacheApi::deleteCluster);
  bind("RebootCacheCluster", &ElastiCacheApi::rebootCluster);
  bind("CreateSnapshot", &ElastiCacheApi::createSnapshot);
  bind("DescribeSnapshots", &ElastiCacheApi::describeSnapshots);
  bind("DeleteSnapshot", &ElastiCacheApi::deleteSnapshot);
  bind("CopySnapshot", &ElastiCacheApi::copySnapshot);
  bind("DescribeEvents", &ElastiCacheApi::describeEvents);
  bind("CreateReplicationGroup", &ElastiCacheApi::createReplicationGroup);
  bind("DescribeReplicationGroups", &ElastiCacheApi::describeReplicationGroups);
  bind("ModifyReplicationGroup", &ElastiCacheApi::modifyReplicationGroup);
  bind("DeleteReplicationGroup", &ElastiCacheApi::deleteReplicationGroup);
  bind("TestFailover", &ElastiCacheApi::testFailover);
  bind("ListAllowedNodeTypeModifications", &ElastiCacheApi::listAllowedNodeTypeModifications);
  bind("ModifyReplicationGroupShardConfiguration", &ElastiCacheApi::modifyShardConfiguration);
  bind("IncreaseReplicaCount", &ElastiCacheApi::increaseReplicaCount);
  bind("DecreaseReplicaCount", &ElastiCacheApi::decreaseReplicaCount);
  bind("AddTagsToResource", &ElastiCacheApi::addTags);
  bind("RemoveTagsFromResource", &ElastiCacheApi::removeTags);
  bind("ListTagsForResource", &ElastiCacheApi::listTags);
  bind("DescribeCacheEngineVersions", &ElastiCacheApi::describeEngineVersions);
  bind("CreateUser", &ElastiCacheApi::createUser);
  bind("DescribeUsers", &ElastiCacheApi::describeUsers);
  bind("ModifyUser", &ElastiCacheApi::modifyUser);
  bind("DeleteUser", &ElastiCacheApi::deleteUser);
  bind("CreateUserGroup", &ElastiCacheApi::createUserGroup);
  bind("DescribeUserGroups", &ElastiCacheApi::describeUserGroups);
  bind("ModifyUserGroup", &ElastiCacheApi::modifyUserGroup);
  bind("DeleteUserGroup", &ElastiCacheApi::deleteUserGroup);
}

Result<Json> ElastiCacheApi::describeEvents(const RequestContext& c, const Json& in) {
  auto query = eventQueryOf(in, catalog_.clock()->now());
  if (!query) return query.error();
  EventPage page = catalog_.listEvents(c.accountId, c.region, *query);
  Json out = {{"Events", Json::array()}};
  for (const Event& e : page.items) {
    if (e.sourceArn.rfind("arn:aws:elasticache:", 0) != 0) continue;
    out["Events"].push_back({{"SourceIdentifier", e.sourceId}, {"SourceType", e.sourceType},
                             {"Message", e.message}, {"Date", toEpochSeconds(e.date)}});
  }
  if (auto marker = nextEventMarker(page)) out["Marker"] = *marker;
  return out;
}

Result<Json> ElastiCacheApi::addTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId || resource->service != kService) {
    return ApiError::sender("InvalidARN", "The ARN " + arn + " names no ElastiCache resource.");
  }
  catalog_.addTags(arn, rds::tagsFromInput(in));
  return listTags(c, in);
}

Result<Json> ElastiCacheApi::removeTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId || resource->service != kService) {
    return ApiError::sender("InvalidARN", "The ARN " + arn + " names no ElastiCache resource.");
  }
  catalog_.removeTags(arn, in["TagKeys"].get<std::vector<std::string>>());
  return listTags(c, in);
}

Result<Json> ElastiCacheApi::listTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId || resource->service != kService) {
    return ApiError::sender("InvalidARN", "The ARN " + arn + " names no ElastiCache resource.");
  }
  Json tags = Json::array();
  for (const Tag& tag : catalog_.listTags(arn)) tags.push_back({{"Key", tag.key}, {"Value", tag.value}});
  return Json{{"TagList", tags}};
}

Result<Json> ElastiCacheApi::describeEngineVersions(const RequestContext&, const Json& in) {
  // Honest about what this host runs: the installed Redis and memcached.
  Json out = {{"CacheEngineVersions", Json::array()}};
  std::string engine = in.value("Engine", "");
  auto offer = [&](const std::string& name, const std::string& version, const std::string& installed,
                   const std::string& family, const std::string& description) {
    if (installed.empty() || (!engine.empty() && engine != name)) return;
    if (in.contains("EngineVersion") && in["EngineVersion"] != version && in["EngineVersion"] != installed) return;
    if (in.contains("CacheParameterGroupFamily") && in["CacheParameterGroupFamily"] != family) return;
    out["CacheEngineVersions"].push_back({{"Engine", name},
                                           {"EngineVersion", version},
                                           {"CacheParameterGroupFamily", family},
                                           {"CacheEngineDescription", description},
                                           {"CacheEngineVersionDescription",
                                            name + " version " + installed + " (installed on this host)"}});
  };
  std::string redis = redisMajorMinor();
  offer("redis", redis, config_.redisVersion, "redis" + redis.substr(0, redis.find('.')), "Redis");
  const std::string& memcached = config_.memcachedVersion;
  offer("memcached", memcached, memcached, "memcached" + memcached.substr(0, memcached.rfind('.')), "memcached");
  return out;
}

}  // namespace kura::elasticache
