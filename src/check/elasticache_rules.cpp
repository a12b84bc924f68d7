// Section 3 of the runbook: every ElastiCache replication group and every
// cache cluster outside one.
#include "check/json_fields.h"
#include "check/rule_groups.h"

namespace kura::check {
namespace {

constexpr long long kMinSnapshotDays = 7;

struct CacheTarget {
  std::string arn, id;
  bool group = false;  // a replication group (else a standalone cluster)
  bool redis = true;   // Redis or Valkey; else Memcached
  nlohmann::json raw;
};

std::string modifyCommand(const CheckContext& context, const CacheTarget& target) {
  return context.aws("elasticache") +
         (target.group ? " modify-replication-group --replication-group-id "
                       : " modify-cache-cluster --cache-cluster-id ") +
         target.id;
}

// Encryption a cluster cannot gain in place: a new replication group from its snapshot.
std::string rebuildCommand(const CheckContext& context, const CacheTarget& target, const std::string& options) {
  std::string cache = context.aws("elasticache");
  std::string snapshot = target.id + "-before-encryption";
  return cache + " create-snapshot " + (target.group ? "--replication-group-id " : "--cache-cluster-id ") + target.id +
         " --snapshot-name " + snapshot + " && " + cache + " create-replication-group --replication-group-id " +
         target.id + "-enc --replication-group-description \"" + target.id + " encrypted\" --snapshot-name " +
         snapshot + " --engine redis --num-cache-clusters 2 --multi-az-enabled --automatic-failover-enabled " + options;
}

void checkAvailability(CheckContext& context, const CacheTarget& target) {
  if (target.group) {
    std::string multiAz = textOf(target.raw, "MultiAZ"), failover = textOf(target.raw, "AutomaticFailover");
    if (multiAz == "enabled" && failover == "enabled") {
      context.passed("elasticache-multi-az", target.arn, "Multi-AZ with automatic failover");
    } else {
      context.failed(
          "elasticache-multi-az", target.arn,
          "Multi-AZ " + (multiAz.empty() ? "disabled" : multiAz) + ", automatic failover " +
              (failover.empty() ? "disabled" : failover),
          modifyCommand(context, target) + " --multi-az-enabled --automatic-failover-enabled --apply-immediately");
    }
    return;
  }
  long long nodes = numberOf(target.raw, "NumCacheNodes").value_or(1);
  if (!target.redis) {
    if (nodes >= 2 && textOf(target.raw, "PreferredAvailabilityZone") == "Multiple") {
      context.passed("elasticache-multi-az", target.arn, std::to_string(nodes) + " nodes across zones");
    } else {
      context.failed("elasticache-multi-az", target.arn, std::to_string(nodes) + " node(s) in one zone",
                     context.aws("elasticache") + " modify-cache-cluster --cache-cluster-id " + target.id +
                         " --num-cache-nodes 2 --az-mode cross-az --apply-immediately");
    }
    return;
  }
  std::string cache = context.aws("elasticache");
  context.failed("elasticache-multi-az", target.arn, "a single Redis node outside any replication group",
                 cache + " create-replication-group --replication-group-id " + target.id +
                     "-rg --replication-group-description \"" + target.id + " with failover\" --primary-cluster-id " +
                     target.id + " && " + cache + " increase-replica-count --replication-group-id " + target.id +
                     "-rg --new-replica-count 1 --apply-immediately && " + cache +
                     " modify-replication-group --replication-group-id " + target.id +
                     "-rg --multi-az-enabled --automatic-failover-enabled --apply-immediately");
}

void checkTarget(CheckContext& context, const CacheTarget& target) {
  checkAvailability(context, target);
  if (target.redis) {
    long long days = numberOf(target.raw, "SnapshotRetentionLimit").value_or(0);
    if (days >= kMinSnapshotDays) {
      context.passed("elasticache-snapshot-retention", target.arn, "snapshots kept " + std::to_string(days) + " days");
    } else {
      context.failed(
          "elasticache-snapshot-retention", target.arn,
          days == 0 ? std::string("automatic snapshots off") : "snapshots kept " + std::to_string(days) + " days",
          modifyCommand(context, target) + " --snapshot-retention-limit 7 --apply-immediately");
    }
    if (flagOf(target.raw, "AtRestEncryptionEnabled")) {
      context.noteKeyUse(textOf(target.raw, "KmsKeyId"), target.arn);
      context.passed("elasticache-encryption-at-rest", target.arn, "encrypted at rest");
    } else {
      context.failed("elasticache-encryption-at-rest", target.arn, "not encrypted at rest",
                     rebuildCommand(context, target, "--at-rest-encryption-enabled --transit-encryption-enabled"));
    }
    bool authenticated = flagOf(target.raw, "AuthTokenEnabled") || !listOf(target.raw, "UserGroupIds").empty();
    if (authenticated) {
      context.passed("elasticache-auth", target.arn, "clients authenticate (AUTH token or user group)");
    } else {
      context.failed(
          "elasticache-auth", target.arn, "no AUTH token and no user group",
          modifyCommand(context, target) +
              " --auth-token <16 to 128 characters> --auth-token-update-strategy ROTATE --apply-immediately");
    }
  }
  if (flagOf(target.raw, "TransitEncryptionEnabled")) {
    context.passed("elasticache-encryption-in-transit", target.arn, "TLS in transit");
  } else {
    context.failed("elasticache-encryption-in-transit", target.arn, "no TLS in transit",
                   target.group
                       ? modifyCommand(context, target) +
                             " --transit-encryption-enabled --transit-encryption-mode preferred --apply-immediately"
                       : rebuildCommand(context, target, "--transit-encryption-enabled"));
  }
}

void unreadableAll(CheckContext& context, const std::string& what, const client::CallError& error) {
  for (const char* rule : {"elasticache-multi-az", "elasticache-snapshot-retention", "elasticache-encryption-at-rest",
                           "elasticache-encryption-in-transit", "elasticache-auth"}) {
    context.unreadable(rule, "elasticache:" + context.region(), what, error);
  }
}

}  // namespace

void checkElastiCache(CheckContext& context) {
  const auto& groups = context.read("elasticache", "DescribeReplicationGroups");
  if (const auto* error = client::errorOf(groups)) {
    unreadableAll(context, "DescribeReplicationGroups", *error);
  } else {
    for (const auto& group : listOf(*client::outputOf(groups), "ReplicationGroups")) {
      CacheTarget target{textOf(group, "ARN"), textOf(group, "ReplicationGroupId"), true,
                         textOf(group, "Engine") != "memcached", group};
      if (target.arn.empty()) target.arn = target.id;
      checkTarget(context, target);
    }
  }
  const auto& clusters = context.read("elasticache", "DescribeCacheClusters");
  if (const auto* error = client::errorOf(clusters)) {
    unreadableAll(context, "DescribeCacheClusters", *error);
    return;
  }
  for (const auto& cluster : listOf(*client::outputOf(clusters), "CacheClusters")) {
    if (!textOf(cluster, "ReplicationGroupId").empty()) continue;  // checked with its group
    CacheTarget target{textOf(cluster, "ARN"), textOf(cluster, "CacheClusterId"), false,
                       textOf(cluster, "Engine") != "memcached", cluster};
    if (target.arn.empty()) target.arn = target.id;
    checkTarget(context, target);
  }
}

}  // namespace kura::check
