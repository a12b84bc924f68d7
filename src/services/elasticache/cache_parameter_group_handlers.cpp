// Cache parameter groups (cache_parameter_groups.h): their handlers, and
// how a cluster or replication group takes a group's values.
#include <algorithm>
#include <cctype>

#include "cache/cache_parameters.h"
#include "catalog/resource_event.h"
#include "cache/memcached_nodes.h"
#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "services/elasticache/cache_parameter_groups.h"
#include "services/elasticache/elasticache_api.h"
#include "services/elasticache/elasticache_kinds.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_validation.h"

namespace kura::elasticache {
namespace {

constexpr size_t kGroupsPerRegion = 150;  // ElastiCache's default quota
constexpr size_t kValuesPerCall = 20;
constexpr const char* kClusterOn = ".cluster.on";

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}
ApiError notFound(const std::string& name) {
  return ApiError::sender("CacheParameterGroupNotFound", "CacheParameterGroup " + name + " not found.", 404);
}

std::vector<std::string> familiesOf(const CacheFamilies& families) {
  std::vector<std::string> out;
  for (const std::string& family :
       {cache::memcachedFamilyOf(families.memcachedVersion), cache::redisFamilyOf(families.redisVersion)}) {
    if (!family.empty() && cache::cacheParametersOf(family) != nullptr) out.push_back(family);
  }
  return out;
}

bool isRedisFamily(const std::string& family) { return family.rfind("redis", 0) == 0; }

// The default groups of the families, made up as ElastiCache shows them.
std::vector<Resource> defaultGroups(const RequestContext& c, const std::vector<std::string>& families) {
  std::vector<Resource> groups;
  auto add = [&](const std::string& name, const std::string& family, Json values) {
    Resource group;
    group.accountId = c.accountId;
    group.region = c.region;
    group.service = kService;
    group.kind = kCacheParameterGroup;
    group.name = name;
    group.arn = makeArn("elasticache", c.region, c.accountId, "parametergroup:" + name);
    group.spec = {{"CacheParameterGroupFamily", family},
                  {"Description", "Default parameter group for " + family},
                  {"Parameters", std::move(values)},
                  {"Default", true}};
    groups.push_back(std::move(group));
  };
  for (const std::string& family : families) {
    add("default." + family, family, Json::object());
    if (isRedisFamily(family)) add("default." + family + kClusterOn, family, Json{{"cluster-enabled", "yes"}});
  }
  std::sort(groups.begin(), groups.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  return groups;
}

Result<Resource> findGroup(Catalog& catalog, const RequestContext& c, const std::vector<std::string>& families,
                           const std::string& wanted) {
  std::string name = rds::lowerCase(wanted);
  for (Resource& group : defaultGroups(c, families)) {
    if (group.name == name) return group;
  }
  auto found = catalog.getResource(c.accountId, c.region, kCacheParameterGroup, name);
  if (!found) return notFound(wanted);
  return found;
}

// ElastiCache's rule: 1 to 255 letters, digits or hyphens, a letter first,
// no two hyphens in a row, none last.
std::optional<ApiError> checkName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 255 && std::isalpha(static_cast<unsigned char>(name[0])) &&
            name.back() != '-' && name.find("--") == std::string::npos &&
            std::all_of(name.begin(), name.end(),
                        [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'; });
  if (!ok) {
    return invalid("The parameter CacheParameterGroupName must be provided and must contain only letters, digits "
                   "and hyphens, begin with a letter and must not end with a hyphen or contain two consecutive "
                   "hyphens.");
  }
  return std::nullopt;
}

Json groupView(const Resource& group) {
  return {{"CacheParameterGroupName", group.name},
          {"CacheParameterGroupFamily", group.spec.value("CacheParameterGroupFamily", "")},
          {"Description", group.spec.value("Description", "")},
          {"IsGlobal", false},
          {"ARN", group.arn}};
}

// A parameter as DescribeCacheParameters shows it.
Json parameterView(const cache::CacheParameter& parameter, const std::string& value, const std::string& source,
                   const std::string& family) {
  Json view = {{"ParameterName", std::string(parameter.name)},
               {"Description", std::string(parameter.description)},
               {"Source", source},
               {"DataType", std::string(parameter.dataType)},
               {"IsModifiable", parameter.modifiable},
               {"MinimumEngineVersion", isRedisFamily(family) ? "7.0.0" : "1.6.6"},
               {"ChangeType", parameter.immediate ? "immediate" : "requires-reboot"}};
  if (!value.empty()) view["ParameterValue"] = value;
  if (!parameter.allowedValues.empty()) view["AllowedValues"] = std::string(parameter.allowedValues);
  return view;
}

// A page of a family's parameters after the Marker's name, with their
// sources; `source` filters (empty: all).
Result<Json> parametersPage(const Json& in, const std::string& family, const Json& values, bool defaultGroup,
                            const std::string& source) {
  auto limit = pageSize(in, 100);
  if (!limit) return limit.error();
  std::string after;
  if (in.contains("Marker")) {
    auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!decoded) return decoded.error();
    after = *decoded;
  }
  std::vector<Json> views;
  for (const auto& [parameter, value] : cache::effectiveCacheParameters(family, values)) {
    std::string name(parameter->name);
    bool set = values.contains(name);
    std::string from = !set ? "engine-default" : defaultGroup ? "system" : "user";
    if ((!source.empty() && source != from) || name <= after) continue;
    views.push_back(parameterView(*parameter, value, from, family));
  }
  std::sort(views.begin(), views.end(), [](const Json& a, const Json& b) {
    return a["ParameterName"].get<std::string>() < b["ParameterName"].get<std::string>();
  });
  Json out = {{"Parameters", Json::array()}, {"CacheNodeTypeSpecificParameters", Json::array()}};
  for (size_t i = 0; i < views.size() && i < *limit; ++i) out["Parameters"].push_back(views[i]);
  if (views.size() > *limit) out["Marker"] = encodeAfterName(views[*limit - 1]["ParameterName"].get<std::string>());
  return out;
}

// Every cluster and replication group of the caller's that uses `name`.
std::vector<Resource> ownersUsing(Catalog& catalog, const RequestContext& c, const std::string& name) {
  std::vector<Resource> owners;
  for (const char* kind : {kCluster, kReplicationGroup}) {
    for (Resource& owner : catalog.listAllOfKind(kind)) {
      if (owner.accountId == c.accountId && owner.region == c.region && owner.status != kDeleted &&
          owner.goal != kDeleted && owner.spec.value("CacheParameterGroupName", "") == name) {
        owners.push_back(std::move(owner));
      }
    }
  }
  return owners;
}

// Every node of an owner, as NodesToRebootForParameters names them.
std::vector<std::string> nodesOf(const Resource& owner) {
  std::vector<std::string> nodes;
  const char* member = owner.kind == kReplicationGroup ? "Members" : "Nodes";
  if (owner.state.contains(member)) {
    for (const auto& [node, _] : owner.state[member].items()) nodes.push_back(node);
  } else {
    nodes.push_back(kNodeId);
  }
  return nodes;
}

void addEvent(Catalog& catalog, const Resource& source, const std::string& message) {
  addResourceEvent(catalog, source, message, "configuration change");
}

// The owner takes `values` (its group's): the immediate ones are set on its
// running nodes by the supervisor, the others wait for each node's reboot.
void takeValues(Catalog& catalog, Resource& owner, const Json& values, bool addEvents) {
  std::string family = cache::cacheFamilyOfOwner(owner);
  Json before = owner.spec.value("CacheParameters", Json::object());
  owner.spec["CacheParameters"] = values;
  if (before == values) return;
  if (!cache::isMemcached(owner) && cache::immediateChangeBetween(family, before, values)) {
    owner.state["ParametersToApply"] = true;
  }
  if (cache::rebootNeededBetween(family, before, values)) {
    owner.state["NodesToRebootForParameters"] = nodesOf(owner);
    if (addEvents) {
      addEvent(catalog, owner, "Cache parameter group " + owner.spec.value("CacheParameterGroupName", "") +
                                   " changed: its nodes must be rebooted for some of its parameters to apply");
    }
  }
}

// The new values of a group stored, and taken by every cluster and group
// using it, in one transaction.
Result<Json> storeValues(Catalog& catalog, const RequestContext& c, const std::vector<std::string>& families,
                         const std::string& name, const std::function<std::optional<ApiError>(Json&)>& change,
                         const std::string& message) {
  return catalog.transact([&]() -> Result<Json> {
    auto group = findGroup(catalog, c, families, name);
    if (!group) return group.error();
    if (group->spec.value("Default", false)) {
      return invalid("Default parameter group " + group->name + " cannot be modified.");
    }
    Json values = group->spec.value("Parameters", Json::object());
    if (auto error = change(values)) return *error;
    group->spec["Parameters"] = values;
    auto stored = catalog.updateResource(*group);
    if (!stored) return stored.error();
    for (Resource& owner : ownersUsing(catalog, c, group->name)) {
      takeValues(catalog, owner, values, true);
      if (auto updated = catalog.updateResource(owner); !updated) return updated.error();
    }
    addEvent(catalog, *stored, message);
    return Json{{"CacheParameterGroupName", stored->name}};
  });
}

// ParameterNameValues checked against the family: each a parameter it has,
// modifiable, with a value it allows.
Result<std::vector<std::pair<std::string, std::string>>> checkedValues(const Json& in, const std::string& family,
                                                                      bool needValues) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json list = in.value("ParameterNameValues", Json::array());
  if (!list.is_array() || list.size() > kValuesPerCall) {
    return invalid("ParameterNameValues may name at most " + std::to_string(kValuesPerCall) + " parameters.");
  }
  for (const Json& item : list) {
    std::string name = item.value("ParameterName", "");
    const cache::CacheParameter* parameter = cache::findCacheParameter(family, name);
    if (parameter == nullptr) return invalid("Unknown parameter for " + family + ": " + name);
    if (!parameter->modifiable) return invalid("Parameter " + name + " is not modifiable.");
    std::string value = item.value("ParameterValue", "");
    if (needValues) {
      if (!item.contains("ParameterValue")) return invalid("Parameter " + name + " has no value.");
      if (std::string why = cache::invalidCacheParameterValue(*parameter, value); !why.empty()) return invalid(why);
    }
    out.emplace_back(name, value);
  }
  return out;
}

std::string familyOfGroup(const Resource& group) { return group.spec.value("CacheParameterGroupFamily", ""); }

class Handlers {
 public:
  Handlers(Catalog& catalog, const CacheFamilies& families) : catalog_(catalog), families_(familiesOf(families)) {}

  Result<Json> create(const RequestContext& c, const Json& in) {
    std::string name = rds::lowerCase(in.value("CacheParameterGroupName", ""));
    if (auto error = checkName(name)) return *error;
    std::string family = in.value("CacheParameterGroupFamily", "");
    if (std::find(families_.begin(), families_.end(), family) == families_.end()) {
      std::string offered;
      for (const std::string& each : families_) offered += (offered.empty() ? "" : ", ") + each;
      return invalid("The parameter CacheParameterGroupFamily is not a family this host runs (" + offered + ").");
    }
    Resource draft;
    draft.accountId = c.accountId;
    draft.region = c.region;
    draft.service = kService;
    draft.kind = kCacheParameterGroup;
    draft.name = name;
    draft.arn = makeArn("elasticache", c.region, c.accountId, "parametergroup:" + name);
    draft.status = kAvailable;
    draft.goal = kAvailable;
    draft.spec = {{"CacheParameterGroupFamily", family},
                  {"Description", in.value("Description", "")},
                  {"Parameters", Json::object()}};
    auto created = catalog_.transact([&]() -> Result<Resource> {
      if (findGroup(catalog_, c, families_, name)) {
        return ApiError::sender("CacheParameterGroupAlreadyExists",
                                "Cache parameter group " + name + " already exists.");
      }
      if (catalog_.listResources(c.accountId, c.region, kCacheParameterGroup, "", kGroupsPerRegion).items.size() >=
          kGroupsPerRegion) {
        return ApiError::sender("CacheParameterGroupQuotaExceeded",
                                "The quota of " + std::to_string(kGroupsPerRegion) + " cache parameter groups is reached.");
      }
      auto stored = catalog_.createResource(draft);
      if (!stored) return stored;
      catalog_.addTags(stored->arn, rds::tagsFromInput(in));
      addEvent(catalog_, *stored, "Cache parameter group created");
      return stored;
    });
    if (!created) return created.error();
    return Json{{"CacheParameterGroup", groupView(*created)}};
  }

  Result<Json> describe(const RequestContext& c, const Json& in) {
    auto limit = pageSize(in, 100);
    if (!limit) return limit.error();
    if (in.contains("CacheParameterGroupName")) {
      auto group = findGroup(catalog_, c, families_, in["CacheParameterGroupName"]);
      if (!group) return group.error();
      return Json{{"CacheParameterGroups", Json::array({groupView(*group)})}};
    }
    std::string after;
    if (in.contains("Marker")) {
      auto decoded = decodeAfterName(in["Marker"].get<std::string>(), "InvalidParameterValue");
      if (!decoded) return decoded.error();
      after = *decoded;
    }
    // The defaults and the recorded groups, by name; the catalog read only
    // as far as the page needs.
    std::vector<Resource> groups;
    for (Resource& group : defaultGroups(c, families_)) {
      if (group.name > after) groups.push_back(std::move(group));
    }
    ResourcePage page = catalog_.listResources(c.accountId, c.region, kCacheParameterGroup, after, *limit + 1);
    for (Resource& group : page.items) groups.push_back(std::move(group));
    std::sort(groups.begin(), groups.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
    Json out = {{"CacheParameterGroups", Json::array()}};
    for (size_t i = 0; i < groups.size() && i < *limit; ++i) out["CacheParameterGroups"].push_back(groupView(groups[i]));
    if (groups.size() > *limit) out["Marker"] = encodeAfterName(groups[*limit - 1].name);
    return out;
  }

  Result<Json> modify(const RequestContext& c, const Json& in) {
    auto group = findGroup(catalog_, c, families_, in.value("CacheParameterGroupName", ""));
    if (!group) return group.error();
    auto values = checkedValues(in, familyOfGroup(*group), true);
    if (!values) return values.error();
    if (values->empty()) return invalid("ParameterNameValues must name at least one parameter.");
    std::string names;
    for (const auto& [name, value] : *values) names += (names.empty() ? "" : ", ") + name;
    return storeValues(catalog_, c, families_, group->name, [&](Json& stored) -> std::optional<ApiError> {
      for (const auto& [name, value] : *values) stored[name] = value;
      // A group in use may not turn its owners' cluster mode on or off.
      bool on = stored.value("cluster-enabled", "no") == "yes";
      for (const Resource& owner : ownersUsing(catalog_, c, group->name)) {
        if (on != owner.spec.value("ClusterEnabled", false)) {
          return combination("Cache parameter group " + group->name + " is in use by " + owner.name +
                             ", a cluster with cluster mode " + (on ? "disabled" : "enabled") +
                             ": cluster-enabled cannot change.");
        }
      }
      return std::nullopt;
    }, "Cache parameter group modified: " + names);
  }

  Result<Json> reset(const RequestContext& c, const Json& in) {
    auto group = findGroup(catalog_, c, families_, in.value("CacheParameterGroupName", ""));
    if (!group) return group.error();
    bool all = in.value("ResetAllParameters", false);
    auto names = checkedValues(in, familyOfGroup(*group), false);
    if (!names) return names.error();
    if (all == !names->empty()) {
      return combination("Give either ResetAllParameters or the ParameterNameValues to reset, not both.");
    }
    return storeValues(catalog_, c, families_, group->name, [&](Json& stored) -> std::optional<ApiError> {
      if (all) stored = Json::object();
      for (const auto& [name, value] : *names) stored.erase(name);
      return std::nullopt;
    }, all ? "Cache parameter group reset" : "Cache parameter group reset: " + std::to_string(names->size()) +
                                                 " parameters");
  }

  Result<Json> remove(const RequestContext& c, const Json& in) {
    std::string name = in.value("CacheParameterGroupName", "");
    return catalog_.transact([&]() -> Result<Json> {
      auto group = findGroup(catalog_, c, families_, name);
      if (!group) return group.error();
      if (group->spec.value("Default", false)) {
        return ApiError::sender("InvalidCacheParameterGroupState",
                                "Default parameter group " + group->name + " cannot be deleted.");
      }
      if (auto owners = ownersUsing(catalog_, c, group->name); !owners.empty()) {
        return ApiError::sender("InvalidCacheParameterGroupState", "Cache parameter group " + group->name +
                                                                       " is in use by " + owners.front().name + ".");
      }
      catalog_.removeResource(group->id);
      catalog_.deleteAllTags(group->arn);
      return Json::object();
    });
  }

  Result<Json> describeParameters(const RequestContext& c, const Json& in) {
    auto group = findGroup(catalog_, c, families_, in.value("CacheParameterGroupName", ""));
    if (!group) return group.error();
    std::string source = in.value("Source", "");
    if (!source.empty() && source != "user" && source != "system" && source != "engine-default") {
      return invalid("Source must be one of user, system, engine-default.");
    }
    return parametersPage(in, familyOfGroup(*group), group->spec.value("Parameters", Json::object()),
                          group->spec.value("Default", false), source);
  }

  Result<Json> engineDefaults(const RequestContext&, const Json& in) {
    std::string family = in.value("CacheParameterGroupFamily", "");
    if (std::find(families_.begin(), families_.end(), family) == families_.end()) {
      return invalid("The parameter CacheParameterGroupFamily is not a family this host runs.");
    }
    auto page = parametersPage(in, family, Json::object(), false, "");
    if (!page) return page.error();
    (*page)["CacheParameterGroupFamily"] = family;
    return Json{{"EngineDefaults", *page}};
  }

 private:
  Catalog& catalog_;
  std::vector<std::string> families_;  // of the installed engines
};

// The values of the group named, for an owner of `family` (with cluster
// mode enabled or not: the group's cluster-enabled must say the same).
Result<Json> valuesFor(Catalog& catalog, const RequestContext& c, const std::string& name, const std::string& family,
                       bool clusterMode) {
  // A default group of another family is found, to be refused as such.
  auto group = findGroup(catalog, c, cache::cacheParameterFamilies(), name);
  if (!group) return group.error();
  if (familyOfGroup(*group) != family) {
    return combination("Cache parameter group " + group->name + " is of family " + familyOfGroup(*group) +
                       ", not the engine's " + family + ".");
  }
  Json values = group->spec.value("Parameters", Json::object());
  bool clusterEnabled = values.value("cluster-enabled", "no") == "yes";
  if (clusterEnabled && !clusterMode && family.rfind("redis", 0) == 0) {
    return combination("Cache parameter group " + group->name +
                       " turns cluster mode on (cluster-enabled yes): it is for replication groups with cluster mode "
                       "enabled.");
  }
  if (!clusterEnabled && clusterMode) {
    return combination("Cache parameter group " + group->name +
                       " has cluster mode off (cluster-enabled no): a replication group with cluster mode enabled needs "
                       "a group with cluster-enabled yes, such as default." + family + ".cluster.on.");
  }
  return values;
}

}  // namespace

void registerCacheParameterGroupHandlers(HandlerTable& table, Catalog& catalog, CacheFamilies families) {
  auto handlers = std::make_shared<Handlers>(catalog, families);
  auto bind = [&](const char* operation, Result<Json> (Handlers::*method)(const RequestContext&, const Json&)) {
    table.add(operation, [handlers, method](const RequestContext& c, const Json& in) {
      return ((*handlers).*method)(c, in);
    });
  };
  bind("CreateCacheParameterGroup", &Handlers::create);
  bind("DescribeCacheParameterGroups", &Handlers::describe);
  bind("ModifyCacheParameterGroup", &Handlers::modify);
  bind("ResetCacheParameterGroup", &Handlers::reset);
  bind("DeleteCacheParameterGroup", &Handlers::remove);
  bind("DescribeCacheParameters", &Handlers::describeParameters);
  bind("DescribeEngineDefaultParameters", &Handlers::engineDefaults);
}

std::optional<ApiError> placeCacheParameterGroup(Catalog& catalog, const RequestContext& c, const Json& in,
                                                 const std::string& family, Json& spec) {
  bool clusterMode = spec.value("ClusterEnabled", false);
  std::string name =
      rds::lowerCase(in.value("CacheParameterGroupName", "default." + family + (clusterMode ? kClusterOn : "")));
  auto values = valuesFor(catalog, c, name, family, clusterMode);
  if (!values) return values.error();
  spec["CacheParameterGroupName"] = name;
  spec["CacheParameters"] = *values;
  return std::nullopt;
}

std::optional<ApiError> changeCacheParameterGroup(Catalog& catalog, const RequestContext& c, const Json& in,
                                                  Resource& owner) {
  if (!in.contains("CacheParameterGroupName")) return std::nullopt;
  std::string name = rds::lowerCase(in["CacheParameterGroupName"].get<std::string>());
  auto values = valuesFor(catalog, c, name, cache::cacheFamilyOfOwner(owner), owner.spec.value("ClusterEnabled", false));
  if (!values) return values.error();
  if (name != owner.spec.value("CacheParameterGroupName", "")) {
    addEvent(catalog, owner, "Cache parameter group changed to " + name);
  }
  owner.spec["CacheParameterGroupName"] = name;
  takeValues(catalog, owner, *values, false);
  return std::nullopt;
}

Json cacheParameterGroupStatus(const Resource& cluster) {
  std::string status = cluster.state.value("ParametersToApply", false) ? "applying" : "in-sync";
  Json reboot = Json::array();
  std::vector<std::string> pending = cluster.state.value("NodesToRebootForParameters", std::vector<std::string>());
  if (cluster.kind == kReplicationGroup) {
    // A member's one node.
    if (std::find(pending.begin(), pending.end(), cluster.name) != pending.end()) reboot.push_back(kNodeId);
  } else {
    for (const std::string& node : pending) reboot.push_back(node);
  }
  if (!reboot.empty()) status = "pending-reboot";
  return {{"CacheParameterGroupName", cluster.spec.value("CacheParameterGroupName", "")},
          {"ParameterApplyStatus", status},
          {"CacheNodeIdsToReboot", reboot}};
}

std::string cacheNodeParameterStatus(const Resource& cluster, const std::string& node) {
  std::vector<std::string> pending = cluster.state.value("NodesToRebootForParameters", std::vector<std::string>());
  std::string key = cluster.kind == kReplicationGroup ? cluster.name : node;
  if (std::find(pending.begin(), pending.end(), key) != pending.end()) return "pending-reboot";
  return cluster.state.value("ParametersToApply", false) ? "applying" : "in-sync";
}

}  // namespace kura::elasticache
