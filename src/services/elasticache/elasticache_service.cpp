#include "services/elasticache/elasticache_service.h"

#include "catalog/pagination.h"
#include "common/time_format.h"

namespace kura {
namespace {

constexpr const char* kCluster = "cache-cluster";
constexpr const char* kReplicationGroup = "replication-group";
constexpr const char* kSnapshot = "cache-snapshot";

class ElastiCacheService final : public ServiceModule {
 public:
  explicit ElastiCacheService(Catalog& catalog) : catalog_(catalog) {
    handlers_.add("DescribeCacheClusters", [this](const RequestContext& c, const Json& in) {
      return describe(c, in, kCluster, "CacheClusterId", "CacheClusters", "CacheClusterNotFound", "CacheCluster");
    });
    handlers_.add("DescribeReplicationGroups", [this](const RequestContext& c, const Json& in) {
      return describe(c, in, kReplicationGroup, "ReplicationGroupId", "ReplicationGroups",
                      "ReplicationGroupNotFoundFault", "ReplicationGroup");
    });
    handlers_.add("DescribeSnapshots", [this](const RequestContext& c, const Json& in) {
      return describe(c, in, kSnapshot, "SnapshotName", "Snapshots", "SnapshotNotFoundFault", "Snapshot");
    });
    handlers_.add("DescribeEvents", [this](const RequestContext& c, const Json& in) { return describeEvents(c, in); });
  }
  std::string signingName() const override { return "elasticache"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  Result<Json> describe(const RequestContext& c, const Json& in, const char* kind, const char* idMember,
                        const char* listMember, const char* notFound, const char* noun) {
    size_t limit = 100;
    if (in.contains("MaxRecords")) {
      int64_t requested = in["MaxRecords"];
      if (requested < 20 || requested > 100) {
        return ApiError::sender("InvalidParameterValue", "MaxRecords must be between 20 and 100.");
      }
      limit = static_cast<size_t>(requested);
    }
    std::string after;
    if (in.contains("Marker")) {
      auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
      if (!decoded) return decoded.error();
      after = *decoded;
    }
    Json out = {{listMember, Json::array()}};
    if (in.contains(idMember)) {
      auto found = catalog_.getResource(c.accountId, c.region, kind, in[idMember]);
      if (!found) return ApiError::sender(notFound, std::string(noun) + " " + in[idMember].get<std::string>() + " not found.", 404);
      out[listMember].push_back(found->state);
      return out;
    }
    ResourcePage page = catalog_.listResources(c.accountId, c.region, kind, after, limit);
    for (const Resource& r : page.items) out[listMember].push_back(r.state);
    if (page.truncated && !page.items.empty()) out["Marker"] = encodeAfterName(page.items.back().name);
    return out;
  }

  Result<Json> describeEvents(const RequestContext& c, const Json& in) {
    kura::EventQuery query;
    if (in.contains("SourceType")) query.sourceType = in["SourceType"].get<std::string>();
    if (in.contains("SourceIdentifier")) query.sourceId = in["SourceIdentifier"].get<std::string>();
    query.startTime = catalog_.clock()->now() - std::chrono::minutes(in.value("Duration", 60));
    EventPage page = catalog_.listEvents(c.accountId, c.region, query);
    Json out = {{"Events", Json::array()}};
    for (const Event& e : page.items) {
      if (e.sourceArn.rfind("arn:aws:elasticache:", 0) != 0) continue;
      out["Events"].push_back({{"SourceIdentifier", e.sourceId}, {"SourceType", e.sourceType},
                               {"Message", e.message}, {"Date", toEpochSeconds(e.date)}});
    }
    return out;
  }

  Catalog& catalog_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeElastiCacheService(Catalog& catalog) { return std::make_unique<ElastiCacheService>(catalog); }

}  // namespace kura
