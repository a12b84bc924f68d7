#pragma once
// The condition keys of a call beside the global ones (docs/iam.md), as the
// services' authorization reference defines them, filled from the call's
// input and, for a resource's tags, from the catalog:
//  - every service: aws:RequestTag/<key> (the tags a call sets) and
//    aws:TagKeys (their keys, or those an untagging call names: several
//    values), aws:ResourceTag/<key> (the tags of each resource the call acts
//    on that the catalog holds: RDS, Aurora, ElastiCache, EC2; DynamoDB's
//    tables keep theirs: iam/dynamodb_condition_keys.h);
//  - rds: rds:DatabaseEngine, rds:DatabaseClass, rds:StorageEncrypted,
//    rds:MultiAz, rds:Piops (CreateDBInstance, CreateDBCluster, and the calls
//    that name them), rds:req-tag/<key>, and the resource's tags as
//    rds:db-tag/, cluster-tag/, snapshot-tag/, cluster-snapshot-tag/,
//    subgrp-tag/, pg-tag/, cluster-pg-tag/ <key>;
//  - iam: iam:PermissionsBoundary (the boundary a call sets, or the one of
//    the user or role whose policies or boundary a call changes),
//    iam:PolicyARN (the managed policy an Attach or Detach call names);
//  - elasticache: elasticache:CacheNodeType, EngineType, EngineVersion,
//    AtRestEncryptionEnabled, TransitEncryptionEnabled, AuthTokenEnabled,
//    MultiAZEnabled, AutomaticFailoverEnabled, NumNodeGroups,
//    ReplicasPerNodeGroup, SnapshotRetentionLimit, KmsKeyId,
//    CacheParameterGroupName of the calls that name them (the flags false
//    on CreateCacheCluster and CreateReplicationGroup unless given);
//  - dynamodb: iam/dynamodb_condition_keys.h.
// Only the keys `wanted` (those the principal's policies read, lower case)
// are looked for: a principal without conditions costs nothing.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/policy_evaluation.h"
#include "catalog/catalog.h"
#include "services/core/request_context.h"

namespace kura::iam {

void addServiceKeys(const RequestContext& context, const nlohmann::json& input, const std::vector<std::string>& wanted,
                    Catalog& catalog, auth::RequestFacts& facts);

// Whether some key of `wanted` starts with `prefix` (lower case).
bool wantsPrefix(const std::vector<std::string>& wanted, std::string_view prefix);

}  // namespace kura::iam
