#pragma once
// The ElastiCache API's handlers. Each validates, records the desired state
// in one catalog transaction, wakes the reconciler and answers at once with
// the transitional status, as ElastiCache does; the controllers in
// src/cache/ do the work on real Redis servers.
#include <functional>
#include <string>

#include "catalog/catalog.h"
#include "common/certificate_authority.h"
#include "common/secret_box.h"
#include "kms/key_manager.h"
#include "reconcile/reconciler.h"
#include "services/core/handler_table.h"
#include "services/rds/port_allocator.h"

namespace kura::elasticache {

struct ElastiCacheConfig {
  std::string endpointAddress = "127.0.0.1";  // what Endpoint.Address says
  std::string redisVersion;                   // the installed redis-server's ("7.0.15"); empty: none
  std::string memcachedVersion;               // the installed memcached's ("1.6.18"); empty: none
  kms::KeyManager* keys = nullptr;            // KMS, for encrypted snapshots
  SecretBox* secrets = nullptr;               // seals AUTH tokens' and users' password hashes
  const CertificateAuthority* certificateAuthority = nullptr;  // in-transit encryption (none: refused)
};

class ElastiCacheApi {
 public:
  ElastiCacheApi(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports, ElastiCacheConfig config);
  void registerHandlers(HandlerTable& table);

  // Cache clusters (cluster_handlers.cpp)
  Result<Json> createCluster(const RequestContext& c, const Json& in);
  Result<Json> describeClusters(const RequestContext& c, const Json& in);
  Result<Json> modifyCluster(const RequestContext& c, const Json& in);
  Result<Json> deleteCluster(const RequestContext& c, const Json& in);
  Result<Json> rebootCluster(const RequestContext& c, const Json& in);
  // RebootCacheCluster of a replication group's member (its node restarts,
  // the group shows modifying meanwhile); `notFound` when it is none.
  Result<Json> rebootGroupMember(const RequestContext& c, const Json& in, const ApiError& notFound);
  // Memcached clusters (memcached_cluster_handlers.cpp)
  Result<Json> createMemcachedCluster(const RequestContext& c, const Json& in, const std::string& id);
  Result<Json> modifyMemcachedCluster(const RequestContext& c, Resource cluster, const Json& in);
  // Snapshots (snapshot_handlers.cpp)
  Result<Json> createSnapshot(const RequestContext& c, const Json& in);
  Result<Json> describeSnapshots(const RequestContext& c, const Json& in);
  Result<Json> deleteSnapshot(const RequestContext& c, const Json& in);
  Result<Json> copySnapshot(const RequestContext& c, const Json& in);
  // Replication groups (replication_group_handlers.cpp)
  Result<Json> createReplicationGroup(const RequestContext& c, const Json& in);
  Result<Json> describeReplicationGroups(const RequestContext& c, const Json& in);
  Result<Json> modifyReplicationGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteReplicationGroup(const RequestContext& c, const Json& in);
  Result<Json> testFailover(const RequestContext& c, const Json& in);
  // Cluster mode enabled (cluster_mode_handlers.cpp)
  bool clusterModeAsked(const RequestContext& c, const Json& in);
  Result<Json> createClusterModeGroup(const RequestContext& c, const Json& in, const std::string& id);
  Result<Json> modifyShardConfiguration(const RequestContext& c, const Json& in);
  Result<Json> increaseReplicaCount(const RequestContext& c, const Json& in);
  Result<Json> decreaseReplicaCount(const RequestContext& c, const Json& in);
  // Users and user groups (user_handlers.cpp, user_group_handlers.cpp)
  Result<Json> createUser(const RequestContext& c, const Json& in);
  Result<Json> describeUsers(const RequestContext& c, const Json& in);
  Result<Json> modifyUser(const RequestContext& c, const Json& in);
  Result<Json> deleteUser(const RequestContext& c, const Json& in);
  Result<Json> createUserGroup(const RequestContext& c, const Json& in);
  Result<Json> describeUserGroups(const RequestContext& c, const Json& in);
  Result<Json> modifyUserGroup(const RequestContext& c, const Json& in);
  Result<Json> deleteUserGroup(const RequestContext& c, const Json& in);
  // Events, tags, engine versions (elasticache_misc_handlers.cpp)
  Result<Json> describeEvents(const RequestContext& c, const Json& in);
  Result<Json> addTags(const RequestContext& c, const Json& in);
  Result<Json> removeTags(const RequestContext& c, const Json& in);
  Result<Json> listTags(const RequestContext& c, const Json& in);
  Result<Json> describeEngineVersions(const RequestContext& c, const Json& in);
  // The node types a cluster or group may move to (node_type_handlers.cpp)
  Result<Json> listAllowedNodeTypeModifications(const RequestContext& c, const Json& in);

 private:
  Result<Resource> findCluster(const RequestContext& c, const std::string& id);
  Result<Resource> findSnapshot(const RequestContext& c, const std::string& name);
  Result<Resource> findGroup(const RequestContext& c, const std::string& id);
  // An available group with cluster mode enabled, for a change of its shards
  // or replicas; AWS's error otherwise.
  Result<Resource> findClusterModeGroup(const RequestContext& c, const Json& in);
  // The body of ModifyReplicationGroupShardConfiguration and of
  // Increase/DecreaseReplicaCount, run inside their transaction.
  Result<Json> changeShardCount(const RequestContext& c, const Json& in);
  Result<Json> changeReplicaCount(const RequestContext& c, const Json& in, bool increase);
  // TestFailover of one node group of such a group (a planned failover).
  Result<Json> testClusterModeFailover(const RequestContext& c, const Json& in, Resource group);
  // A snapshot to restore from (SnapshotName), checked; empty if none asked.
  Result<std::optional<Resource>> restoreSource(const RequestContext& c, const Json& in);
  // The installed version an EngineVersion asks for, or AWS's error.
  Result<std::string> checkEngine(const Json& in, const std::string& defaultEngine);
  // Every cache cluster view: standalone clusters and group members, by id.
  std::vector<Json> allClusterViews(const RequestContext& c, bool showNodes);
  // Records a new cluster or group (kind, name and spec from the caller) in
  // status creating, with the request's tags, in one transaction:
  // `allocate` fills its state (ports) or answers the error to give.
  Result<Resource> recordNew(const RequestContext& c, const std::string& kind, const std::string& name, Json spec,
                             const Json& in, const std::function<std::optional<ApiError>(Resource&)>& allocate);
  // Marks a cluster or group deleting (with its final snapshot, if named).
  Result<Resource> startDeletion(const RequestContext& c, Resource resource, const std::string& finalSnapshot);
  // The ARN of a usable KMS key, or ElastiCache's fault.
  Result<std::string> usableKmsKey(const RequestContext& c, const std::string& keyRef);
  // The redis major.minor installed ("7.0").
  std::string redisMajorMinor() const;

  // In-transit encryption and AUTH (client_access.cpp).
  // TransitEncryptionEnabled, AuthToken and UserGroupIds of a new cluster or
  // group, checked and written into its spec with its client users.
  std::optional<ApiError> recordNewAccess(const RequestContext& c, const Json& in, Json& spec, bool group);
  // ModifyReplicationGroup's (or ModifyCacheCluster's) AuthToken with its
  // AuthTokenUpdateStrategy, and user groups added or removed, into the
  // spec; true when the client users changed.
  Result<bool> modifyAccess(const RequestContext& c, const Json& in, Resource& owner);
  // Records the client users `owner`'s spec now asks for (client_users.h),
  // sealed, and puts an available owner in modifying so that its nodes get
  // them. The caller stores the record.
  std::optional<ApiError> recordClientUsers(const RequestContext& c, Resource& owner);
  // Every replication group of the caller's account and region that uses
  // one of `userGroupIds`, its client users recorded again and stored (in
  // the caller's transaction).
  std::optional<ApiError> refreshGroupsUsing(const RequestContext& c, const std::vector<std::string>& userGroupIds);
  // Users and user groups: the stored record, or the default user made up
  // (it exists in every account and region); AWS's not-found faults.
  Result<Resource> findUser(const RequestContext& c, const std::string& id);
  Result<Resource> findUserGroup(const RequestContext& c, const std::string& id);
  // Every resource of a kind in the caller's account and region.
  std::vector<Resource> allOfKind(const RequestContext& c, const std::string& kind);

  Catalog& catalog_;
  Reconciler& reconciler_;
  PortAllocator& ports_;
  ElastiCacheConfig config_;
};

// What DescribeCacheClusters, DescribeReplicationGroups and
// DescribeSnapshots show (elasticache_views.cpp).
Json clusterView(const Resource& cluster, bool showNodes);
Json groupView(const Resource& group);
// The same for a group with cluster mode enabled: `view` is what groupView
// made, its node groups, configuration endpoint and members made over
// (cluster_mode_views.cpp).
Json clusterModeGroupView(const Resource& group, Json view);
// A snapshot of such a group: a NodeSnapshot per node group, `node` the
// one snapshotView made (times, size of all the images).
Json clusterModeSnapshotView(const Resource& snapshot, Json view, const Json& node);
// The member cache clusters of a group, as DescribeCacheClusters shows them.
std::vector<Json> memberClusterViews(const Resource& group, bool showNodes);
Json snapshotView(const Resource& snapshot);
// Users and user groups (user_views.cpp); `userGroups`: the ids of the user
// groups a user belongs to, `groups`: the replication groups using a user
// group.
Json userView(const Resource& user, const std::vector<std::string>& userGroups);
Json userGroupView(const Resource& userGroup, const std::vector<std::string>& groups);
// Page size from MaxRecords within [20, max], or InvalidParameterValue.
Result<size_t> pageSize(const Json& in, size_t max);

}  // namespace kura::elasticache
