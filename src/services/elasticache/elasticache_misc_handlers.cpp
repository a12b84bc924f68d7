#include "catalog/event_query_input.h"
#include "common/time_format.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_api.h"

namespace kura::elasticache {

ElastiCacheApi::ElastiCacheApi(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                               ElastiCacheConfig config)
    : catalog_(catalog), reconciler_(reconciler), ports_(ports), config_(std::move(config)) {}

void ElastiCacheApi::registerHandlers(HandlerTable& table) {
  auto bind = [&](const char* operation, Result<Json> (ElastiCacheApi::*method)(const RequestContext&, const Json&)) {
    table.add(operation, [this, method](const RequestContext& c, const Json& in) { return (this->*method)(c, in); });
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
  bind("AddTagsToResource", &ElastiCacheApi::addTags);
  bind("RemoveTagsFromResource", &ElastiCacheApi::removeTags);
  bind("ListTagsForResource", &ElastiCacheApi::listTags);
  bind("DescribeCacheEngineVersions", &ElastiCacheApi::describeEngineVersions);
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
  // Honest about what this host runs: the installed Redis, nothing else.
  Json out = {{"CacheEngineVersions", Json::array()}};
  if (config_.redisVersion.empty() || in.value("Engine", "redis") != "redis") return out;
  std::string version = redisMajorMinor();
  std::string family = "redis" + version.substr(0, version.find('.'));
  if (in.contains("EngineVersion") && in["EngineVersion"] != version && in["EngineVersion"] != config_.redisVersion) {
    return out;
  }
  if (in.contains("CacheParameterGroupFamily") && in["CacheParameterGroupFamily"] != family) return out;
  out["CacheEngineVersions"].push_back({{"Engine", "redis"},
                                         {"EngineVersion", version},
                                         {"CacheParameterGroupFamily", family},
                                         {"CacheEngineDescription", "Redis"},
                                         {"CacheEngineVersionDescription",
                                          "redis version " + config_.redisVersion + " (installed on this host)"}});
  return out;
}

}  // namespace kura::elasticache
