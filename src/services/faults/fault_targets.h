#pragma once
// What a fault acts on: the engine nodes of the caller's own RDS resources
// (a Single-AZ instance's server, a Multi-AZ instance's primary or
// standby, an Aurora cluster's writer) and of its ElastiCache replication
// groups (each member's Redis server), each with where its processes work
// and which zone it is in. Other accounts' resources are never found.
#include <filesystem>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/api_error.h"
#include "rds/rds_layout.h"
#include "services/core/request_context.h"

namespace kura::faults {

struct FaultTarget {
  Resource instance;
  std::string role;  // "primary" (a Multi-AZ instance's, a writer, a group's), "standby", "instance", "replica"
  std::string zone;
  std::filesystem::path dir;  // the node's directory: its processes work below it
  std::string member;         // a replication group's member ("" for an RDS instance)

  const std::string& name() const { return member.empty() ? instance.name : member; }
};

class FaultTargets {
 public:
  // cacheRoot: <data-dir>/elasticache (cache_paths.h), where a group's members work.
  FaultTargets(Catalog& catalog, rds::RdsPaths paths, std::filesystem::path cacheRoot)
      : catalog_(catalog), paths_(std::move(paths)), cacheRoot_(std::move(cacheRoot)) {}

  // The instance a resource's writes go to: the instance itself, a
  // cluster's writer, or a replication group (its primary member takes
  // them). ResourceNotFoundException when the caller has none.
  Result<Resource> writerOf(const RequestContext& context, const std::string& type, const std::string& id) const;
  // The node that takes the instance's writes now.
  FaultTarget primaryOf(const Resource& instance) const;
  // Every node of the caller's instances (in its region) placed in `zone`.
  std::vector<FaultTarget> inZone(const RequestContext& context, const std::string& zone) const;

 private:
  FaultTarget node(const Resource& instance, const std::string& node, const std::string& role) const;
  FaultTarget member(const Resource& group, const std::string& member) const;

  Catalog& catalog_;
  rds::RdsPaths paths_;
  std::filesystem::path cacheRoot_;
};

}  // namespace kura::faults
