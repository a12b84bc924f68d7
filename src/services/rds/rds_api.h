#pragma once
// The RDS API's handlers. Each validates, records the desired state in one
// catalog transaction, wakes the reconciler and answers at once with the
// transitional status, as RDS does; the controllers in src/rds/ do the work.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "reconcile/reconciler.h"
#include "services/core/handler_table.h"
#include "kms/key_manager.h"
#include "services/core/managed_secrets.h"
#include "services/rds/engine_parameter.h"
#include "services/rds/port_allocator.h"
#include "services/rds/rendered_instances.h"
#include "services/rds/stop_limit.h"
#include "services/rds/system_update_schedule.h"

namespace kura {
class CertificateAuthority;
}

namespace kura::rds {

struct ParameterGroupFlavor;  // parameter_group_handlers.cpp

struct RdsConfig {
  std::string endpointAddress = "127.0.0.1";  // what Endpoint.Address says
  int installedPostgresMajor = 0;             // 0: none installed
  ManagedSecrets* managedSecrets = nullptr;   // Secrets Manager, for ManageMasterUserPassword
  kms::KeyManager* keys = nullptr;            // KMS, for StorageEncrypted
  // The directory of an instance's engine, below which it writes its log
  // files (DescribeDBLogFiles; see engine_log_files.h).
  std::function<std::filesystem::path(const Resource&)> engineDirOf;
  // The installed engine's settings, and its check of a set of values.
  std::vector<EngineParameter> engineParameters;
  ParameterChecker checkParameters;
  // MySQL and MariaDB instances: the installed MariaDB's version (empty:
  // none), the settings their parameter groups may set, and its check.
  std::string installedMariaDbVersion;
  std::vector<EngineParameter> mariaDbParameters;
  ParameterChecker checkMariaDbParameters;
  // Kura's CA, which issues the instances' server certificates
  // (DescribeCertificates, CACertificateIdentifier); none: no TLS.
  const CertificateAuthority* certificateAuthority = nullptr;
  // When an instance's server certificate ends (empty: none yet).
  std::function<std::optional<SystemTime>(const Resource&)> serverCertificateValidTill;
  // How long an instance or cluster stays stopped before it starts by
  // itself (AutomaticRestartTime; stop_limit.h). 0: never.
  std::chrono::seconds stopLimit = kDefaultStopLimit;
  // How long after it is noticed a pending system update is applied in the
  // instance's window without an opt-in (system_update_schedule.h). 0: never.
  std::chrono::seconds systemUpdateAutoApply = kDefaultSystemUpdateAutoApply;
};

class RdsApi {
 public:
  RdsApi(Catalog& catalog, Reconciler& reconciler, SecretBox& secrets, PortAllocator& ports, RdsConfig config);
  void registerHandlers(HandlerTable& table);

  // Instances (instance_handlers.cpp)
  Result<Json> createInstance(const RequestContext& c, const Json& in);
  Result<Json> describeInstances(const RequestContext& c, const Json& in);
  Result<Json> modifyInstance(const RequestContext& c, const Json& in);
  Result<Json> deleteInstance(const RequestContext& c, const Json& in);
  Result<Json> rebootInstance(const RequestContext& c, const Json& in);
  Result<Json> stopInstance(const RequestContext& c, const Json& in);
  Result<Json> startInstance(const RequestContext& c, const Json& in);
  // Snapshots and restores (snapshot_handlers.cpp)
  Result<Json> createSnapshot(const RequestContext& c, const Json& in);
  Result<Json> describeSnapshots(const RequestContext& c, const Json& in);
  Result<Json> deleteSnapshot(const RequestContext& c, const Json& in);
  Result<Json> copySnapshot(const RequestContext& c, const Json& in);
  // A copy's encryption (CopyDBSnapshot, CopyDBClusterSnapshot): the
  // source's key and files, or the KmsKeyId asked for, under which the copy
  // is then sealed again (spec.SealCopyUnder), as RDS copies: an unencrypted
  // DB snapshot's copy is encrypted by it, a cluster snapshot's is refused.
  std::optional<ApiError> copyEncryption(const RequestContext& c, const Resource& source, const Json& in, Json& spec);
  Result<Json> restoreFromSnapshot(const RequestContext& c, const Json& in);
  Result<Json> restoreToPointInTime(const RequestContext& c, const Json& in);
  // DescribeDBInstanceAutomatedBackups (automated_backup_handlers.cpp)
  Result<Json> describeAutomatedBackups(const RequestContext& c, const Json& in);
  Result<Json> deleteAutomatedBackup(const RequestContext& c, const Json& in);
  // Custom endpoints of Aurora clusters (cluster_endpoint_handlers.cpp)
  Result<Json> createClusterEndpoint(const RequestContext& c, const Json& in);
  Result<Json> describeClusterEndpoints(const RequestContext& c, const Json& in);
  Result<Json> modifyClusterEndpoint(const RequestContext& c, const Json& in);
  Result<Json> deleteClusterEndpoint(const RequestContext& c, const Json& in);
  // Pending maintenance: system updates (maintenance_handlers.cpp)
  Result<Json> describePendingMaintenanceActions(const RequestContext& c, const Json& in);
  Result<Json> applyPendingMaintenanceAction(const RequestContext& c, const Json& in);
  // Events, tags, engines (rds_misc_handlers.cpp)
  Result<Json> describeEvents(const RequestContext& c, const Json& in);
  Result<Json> addTags(const RequestContext& c, const Json& in);
  Result<Json> removeTags(const RequestContext& c, const Json& in);
  Result<Json> listTags(const RequestContext& c, const Json& in);
  Result<Json> describeEngineVersions(const RequestContext& c, const Json& in);
  Result<Json> describeCertificates(const RequestContext& c, const Json& in);
  // Read replicas (read_replica_handlers.cpp)
  Result<Json> createReadReplica(const RequestContext& c, const Json& in);
  Result<Json> promoteReadReplica(const RequestContext& c, const Json& in);
  // Parameter groups (parameter_group_handlers.cpp)
  Result<Json> createParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> describeParameterGroups(const RequestContext& c, const Json& in);
  Result<Json> modifyParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> resetParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> describeParameters(const RequestContext& c, const Json& in);
  Result<Json> describeEngineDefaultParameters(const RequestContext& c, const Json& in);
  // The same for cluster parameter groups (family aurora-postgresql<major>).
  Result<Json> createClusterParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> describeClusterParameterGroups(const RequestContext& c, const Json& in);
  Result<Json> modifyClusterParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> resetClusterParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteClusterParameterGroup(const RequestContext& c, const Json& in);
  Result<Json> describeClusterParameters(const RequestContext& c, const Json& in);
  Result<Json> describeEngineDefaultClusterParameters(const RequestContext& c, const Json& in) {
    return describeEngineDefaultParameters(c, in);
  }
  // A group by name (the default group of the installed major included):
  // its record, or DBParameterGroupNotFound.
  Result<Resource> findParameterGroup(const RequestContext& c, const std::string& name);
  Result<Resource> findClusterParameterGroup(const RequestContext& c, const std::string& name);
  std::string defaultParameterGroup() const;
  // The DB parameter group family of an instance's engine, and its default group.
  std::string parameterFamilyOf(const std::string& engine) const;
  std::string defaultParameterGroupOf(const std::string& engine) const;
  // A DB parameter group of the family the instance's engine needs.
  std::optional<ApiError> checkGroupFits(const Resource& group, const std::string& engine) const;
  std::string defaultClusterParameterGroup() const;
  // Aurora clusters (cluster_handlers.cpp)
  Result<Json> createCluster(const RequestContext& c, const Json& in);
  Result<Json> describeClusters(const RequestContext& c, const Json& in);
  Result<Json> modifyCluster(const RequestContext& c, const Json& in);
  Result<Json> deleteCluster(const RequestContext& c, const Json& in);
  Result<Json> failoverCluster(const RequestContext& c, const Json& in);
  Result<Json> copyClusterSnapshot(const RequestContext& c, const Json& in);
  Result<Json> copyParameterGroup(const RequestContext& c, const Json& in);
  // DescribeOrderableDBInstanceOptions (orderable_options.cpp)
  Result<Json> describeOrderableOptions(const RequestContext& c, const Json& in);
  Result<Json> copyClusterParameterGroup(const RequestContext& c, const Json& in);
  // StopDBCluster, StartDBCluster (cluster_stop_start.cpp)
  Result<Json> stopCluster(const RequestContext& c, const Json& in);
  Result<Json> startCluster(const RequestContext& c, const Json& in);
  // CreateDBInstance with DBClusterIdentifier: a writer or a reader.
  Result<Json> createClusterInstance(const RequestContext& c, const Json& in);
  // Cluster snapshots and restores (cluster_snapshot_handlers.cpp)
  Result<Json> createClusterSnapshot(const RequestContext& c, const Json& in);
  Result<Json> describeClusterSnapshots(const RequestContext& c, const Json& in);
  Result<Json> deleteClusterSnapshot(const RequestContext& c, const Json& in);
  Result<Json> restoreClusterFromSnapshot(const RequestContext& c, const Json& in);
  Result<Json> restoreClusterToPointInTime(const RequestContext& c, const Json& in);
  // DB subnet groups (subnet_group_handlers.cpp)
  Result<Json> createSubnetGroup(const RequestContext& c, const Json& in);
  Result<Json> describeSubnetGroups(const RequestContext& c, const Json& in);
  Result<Json> modifySubnetGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteSubnetGroup(const RequestContext& c, const Json& in);
  // Engine log files (log_file_handlers.cpp)
  Result<Json> describeLogFiles(const RequestContext& c, const Json& in);
  Result<Json> downloadLogFilePortion(const RequestContext& c, const Json& in);

 private:
  // At start, before any call: deletes RDS's managed secrets that no
  // instance or cluster (not being deleted) names. A crash between a
  // secret's creation and its resource's record (CreateDBInstance,
  // CreateDBCluster), or between a deletion's record and the secret's
  // deletion, leaves such a secret, which nothing would ever delete.
  void deleteOrphanedSecrets();
  // A record of `kind` by name or ARN, not deleted; else `notFoundCode`.
  Result<Resource> findOfKind(const RequestContext& c, const std::string& identifier, const char* kind,
                              const char* notFoundCode, const char* label);
  Result<Resource> findInstance(const RequestContext& c, const std::string& identifier);
  Result<Resource> findSnapshot(const RequestContext& c, const std::string& identifier);
  // Records a new instance (creation or restore): port, sealed password, event.
  Result<Resource> recordNewInstance(const RequestContext& c, Json spec, const std::vector<Tag>& tags,
                                     const std::string& eventMessage);
  Result<Resource> recordSnapshot(const RequestContext& c, const Resource& instance, const std::string& identifier,
                                  const std::string& type, const std::vector<Tag>& tags);
  // What a page of instances reads once for all of them rather than once
  // an instance: their tags and read replicas (one query each), and the
  // subnet groups' views by name (each rendered once).
  struct InstancePageReads {
    std::map<std::string, std::vector<Tag>> tags;  // by ARN; filled by readForPage
    std::map<std::string, Json> replicaNames;      // by source ARN; idem
    bool read = false;                             // readForPage has run
    std::map<std::string, Json> subnetGroupViews;  // filled as the page renders
  };
  void readForPage(const std::vector<std::string>& arns, InstancePageReads& reads);
  // `base`: the instance's view from its record alone (instanceView without
  // tags), kept from an earlier answer; null: made now.
  Json instanceJson(const Resource& instance, InstancePageReads* page = nullptr, const Json* base = nullptr);
  // The names of an instance's read replicas (the catalog's index on their
  // source: the same cost at 10 and at 10,000 instances).
  Json replicaNamesOf(const std::string& sourceArn);
  // The ARN of a usable KMS key for an encrypted resource, or RDS's fault.
  Result<std::string> usableKmsKey(const RequestContext& c, const std::string& keyRef);
  // A new master password for an instance: sealed in its spec, applied to
  // the engine by the controller (status modifying until then).
  Result<Resource> changeMasterPassword(Resource instance, const std::string& password);
  void sealMasterPassword(Json& spec, const std::string& password);
  // Records a modified instance; a new master password takes it through
  // modifying (the controller applies it to the engine).
  Result<Resource> storeModified(Resource instance, bool passwordChange);
  // The master password of `spec` (its MasterUsername's) in a secret RDS
  // owns, named `name`; the secret's ARN and key written into `spec`.
  Result<std::string> keepMasterPasswordInSecret(const RequestContext& c, Json& spec, const std::string& name,
                                                 const std::string& password, const std::string& kmsKey);
  // ModifyDBInstance's ManageMasterUserPassword: a managed password switched
  // on (a new password in a new secret, sealed into `spec`); the new
  // secret's ARN, empty when nothing changes.
  Result<std::string> switchToManagedPassword(const RequestContext& c, const Json& in, Json& spec);
  // ModifyDBInstance's or ModifyDBCluster's RotateMasterUserPassword
  // (master_password_rotation.cpp): the owner's managed secret rotated now,
  // as RotateSecret rotates it; the owner's record as it is then. Nothing
  // else of the request may change: Kura rotates in a call of its own.
  Result<Resource> rotateMasterPasswordNow(const RequestContext& c, const Resource& owner, const Json& in);
  // RotateSecret on an instance's managed master secret.
  Result<bool> rotateManagedPassword(const RequestContext& c, const std::string& secretArn,
                                     const std::string& password);
  // The same for a cluster's: the writer applies it, true once it has.
  Result<bool> rotateClusterPassword(Resource cluster, const std::string& password);
  Json snapshotJson(const Resource& snapshot);
  Result<Resource> findCluster(const RequestContext& c, const std::string& identifier);
  Result<Resource> findClusterSnapshot(const RequestContext& c, const std::string& identifier);
  // Records a new cluster (creation or restore): its two endpoint ports.
  Result<Resource> recordNewCluster(const RequestContext& c, Json spec, const std::vector<Tag>& tags,
                                    const std::string& eventMessage);
  Result<Resource> recordClusterSnapshot(const RequestContext& c, const Resource& cluster,
                                         const std::string& identifier, const std::string& type,
                                         const std::vector<Tag>& tags);
  // `custom`: the cluster's custom endpoints, when the caller read them
  // (a page of clusters reads them once); else they are read here.
  Json clusterJson(const Resource& cluster, const std::vector<Resource>* custom = nullptr);
  // Parameter groups of either flavor (parameter_group_handlers.cpp).
  Result<Resource> findGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const std::string& name);
  // The families of a flavor's groups on this host, and the settings (and
  // their check) of a family's groups.
  std::vector<std::string> groupFamilies(const ParameterGroupFlavor& flavor) const;
  const std::vector<EngineParameter>& parametersOf(const std::string& family) const;
  const ParameterChecker& checkerOf(const std::string& family) const;
  // A new group; `parameters`: the values it starts with (a copy's).
  Result<Resource> createGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                               const Json* parameters = nullptr);
  // CopyDBParameterGroup, CopyDBClusterParameterGroup: the source's family
  // and values under a new name (`prefix`: "" or "Cluster").
  Result<Resource> copyGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                             const std::string& prefix);
  Result<Json> describeGroups(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                              const char* listMember);
  Result<Json> modifyGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in);
  Result<Json> resetGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in);
  Result<Json> deleteGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in);
  Result<Json> describeGroupParameters(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in);
  // EngineVersion against the installed major: {version, major}.
  Result<std::pair<std::string, std::string>> checkEngineVersion(const Json& in, const std::string& engine);
  // The settings CreateDBCluster and the cluster restores share, into spec.
  Result<bool> clusterSettings(const RequestContext& c, const Json& in, Json& spec, bool restored);
  void addEvent(const Resource& resource, const std::string& message, std::vector<std::string> categories);

  Catalog& catalog_;
  Reconciler& reconciler_;
  SecretBox& secrets_;
  PortAllocator& ports_;
  RdsConfig config_;
  RenderedInstances rendered_;  // DescribeDBInstances' pages
};

std::vector<Tag> tagsFromInput(const Json& in);

}  // namespace kura::rds
