// DescribeOrderableDBInstanceOptions: what CreateDBInstance takes here, as
// RDS lists it: for each version of the engine Kura serves
// (DescribeDBEngineVersions), each instance class it accepts
// (checkInstanceClass: every class of AWS's table, db.serverless for Aurora
// only) and each storage type, one option. Sorted by version, class and
// storage type; the Marker is the last option's key.
#include <string>
#include <vector>

#include "catalog/pagination.h"
#include "services/rds/instance_class_memory.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

}  // namespace

Result<Json> RdsApi::describeOrderableOptions(const RequestContext& c, const Json& in) {
  const std::string engine = in["Engine"];
  size_t limit = 100;
  if (in.contains("MaxRecords")) {
    int64_t requested = in["MaxRecords"];
    if (requested < 20 || requested > 1000) {
      return invalid("Invalid value " + std::to_string(requested) + " for MaxRecords. Must be between 20 and 1000");
    }
    limit = static_cast<size_t>(requested);
  }
  std::string start;  // the key of the last option of the page before
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    start = *decoded;
  }
  std::string last;  // the key of the last option on this page
  Json versionsIn = {{"Engine", engine}};
  if (in.contains("EngineVersion")) versionsIn["EngineVersion"] = in["EngineVersion"];
  auto versions = describeEngineVersions(c, versionsIn);
  if (!versions) return versions.error();
  const bool aurora = engine.starts_with("aurora");
  const std::string license = engine.find("postgres") != std::string::npos ? "postgresql-license"
                                                                            : "general-public-license";
  if (in.contains("LicenseModel") && in["LicenseModel"] != license) return Json{{"OrderableDBInstanceOptions", Json::array()}};
  if (in.contains("Vpc") && !in["Vpc"].get<bool>()) return Json{{"OrderableDBInstanceOptions", Json::array()}};
  const std::vector<std::string> storageTypes = aurora ? std::vector<std::string>{"aurora"}
                                                       : std::vector<std::string>{"gp2", "gp3", "io1", "standard"};
  Json zones = Json::array();
  for (const char* zone : {"a", "b", "c"}) zones.push_back({{"Name", c.region + zone}});
  Json out = {{"OrderableDBInstanceOptions", Json::array()}};
  for (const Json& version : (*versions)["DBEngineVersions"]) {
    const std::string engineVersion = version["EngineVersion"];
    for (std::string_view instanceClass : instanceClassNames()) {
      if (in.contains("DBInstanceClass") && in["DBInstanceClass"] != instanceClass) continue;
      if (checkInstanceClass(instanceClass, engine, engineVersion)) continue;
      for (const std::string& storage : storageTypes) {
        // Joined by a space, below every character of the names: keys sort
        // as the (version, class, storage) triples do.
        std::string key = engineVersion + " " + std::string(instanceClass) + " " + storage;
        if (!start.empty() && key <= start) continue;
        Json& list = out["OrderableDBInstanceOptions"];
        if (list.size() == limit) {
          out["Marker"] = encodeAfterName(last);
          return out;
        }
        Json option = {{"Engine", engine},
                       {"EngineVersion", engineVersion},
                       {"DBInstanceClass", instanceClass},
                       {"LicenseModel", license},
                       {"AvailabilityZones", zones},
                       {"MultiAZCapable", !aurora},
                       {"ReadReplicaCapable", !aurora},
                       {"Vpc", true},
                       {"SupportsStorageEncryption", true},
                       {"StorageType", storage},
                       {"SupportsIops", storage == "io1"},
                       {"SupportsEnhancedMonitoring", false},
                       {"SupportsIAMDatabaseAuthentication", true},
                       {"SupportsPerformanceInsights", false},
                       {"SupportedEngineModes", Json::array({"provisioned"})},  // Serverless v2's too
                       {"SupportsStorageAutoscaling", false},
                       {"SupportsKerberosAuthentication", false},
                       {"OutpostCapable", false},
                       {"SupportsGlobalDatabases", false},
                       {"SupportsClusters", aurora},
                       {"SupportedNetworkTypes", Json::array({"IPV4"})}};
        if (!aurora) {
          option["MinStorageSize"] = storage == "standard" ? 5 : 20;
          option["MaxStorageSize"] = storage == "standard" ? 3072 : 65536;
        }
        list.push_back(std::move(option));
        last = key;
      }
    }
  }
  return out;
}

}  // namespace kura::rds
