#include <spdlog/spdlog.h>

#include <set>

#include "catalog/arn.h"
#include "catalog/event_query_input.h"
#include "catalog/pagination.h"
#include "common/certificate_authority.h"
#include "common/time_format.h"
#include "services/rds/engine_log_files.h"
#include "services/rds/mysql_engines.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"
#include "services/rds/rds_views.h"
#include "services/rds/unsupported_members.h"

namespace kura::rds {

std::vector<Tag> tagsFromInput(const Json& in) {
  std::vector<Tag> tags;
  for (const auto& tag : in.value("Tags", Json::array())) tags.push_back({tag.value("Key", ""), tag.value("Value", "")});
  return tags;
}

namespace {

// The fault of a tagging call whose ARN names nothing, by the ARN's kind.
const char* notFoundCodeOf(const std::string& arn) {
  if (arn.find(":snapshot:") != std::string::npos) return "DBSnapshotNotFound";
  if (arn.find(":subgrp:") != std::string::npos) return "DBSubnetGroupNotFoundFault";
  return "DBInstanceNotFound";
}

}  // namespace

Result<Resource> RdsApi::findOfKind(const RequestContext& c, const std::string& identifier, const char* kind,
                                    const char* notFoundCode, const char* label) {
  auto found = identifier.rfind("arn:", 0) == 0 ? catalog_.getResourceByArn(identifier)
                                                 : catalog_.getResource(c.accountId, c.region, kind, lowerCase(identifier));
  // An ARN of another account or region names nothing here, as in RDS.
  if (!found || found->kind != kind || found->status == kDeleted || found->accountId != c.accountId ||
      found->region != c.region) {
    return ApiError::sender(notFoundCode, std::string(label) + " " + identifier + " not found.", 404);
  }
  return found;
}

Result<Json> RdsApi::describeEvents(const RequestContext& c, const Json& in) {
  auto query = eventQueryOf(in, catalog_.clock()->now());
  if (!query) return query.error();
  EventPage page = catalog_.listEvents(c.accountId, c.region, *query);
  Json out = {{"Events", Json::array()}};
  for (const Event& event : page.items) {
    if (event.sourceArn.rfind("arn:aws:rds:", 0) != 0) continue;
    out["Events"].push_back(eventView(event));
  }
  if (auto marker = nextEventMarker(page)) out["Marker"] = *marker;
  return out;
}

Result<Json> RdsApi::addTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId) {
    return ApiError::sender(notFoundCodeOf(arn), "Resource " + arn + " not found.", 404);
  }
  catalog_.addTags(arn, tagsFromInput(in));
  return Json::object();
}

Result<Json> RdsApi::removeTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId) {
    return ApiError::sender(notFoundCodeOf(arn), "Resource " + arn + " not found.", 404);
  }
  catalog_.removeTags(arn, in["TagKeys"].get<std::vector<std::string>>());
  return Json::object();
}

Result<Json> RdsApi::listTags(const RequestContext& c, const Json& in) {
  std::string arn = in["ResourceName"];
  auto resource = catalog_.getResourceByArn(arn);
  if (!resource || resource->accountId != c.accountId) {
    return ApiError::sender(notFoundCodeOf(arn), "Resource " + arn + " not found.", 404);
  }
  Json tags = Json::array();
  for (const Tag& tag : catalog_.listTags(arn)) tags.push_back({{"Key", tag.key}, {"Value", tag.value}});
  return Json{{"TagList", tags}};
}

Result<Json> RdsApi::describeEngineVersions(const RequestContext&, const Json& in) {
  Json out = {{"DBEngineVersions", Json::array()}};
  // MySQL, MariaDB and Aurora MySQL: all run on the installed MariaDB, and say so.
  for (std::string engine : {"mysql", "mariadb", kAuroraMySqlEngine}) {
    if (in.contains("Engine") && in["Engine"] != engine) continue;
    auto served = mySqlVersionOf(engine, in.value("EngineVersion", ""), config_.installedMariaDbVersion);
    if (!served) continue;
    out["DBEngineVersions"].push_back({{"Engine", engine},
                                       {"EngineVersion", served->version},
                                       {"DBParameterGroupFamily", parameterFamilyOf(engine)},
                                       {"DBEngineDescription", engine == "mysql"     ? "MySQL Community Edition"
                                                              : engine == "mariadb" ? "MariaDb Community Edition"
                                                                                    : "Aurora MySQL"},
                                       {"DBEngineVersionDescription", mariaDbRunsNote(config_.installedMariaDbVersion)},
                                       {"ValidUpgradeTarget", Json::array()},
                                       {"ExportableLogTypes", exportableLogTypes(engine)},
                                       {"SupportsLogExportsToCloudwatchLogs", true},
                                       {"SupportsReadReplica", false},
                                       {"SupportedEngineModes", Json::array({"provisioned"})},
                                       {"Status", "available"},
                                       {"SupportsParallelQuery", false},
                                       {"SupportsGlobalDatabases", false},
                                       {"MajorEngineVersion", served->major},
                                       {"SupportsBabelfish", false},
                                       {"SupportsCertificateRotationWithoutRestart", true},
                                       {"SupportsLocalWriteForwarding", false},
                                       {"SupportsIntegrations", false}});
  }
  if (config_.installedPostgresMajor == 0) return out;
  std::string major = std::to_string(config_.installedPostgresMajor);
  if (in.contains("EngineVersion")) {
    std::string wanted = in["EngineVersion"];
    if (wanted != major && wanted.rfind(major + ".", 0) != 0) return out;
  }
  // Both engines run on the installed PostgreSQL: plain instances, and
  // Aurora clusters (see src/rds/aurora_cluster.h).
  for (std::string engine : {"postgres", kAuroraEngine}) {
    if (in.contains("Engine") && in["Engine"] != engine) continue;
    bool aurora = engine == kAuroraEngine;
    out["DBEngineVersions"].push_back({{"Engine", engine},
                                       {"EngineVersion", major},
                                       {"DBParameterGroupFamily", engine + major},
                                       {"DBEngineDescription", aurora ? "Aurora (PostgreSQL)" : "PostgreSQL"},
                                       {"DBEngineVersionDescription", "PostgreSQL " + major + " (installed on this host)"},
                                       {"ValidUpgradeTarget", Json::array()},
                                       {"ExportableLogTypes", exportableLogTypes(engine)},
                                       {"SupportsLogExportsToCloudwatchLogs", true},
                                       {"SupportsReadReplica", false},
                                       {"SupportedEngineModes", Json::array({"provisioned"})},
                                       {"Status", "available"},
                                       {"SupportsParallelQuery", false},
                                       {"SupportsGlobalDatabases", false},
                                       {"MajorEngineVersion", major},
                                       {"SupportsBabelfish", false},
                                       {"SupportsCertificateRotationWithoutRestart", true},
                                       {"SupportsLocalWriteForwarding", false},
                                       {"SupportsIntegrations", false}});
  }
  return out;
}

Result<Json> RdsApi::describeCertificates(const RequestContext& c, const Json& in) {
  // One CA: Kura's, which issued every instance's server certificate.
  const CertificateAuthority* ca = config_.certificateAuthority;
  std::string wanted = lowerCase(in.value("CertificateIdentifier", ""));
  if (ca == nullptr || (!wanted.empty() && wanted != ca->identifier())) {
    if (wanted.empty()) return Json{{"Certificates", Json::array()}};
    return ApiError::sender("CertificateNotFound", "Certificate " + in.value("CertificateIdentifier", "") + " not found.",
                            404);
  }
  Json certificate = {{"CertificateIdentifier", ca->identifier()},
                      {"CertificateType", "CA"},
                      {"Thumbprint", ca->thumbprint()},
                      {"ValidFrom", toEpochSeconds(ca->validFrom())},
                      {"ValidTill", toEpochSeconds(ca->validTill())},
                      {"CertificateArn", "arn:aws:rds:" + c.region + "::cert:" + ca->identifier()},
                      {"CustomerOverride", false}};
  return Json{{"Certificates", Json::array({certificate})}};
}

RdsApi::RdsApi(Catalog& catalog, Reconciler& reconciler, SecretBox& secrets, PortAllocator& ports, RdsConfig config)
    : catalog_(catalog), reconciler_(reconciler), secrets_(secrets), ports_(ports), config_(std::move(config)) {
  if (config_.managedSecrets != nullptr) {
    config_.managedSecrets->setRotator("rds", [this](const RequestContext& c, const std::string& arn,
                                                     const std::string& password) {
      return rotateManagedPassword(c, arn, password);
    });
    deleteOrphanedSecrets();
  }
}

void RdsApi::deleteOrphanedSecrets() {
  std::set<std::string> named;
  for (const char* kind : {kInstance, kCluster}) {
    for (const Resource& owner : catalog_.listAllOfKind(kind)) {
      if (owner.goal != kDeleted && owner.spec.contains("MasterUserSecretArn")) {
        named.insert(owner.spec["MasterUserSecretArn"].get<std::string>());
      }
    }
  }
  for (const std::string& arn : config_.managedSecrets->ownedSecretArns("rds")) {
    if (named.contains(arn)) continue;
    spdlog::warn("msg=\"deleting a managed master secret no DB instance or cluster names (left by a crash)\" "
                 "secret_arn={}",
                 arn);
    config_.managedSecrets->deleteOwnedSecret(RequestContext{}, arn);
  }
}

void RdsApi::registerHandlers(HandlerTable& table) {
  auto bind = [this, &table](const char* name, Result<Json> (RdsApi::*method)(const RequestContext&, const Json&)) {
    table.add(name, [this, method, name](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto refused = refuseUnsupportedMembers(name, in)) return *refused;
      return (this->*method)(c, in);
    });
  };
  bind("CreateDBInstance", &RdsApi::createInstance);
  bind("DescribeDBLogFiles", &RdsApi::describeLogFiles);
  bind("CreateDBInstanceReadReplica", &RdsApi::createReadReplica);
  bind("PromoteReadReplica", &RdsApi::promoteReadReplica);
  bind("CreateDBParameterGroup", &RdsApi::createParameterGroup);
  bind("DescribeDBParameterGroups", &RdsApi::describeParameterGroups);
  bind("ModifyDBParameterGroup", &RdsApi::modifyParameterGroup);
  bind("ResetDBParameterGroup", &RdsApi::resetParameterGroup);
  bind("DeleteDBParameterGroup", &RdsApi::deleteParameterGroup);
  bind("DescribeDBParameters", &RdsApi::describeParameters);
  bind("DescribeEngineDefaultParameters", &RdsApi::describeEngineDefaultParameters);
  bind("DownloadDBLogFilePortion", &RdsApi::downloadLogFilePortion);
  bind("DescribeDBInstances", &RdsApi::describeInstances);
  bind("ModifyDBInstance", &RdsApi::modifyInstance);
  bind("DeleteDBInstance", &RdsApi::deleteInstance);
  bind("RebootDBInstance", &RdsApi::rebootInstance);
  bind("DescribePendingMaintenanceActions", &RdsApi::describePendingMaintenanceActions);
  bind("ApplyPendingMaintenanceAction", &RdsApi::applyPendingMaintenanceAction);
  bind("StopDBInstance", &RdsApi::stopInstance);
  bind("StopDBCluster", &RdsApi::stopCluster);
  bind("DescribeDBInstanceAutomatedBackups", &RdsApi::describeAutomatedBackups);
  bind("DeleteDBInstanceAutomatedBackup", &RdsApi::deleteAutomatedBackup);
  bind("StartDBCluster", &RdsApi::startCluster);
  bind("StartDBInstance", &RdsApi::startInstance);
  bind("CreateDBSnapshot", &RdsApi::createSnapshot);
  bind("DescribeDBSnapshots", &RdsApi::describeSnapshots);
  bind("DeleteDBSnapshot", &RdsApi::deleteSnapshot);
  bind("CopyDBSnapshot", &RdsApi::copySnapshot);
  bind("CopyDBClusterSnapshot", &RdsApi::copyClusterSnapshot);
  bind("CopyDBParameterGroup", &RdsApi::copyParameterGroup);
  bind("CopyDBClusterParameterGroup", &RdsApi::copyClusterParameterGroup);
  bind("RestoreDBInstanceFromDBSnapshot", &RdsApi::restoreFromSnapshot);
  bind("RestoreDBInstanceToPointInTime", &RdsApi::restoreToPointInTime);
  bind("DescribeEvents", &RdsApi::describeEvents);
  bind("AddTagsToResource", &RdsApi::addTags);
  bind("RemoveTagsFromResource", &RdsApi::removeTags);
  bind("ListTagsForResource", &RdsApi::listTags);
  bind("DescribeDBEngineVersions", &RdsApi::describeEngineVersions);
  bind("DescribeOrderableDBInstanceOptions", &RdsApi::describeOrderableOptions);
  bind("DescribeCertificates", &RdsApi::describeCertificates);
  bind("CreateDBSubnetGroup", &RdsApi::createSubnetGroup);
  bind("DescribeDBSubnetGroups", &RdsApi::describeSubnetGroups);
  bind("ModifyDBSubnetGroup", &RdsApi::modifySubnetGroup);
  bind("DeleteDBSubnetGroup", &RdsApi::deleteSubnetGroup);
  bind("CreateDBClusterParameterGroup", &RdsApi::createClusterParameterGroup);
  bind("DescribeDBClusterParameterGroups", &RdsApi::describeClusterParameterGroups);
  bind("ModifyDBClusterParameterGroup", &RdsApi::modifyClusterParameterGroup);
  bind("ResetDBClusterParameterGroup", &RdsApi::resetClusterParameterGroup);
  bind("DeleteDBClusterParameterGroup", &RdsApi::deleteClusterParameterGroup);
  bind("DescribeDBClusterParameters", &RdsApi::describeClusterParameters);
  bind("DescribeEngineDefaultClusterParameters", &RdsApi::describeEngineDefaultClusterParameters);
  bind("CreateDBCluster", &RdsApi::createCluster);
  bind("DescribeDBClusters", &RdsApi::describeClusters);
  bind("ModifyDBCluster", &RdsApi::modifyCluster);
  bind("DeleteDBCluster", &RdsApi::deleteCluster);
  bind("FailoverDBCluster", &RdsApi::failoverCluster);
  bind("CreateDBClusterEndpoint", &RdsApi::createClusterEndpoint);
  bind("DescribeDBClusterEndpoints", &RdsApi::describeClusterEndpoints);
  bind("ModifyDBClusterEndpoint", &RdsApi::modifyClusterEndpoint);
  bind("DeleteDBClusterEndpoint", &RdsApi::deleteClusterEndpoint);
  bind("CreateDBClusterSnapshot", &RdsApi::createClusterSnapshot);
  bind("DescribeDBClusterSnapshots", &RdsApi::describeClusterSnapshots);
  bind("DeleteDBClusterSnapshot", &RdsApi::deleteClusterSnapshot);
  bind("RestoreDBClusterFromSnapshot", &RdsApi::restoreClusterFromSnapshot);
  bind("RestoreDBClusterToPointInTime", &RdsApi::restoreClusterToPointInTime);
}

}  // namespace kura::rds
