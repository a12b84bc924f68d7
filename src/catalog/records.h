#pragma once
// The records of the catalog: what Kura knows durably about every resource,
// the events users read back with DescribeEvents, tags, the reconciler's
// journal and idempotency tokens. Plain values; the Catalog stores them.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace kura {

// One resource of any service, scoped by account and region (regions are
// separate namespaces). Ownership of the fields, which the reconciler relies
// on when an API call and a controller change the same record at once:
//  - spec and goal belong to the API: what the user asked for;
//  - state belongs to the controllers: what they learned (ports, paths, pids);
//  - status is written by controllers as they make progress, and by the API
//    only together with a new goal (e.g. goal "deleted", status "deleting").
struct Resource {
  int64_t id = 0;          // assigned by the catalog
  std::string accountId;
  std::string region;
  std::string service;     // rds, elasticache, dynamodb, ...
  std::string kind;        // db-instance, db-snapshot, cache-cluster, test-sleeper, ...
  std::string name;        // the identifier the user chose
  std::string arn;
  std::string status;      // what it is now, e.g. "creating"
  std::string goal;        // what it should become, e.g. "available" or "deleted"
  nlohmann::json spec = nlohmann::json::object();   // what the user asked for
  nlohmann::json state = nlohmann::json::object();  // what controllers learned
  SystemTime createdAt{};  // set by the catalog
  SystemTime updatedAt{};  // set by the catalog on every write
  int64_t version = 0;     // 1 on create, +1 on every update (optimistic locking)

  bool pending() const { return status != goal; }
};

// An event as RDS DescribeEvents (and ElastiCache's) shows it.
struct Event {
  int64_t id = 0;  // assigned by the catalog; increases with time of insertion
  std::string accountId;
  std::string region;
  std::string sourceType;  // db-instance, db-snapshot, cache-cluster, ...
  std::string sourceId;    // the resource's identifier
  std::string sourceArn;
  std::string message;
  std::vector<std::string> categories;  // creation, deletion, backup, failover, ...
  SystemTime date{};  // the catalog's clock when left at the epoch
};

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

// One entry of the reconciler's journal for a resource.
struct OperationStep {
  int64_t id = 0;
  int64_t resourceId = 0;
  std::string step;    // e.g. "creating -> step-1"
  std::string detail;  // free text: outcome, error, controller's note
  SystemTime at{};
};

// What an idempotency token remembers: the hash of the request that first
// used it and the response that request got.
struct StoredToken {
  std::string requestHash;
  std::string responseJson;
  SystemTime expiresAt{};
};

}  // namespace kura
