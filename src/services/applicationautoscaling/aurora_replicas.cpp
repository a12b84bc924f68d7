#include "services/applicationautoscaling/aurora_replicas.h"

#include <algorithm>

#include "common/ids.h"

namespace kura {
namespace {

constexpr const char* kPrefix = "application-autoscaling-";
constexpr const char* kTag = "application-autoscaling:resourceId";

ApiError missing(const ScalableResource& target) {
  return ApiError::sender("ValidationException", "Aurora cluster does not exist: cluster:" + target.id);
}

bool leaving(const Json& instance) {
  std::string status = instance.value("DBInstanceStatus", "");
  return status == "deleting" || status == "deleted";
}

bool writer(const Json& cluster, const std::string& instance) {
  for (const Json& member : cluster.value("DBClusterMembers", Json::array())) {
    if (member.value("DBInstanceIdentifier", "") == instance) return member.value("IsClusterWriter", false);
  }
  return false;
}

// An instance this auto scaling added to the cluster.
bool added(const Json& instance, const ScalableResource& target) {
  if (!instance.value("DBInstanceIdentifier", "").starts_with(kPrefix)) return false;
  for (const Json& tag : instance.value("TagList", Json::array())) {
    if (tag.value("Key", "") == kTag && tag.value("Value", "") == "cluster:" + target.id) return true;
  }
  return false;
}

}  // namespace

Result<Json> AuroraReplicas::instances(const std::string& account, const std::string& region,
                                       const ScalableResource& target) {
  auto clusters = calls_.read(account, region, "DescribeDBClusters", {{"DBClusterIdentifier", target.id}});
  if (!clusters) {
    if (clusters.error().code == "DBClusterNotFoundFault") return missing(target);
    return clusters.error();
  }
  Json cluster = (*clusters)["DBClusters"].empty() ? Json::object() : (*clusters)["DBClusters"][0];
  if (!cluster.value("Engine", "").starts_with("aurora")) return missing(target);
  Json found = {{"Cluster", cluster}, {"Readers", Json::array()}, {"Writer", Json::object()}};
  Json input = {{"Filters", Json::array({{{"Name", "db-cluster-id"}, {"Values", Json::array({target.id})}}})},
                {"MaxRecords", 100}};
  while (true) {
    auto page = calls_.read(account, region, "DescribeDBInstances", input);
    if (!page) return page.error();
    for (const Json& instance : (*page)["DBInstances"]) {
      if (writer(cluster, instance.value("DBInstanceIdentifier", ""))) {
        found["Writer"] = instance;
      } else if (!leaving(instance)) {
        found["Readers"].push_back(instance);
      }
    }
    if (!page->contains("Marker") || (*page)["Marker"].is_null()) break;
    input["Marker"] = (*page)["Marker"];
  }
  return found;
}

Result<int64_t> AuroraReplicas::current(const std::string& account, const std::string& region,
                                        const ScalableResource& target) {
  auto found = instances(account, region, target);
  if (!found) return found.error();
  return static_cast<int64_t>((*found)["Readers"].size());
}

Result<bool> AuroraReplicas::set(const std::string& account, const std::string& region,
                                 const ScalableResource& target, int64_t count) {
  auto found = instances(account, region, target);
  if (!found) return found.error();
  const Json& cluster = (*found)["Cluster"];
  std::vector<Json> readers = (*found)["Readers"];
  auto have = static_cast<int64_t>(readers.size());
  if (count > have) {
    const Json& writerInstance = (*found)["Writer"];
    if (writerInstance.empty()) {
      return ApiError::sender("InvalidDBClusterStateFault",
                              "DB cluster " + target.id + " has no writer instance to take the replicas' class from.");
    }
    for (int64_t k = have; k < count; ++k) {
      Json input = {{"DBInstanceIdentifier", kPrefix + newUuid()},
                    {"DBClusterIdentifier", cluster.value("DBClusterIdentifier", target.id)},
                    {"Engine", cluster.value("Engine", "")},
                    {"DBInstanceClass", writerInstance.value("DBInstanceClass", "")},
                    {"Tags", Json::array({{{"Key", kTag}, {"Value", "cluster:" + target.id}}})}};
      auto created = calls_.change(account, region, "CreateDBInstance", input);
      if (!created) return created.error();
    }
    return true;
  }
  // Only the replicas auto scaling added go, newest first.
  std::vector<Json> ours;
  std::copy_if(readers.begin(), readers.end(), std::back_inserter(ours),
               [&](const Json& instance) { return added(instance, target); });
  std::sort(ours.begin(), ours.end(), [](const Json& a, const Json& b) {
    return a.value("InstanceCreateTime", 0.0) > b.value("InstanceCreateTime", 0.0);
  });
  int64_t surplus = have - count;
  auto removable = std::min(surplus, static_cast<int64_t>(ours.size()));
  for (int64_t k = 0; k < removable; ++k) {
    Json input = {{"DBInstanceIdentifier", ours[static_cast<size_t>(k)]["DBInstanceIdentifier"]},
                  {"SkipFinalSnapshot", true}};
    auto deleted = calls_.change(account, region, "DeleteDBInstance", input);
    if (!deleted) return deleted.error();
  }
  if (removable < surplus) {
    return ApiError::sender("ValidationException",
                            "Cluster " + target.id + " keeps " + std::to_string(have - removable) +
                                " Aurora Replicas: Application Auto Scaling removes only the replicas it added.");
  }
  return true;
}

}  // namespace kura
