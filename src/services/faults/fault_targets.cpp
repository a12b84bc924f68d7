#include "services/faults/fault_targets.h"

namespace kura::faults {
namespace {

using Json = nlohmann::json;

ApiError notFound(const std::string& type, const std::string& id) {
  return ApiError::sender("ResourceNotFoundException", "The " + type + " " + id + " was not found.", 404);
}

}  // namespace

Result<Resource> FaultTargets::writerOf(const RequestContext& context, const std::string& type,
                                        const std::string& id) const {
  auto found = catalog_.getResource(context.accountId, context.region, type, id);
  if (!found || found->goal == "deleted") return notFound(type, id);
  if (type == "db-instance" || type == "replication-group") return found;
  std::string writerArn = found->state.value("Writer", "");
  auto writer =
      writerArn.empty() ? Result<Resource>(notFound("writer of db-cluster", id)) : catalog_.getResourceByArn(writerArn);
  if (!writer || writer->accountId != context.accountId || writer->region != context.region) {
    return ApiError::sender("InvalidResourceStateException", "The db-cluster " + id + " has no writer instance.", 409);
  }
  return writer;
}

FaultTarget FaultTargets::node(const Resource& instance, const std::string& nodeName, const std::string& role) const {
  return {instance, role, instance.state["Nodes"][nodeName].value("AvailabilityZone", ""),
          paths_.nodeDir(instance, nodeName)};
}

// A replication group's member: its Redis server works in the member's
// folder (cache_paths.cpp: groups/<name>-<id>/<member>).
FaultTarget FaultTargets::member(const Resource& group, const std::string& name) const {
  std::string primary = group.state.value("Primary", "");
  Json members = group.state.value("Members", Json::object());
  std::string zone = members.contains(name) ? members[name].value("AvailabilityZone", "") : "";
  if (members.contains(name) && members[name].contains("NodeGroup")) {  // cluster mode enabled: its shard's primary
    std::string shard = members[name].value("NodeGroup", "");
    primary = group.state.value("NodeGroups", Json::object()).value(shard, Json::object()).value("Primary", "");
  }
  return {group, name == primary ? "primary" : "replica", zone,
          cacheRoot_ / "groups" / (group.name + "-" + std::to_string(group.id)) / name, name};
}

FaultTarget FaultTargets::primaryOf(const Resource& instance) const {
  if (instance.kind == "replication-group") return member(instance, instance.state.value("Primary", ""));
  if (rds::isMultiAz(instance)) return node(instance, rds::primaryNode(instance), "primary");
  std::string role = instance.spec.value("DBClusterIdentifier", "").empty() ? "instance" : "primary";
  return {instance, role, instance.spec.value("AvailabilityZone", ""), paths_.instanceDir(instance)};
}

std::vector<FaultTarget> FaultTargets::inZone(const RequestContext& context, const std::string& zone) const {
  std::vector<FaultTarget> targets;
  std::string after;
  while (true) {
    ResourcePage page = catalog_.listResources(context.accountId, context.region, "db-instance", after, 100);
    for (const Resource& instance : page.items) {
      if (instance.goal == "deleted") continue;
      if (!rds::isMultiAz(instance)) {
        if (instance.spec.value("AvailabilityZone", "") == zone) targets.push_back(primaryOf(instance));
        continue;
      }
      FaultTarget primary = primaryOf(instance);
      if (primary.zone == zone) targets.push_back(primary);
      FaultTarget standby = node(instance, rds::standbyNode(instance), "standby");
      if (standby.zone == zone) targets.push_back(standby);
    }
    if (!page.truncated || page.items.empty()) break;
    after = page.items.back().name;
  }
  after.clear();
  while (true) {
    ResourcePage page = catalog_.listResources(context.accountId, context.region, "replication-group", after, 100);
    for (const Resource& group : page.items) {
      if (group.goal == "deleted") continue;
      Json members = group.state.value("Members", Json::object());
      for (const auto& [name, placed] : members.items()) {
        if (placed.value("AvailabilityZone", "") == zone) targets.push_back(member(group, name));
      }
    }
    if (!page.truncated || page.items.empty()) break;
    after = page.items.back().name;
  }
  return targets;
}

}  // namespace kura::faults
