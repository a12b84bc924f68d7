// DB parameter groups: the installed PostgreSQL's settings, a group's
// values checked by PostgreSQL itself, and applied to the instances that
// use the group (dynamic ones at once, static ones at the next reboot; the
// RDS supervisor does the applying).
#include <algorithm>

#include "catalog/arn.h"
#include "services/rds/mysql_engines.h"
#include "services/rds/rds_api.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/rds_validation.h"

namespace kura::rds {

// What tells DB parameter groups and DB cluster parameter groups apart; the
// handlers are the same.
struct ParameterGroupFlavor {
  const char* kind;        // catalog kind
  const char* engine;      // family prefix: "postgres", "aurora-postgresql"
  const char* otherEngine;  // a second family prefix these groups may have (Aurora instances' DB groups), or null
  const char* nameMember;  // DBParameterGroupName / DBClusterParameterGroupName
  const char* arnMember;   // DBParameterGroupArn / DBClusterParameterGroupArn
  const char* arnPrefix;   // pg: / cluster-pg:
  const char* usedBy;      // the kind of the resources that use a group
  const char* useMember;   // and their spec member naming it
};

namespace {

constexpr size_t kMaxParametersPerCall = 20;
// DB parameter groups serve RDS instances (family postgresN) and the
// instances of Aurora clusters (aurora-postgresqlN).
constexpr ParameterGroupFlavor kInstanceGroups{kParameterGroup,        "postgres",  kAuroraEngine,
                                               "DBParameterGroupName", "DBParameterGroupArn", "pg:",
                                               kInstance,              "DBParameterGroupName"};
constexpr ParameterGroupFlavor kClusterGroups{kClusterParameterGroup,         kAuroraEngine,  nullptr,
                                              "DBClusterParameterGroupName", "DBClusterParameterGroupArn",
                                              "cluster-pg:",                 kCluster,       "DBClusterParameterGroup"};

// The families of a flavor's groups on this installation ("postgres15", ...).
std::vector<std::string> familiesOf(const ParameterGroupFlavor& flavor, int major) {
  std::vector<std::string> families = {flavor.engine + std::to_string(major)};
  if (flavor.otherEngine != nullptr) families.push_back(flavor.otherEngine + std::to_string(major));
  return families;
}

Resource defaultGroupOf(const ParameterGroupFlavor& flavor, const RequestContext& c, const std::string& family) {
  Resource group;
  group.accountId = c.accountId;
  group.region = c.region;
  group.kind = flavor.kind;
  group.name = "default." + family;
  group.arn = makeArn("rds", c.region, c.accountId, flavor.arnPrefix + group.name);
  group.spec = {{"DBParameterGroupFamily", family},
                {"Description", "Default parameter group for " + family},
                {"Parameters", Json::object()},
                {"Default", true}};
  return group;
}

ApiError notFound(const std::string& name) {
  return ApiError::sender("DBParameterGroupNotFound", "DBParameterGroup not found: " + name, 404);
}
ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }
ApiError invalidState(std::string message) {
  return ApiError::sender("InvalidDBParameterGroupState", std::move(message));
}

const EngineParameter* findEngineParameter(const std::vector<EngineParameter>& all, const std::string& name) {
  auto it = std::lower_bound(all.begin(), all.end(), name,
                             [](const EngineParameter& p, const std::string& n) { return p.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

Json groupView(const ParameterGroupFlavor& flavor, const Resource& group) {
  return {{flavor.nameMember, group.name},
          {"DBParameterGroupFamily", group.spec.value("DBParameterGroupFamily", "")},
          {"Description", group.spec.value("Description", "")},
          {flavor.arnMember, group.arn}};
}

Json parameterView(const EngineParameter& p, const Json* userValue) {
  Json view = {{"ParameterName", p.name},
               {"Description", p.description},
               {"Source", userValue != nullptr ? "user" : "engine-default"},
               {"ApplyType", p.isStatic() ? "static" : "dynamic"},
               {"DataType", p.dataType()},
               {"IsModifiable", p.isModifiable()},
               {"ApplyMethod", p.isStatic() ? "pending-reboot" : "immediate"}};
  if (userValue != nullptr) {
    view["ParameterValue"] = (*userValue)["value"];
  } else if (!p.defaultValue.empty()) {
    view["ParameterValue"] = p.defaultValue;
  }
  if (!p.minimum.empty() || !p.maximum.empty()) view["AllowedValues"] = p.minimum + "-" + p.maximum;
  if (p.type == "BOOLEAN") view["AllowedValues"] = "0,1";
  return view;
}

// The first `count` groups named after `after`, stored and default ones
// together, by name: one page of the catalog, however many groups there are.
std::vector<Resource> groupsAfter(Catalog& catalog, const RequestContext& c, const std::vector<Resource>& defaults,
                                  const std::string& after, size_t count) {
  std::vector<Resource> groups;
  for (const Resource& group : defaults) {
    if (group.name > after) groups.push_back(group);
  }
  ResourcePage page = catalog.listResources(c.accountId, c.region, defaults.front().kind, after, count);
  for (Resource& r : page.items) groups.push_back(std::move(r));
  std::sort(groups.begin(), groups.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  if (groups.size() > count) groups.resize(count);
  return groups;
}

// A page of `items` after the name in Marker (MaxRecords 20-100, 100 by default).
template <typename T, typename Name>
Result<Json> pageOf(const std::vector<T>& items, const Json& in, const char* listName, Name&& nameOf,
                    const std::function<Json(const T&)>& render) {
  int64_t limit = in.value("MaxRecords", 100);
  if (limit < 20 || limit > 100) {
    return invalid("Invalid value " + std::to_string(limit) + " for MaxRecords. Must be between 20 and 100");
  }
  std::string after = in.value("Marker", "");
  Json out = {{listName, Json::array()}};
  for (const T& item : items) {
    if (!after.empty() && nameOf(item) <= after) continue;
    if (out[listName].size() == static_cast<size_t>(limit)) {
      out["Marker"] = nameOf(out[listName].back());
      break;
    }
    out[listName].push_back(render(item));
  }
  return out;
}

}  // namespace

std::string RdsApi::defaultParameterGroup() const {
  return "default.postgres" + std::to_string(config_.installedPostgresMajor);
}

std::string RdsApi::parameterFamilyOf(const std::string& engine) const {
  if (servedByMariaDb(engine)) return mySqlFamily(engine, config_.installedMariaDbVersion);
  return engine + std::to_string(config_.installedPostgresMajor);
}

std::string RdsApi::defaultParameterGroupOf(const std::string& engine) const {
  return "default." + parameterFamilyOf(engine);
}

std::vector<std::string> RdsApi::groupFamilies(const ParameterGroupFlavor& flavor) const {
  std::vector<std::string> families = familiesOf(flavor, config_.installedPostgresMajor);
  // DB parameter groups serve MySQL, MariaDB and Aurora MySQL instances too;
  // DB cluster parameter groups Aurora MySQL clusters.
  if (!config_.installedMariaDbVersion.empty()) {
    if (flavor.kind == std::string(kParameterGroup)) {
      for (const char* engine : {"mysql", "mariadb"}) families.push_back(parameterFamilyOf(engine));
    }
    families.push_back(parameterFamilyOf(kAuroraMySqlEngine));
  }
  return families;
}

const std::vector<EngineParameter>& RdsApi::parametersOf(const std::string& family) const {
  for (const char* engine : {"mysql", "mariadb", kAuroraMySqlEngine}) {
    if (!config_.installedMariaDbVersion.empty() && family == parameterFamilyOf(engine)) return config_.mariaDbParameters;
  }
  return config_.engineParameters;
}

const ParameterChecker& RdsApi::checkerOf(const std::string& family) const {
  return &parametersOf(family) == &config_.mariaDbParameters ? config_.checkMariaDbParameters : config_.checkParameters;
}

std::optional<ApiError> RdsApi::checkGroupFits(const Resource& group, const std::string& engine) const {
  std::string family = group.spec.value("DBParameterGroupFamily", "");
  std::string wanted = parameterFamilyOf(engine);
  if (family == wanted) return std::nullopt;
  return ApiError::sender("InvalidParameterCombination",
                          "The parameter group " + group.name + " with DBParameterGroupFamily " + family +
                              " can't be used for this instance. Use a parameter group with DBParameterGroupFamily " +
                              wanted + ".");
}

std::string RdsApi::defaultClusterParameterGroup() const {
  return "default." + std::string(kAuroraEngine) + std::to_string(config_.installedPostgresMajor);
}

Result<Resource> RdsApi::findParameterGroup(const RequestContext& c, const std::string& name) {
  return findGroup(kInstanceGroups, c, name);
}

Result<Resource> RdsApi::findClusterParameterGroup(const RequestContext& c, const std::string& name) {
  return findGroup(kClusterGroups, c, name);
}

Result<Resource> RdsApi::findGroup(const ParameterGroupFlavor& flavor, const RequestContext& c,
                                   const std::string& name) {
  std::string wanted = lowerCase(name);
  for (const std::string& family : groupFamilies(flavor)) {
    if (wanted == "default." + family) return defaultGroupOf(flavor, c, family);
  }
  auto found = catalog_.getResource(c.accountId, c.region, flavor.kind, wanted);
  if (!found) return notFound(name);
  return found;
}

Result<Json> RdsApi::createParameterGroup(const RequestContext& c, const Json& in) {
  auto created = createGroup(kInstanceGroups, c, in);
  if (!created) return created.error();
  return Json{{"DBParameterGroup", groupView(kInstanceGroups, *created)}};
}

Result<Json> RdsApi::createClusterParameterGroup(const RequestContext& c, const Json& in) {
  auto created = createGroup(kClusterGroups, c, in);
  if (!created) return created.error();
  return Json{{"DBClusterParameterGroup", groupView(kClusterGroups, *created)}};
}

Result<Json> RdsApi::copyParameterGroup(const RequestContext& c, const Json& in) {
  auto copied = copyGroup(kInstanceGroups, c, in, "");
  if (!copied) return copied.error();
  return Json{{"DBParameterGroup", groupView(kInstanceGroups, *copied)}};
}

Result<Json> RdsApi::copyClusterParameterGroup(const RequestContext& c, const Json& in) {
  auto copied = copyGroup(kClusterGroups, c, in, "Cluster");
  if (!copied) return copied.error();
  return Json{{"DBClusterParameterGroup", groupView(kClusterGroups, *copied)}};
}

Result<Resource> RdsApi::copyGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                                   const std::string& prefix) {
  std::string source = in["SourceDB" + prefix + "ParameterGroupIdentifier"];
  // Named by its ARN (of this account and region: findGroup looks there).
  const std::string marker = std::string(":") + flavor.arnPrefix;
  if (source.rfind("arn:", 0) == 0) {
    auto at = source.rfind(marker);
    std::string here = "arn:aws:rds:" + c.region + ":" + c.accountId;
    if (at == std::string::npos || source.substr(0, at) != here) return notFound(source);
    source = source.substr(at + marker.size());
  }
  auto found = findGroup(flavor, c, source);
  if (!found) return found.error();
  Json create = {{flavor.nameMember, in["TargetDB" + prefix + "ParameterGroupIdentifier"]},
                 {"DBParameterGroupFamily", found->spec["DBParameterGroupFamily"]},
                 {"Description", in["TargetDB" + prefix + "ParameterGroupDescription"]}};
  if (in.contains("Tags")) create["Tags"] = in["Tags"];
  Json parameters = found->spec.value("Parameters", Json::object());
  return createGroup(flavor, c, create, &parameters);
}

Result<Resource> RdsApi::createGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                                     const Json* parameters) {
  std::string name = lowerCase(in[flavor.nameMember].get<std::string>());
  if (auto error = checkIdentifier(name, flavor.nameMember, 255)) return *error;
  std::string family = in["DBParameterGroupFamily"];
  auto families = groupFamilies(flavor);
  if (std::find(families.begin(), families.end(), family) == families.end()) {
    std::string served;
    for (size_t i = 0; i < families.size(); ++i) {
      served += (i == 0 ? "" : i + 1 == families.size() ? " and " : ", ") + families[i];
    }
    return invalid("ParameterGroupFamily " + family + " is not supported here: Kura runs " + served + ".");
  }
  if (name.rfind("default.", 0) == 0) return invalid("The parameter group name must not begin with 'default.'.");
  Resource group;
  group.accountId = c.accountId;
  group.region = c.region;
  group.service = kService;
  group.kind = flavor.kind;
  group.name = name;
  group.arn = makeArn("rds", c.region, c.accountId, flavor.arnPrefix + name);
  group.status = kAvailable;
  group.goal = kAvailable;
  group.spec = {{"DBParameterGroupFamily", family},
                {"Description", in["Description"]},
                {"Parameters", parameters != nullptr ? *parameters : Json::object()},
                {"Version", 1}};
  return catalog_.transact([&]() -> Result<Resource> {
    if (catalog_.getResource(c.accountId, c.region, flavor.kind, name)) {
      return ApiError::sender("DBParameterGroupAlreadyExists", "Parameter group " + name + " already exists");
    }
    auto stored = catalog_.createResource(group);
    if (stored) catalog_.addTags(stored->arn, tagsFromInput(in));
    return stored;
  });
}

Result<Json> RdsApi::describeParameterGroups(const RequestContext& c, const Json& in) {
  return describeGroups(kInstanceGroups, c, in, "DBParameterGroups");
}

Result<Json> RdsApi::describeClusterParameterGroups(const RequestContext& c, const Json& in) {
  return describeGroups(kClusterGroups, c, in, "DBClusterParameterGroups");
}

Result<Json> RdsApi::describeGroups(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in,
                                    const char* listMember) {
  std::vector<Resource> groups;
  if (in.contains(flavor.nameMember)) {
    auto group = findGroup(flavor, c, in[flavor.nameMember]);
    if (!group) return group.error();
    groups.push_back(*group);
  } else {
    std::vector<Resource> defaults;
    for (const std::string& family : groupFamilies(flavor)) {
      defaults.push_back(defaultGroupOf(flavor, c, family));
    }
    // One more than the page holds tells whether a Marker follows; pageOf
    // refuses a MaxRecords outside 20..100.
    auto limit = std::clamp<int64_t>(in.value("MaxRecords", int64_t{100}), 20, 100);
    groups = groupsAfter(catalog_, c, defaults, in.value("Marker", ""), static_cast<size_t>(limit) + 1);
  }
  const char* nameMember = flavor.nameMember;
  return pageOf<Resource>(
      groups, in, listMember, [nameMember](const auto& g) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(g)>, Resource>) {
          return g.name;
        } else {
          return g[nameMember].template get<std::string>();
        }
      },
      [&flavor](const Resource& g) { return groupView(flavor, g); });
}

Result<Json> RdsApi::modifyParameterGroup(const RequestContext& c, const Json& in) {
  return modifyGroup(kInstanceGroups, c, in);
}

Result<Json> RdsApi::modifyClusterParameterGroup(const RequestContext& c, const Json& in) {
  return modifyGroup(kClusterGroups, c, in);
}

Result<Json> RdsApi::modifyGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in) {
  auto group = findGroup(flavor, c, in[flavor.nameMember]);
  if (!group) return group.error();
  if (group->spec.value("Default", false)) {
    return invalidState("Default parameter groups cannot be modified: " + group->name);
  }
  const Json& given = in["Parameters"];
  if (given.empty() || given.size() > kMaxParametersPerCall) {
    return invalid("A parameter group can be modified with 1 to 20 parameters at a time.");
  }
  Json parameters = group->spec.value("Parameters", Json::object());
  const std::string family = group->spec.value("DBParameterGroupFamily", "");
  for (const Json& p : given) {
    std::string name = lowerCase(p.value("ParameterName", ""));
    const EngineParameter* known = findEngineParameter(parametersOf(family), name);
    if (known == nullptr) return invalid("Could not find parameter with name: " + name);
    if (!known->isModifiable()) return invalid("The parameter " + name + " cannot be modified.");
    if (!p.contains("ParameterValue")) return invalid("The parameter value for " + name + " must be provided.");
    std::string value = p["ParameterValue"];
    if (value.find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
      return invalid("The value of " + name + " must be one line.");
    }
    std::string method = p.value("ApplyMethod", "");
    if (method.empty()) return invalid("The ApplyMethod of " + name + " must be provided.");
    if (known->isStatic() && method == "immediate") {
      return ApiError::sender("InvalidParameterCombination",
                              "cannot use immediate apply method for static parameter " + name);
    }
    parameters[name] = {{"value", value}, {"static", known->isStatic()}};
  }
  // The engine reads the whole set, as it would at start: a value it
  // refuses is refused here, with its words, and nothing is stored.
  if (const ParameterChecker& check = checkerOf(family)) {
    std::map<std::string, std::string> values;
    for (const auto& [name, p] : parameters.items()) values[name] = p["value"];
    if (auto checked = check(values); !checked) return checked.error();
  }
  Resource updated = *group;
  updated.spec["Parameters"] = parameters;
  updated.spec["Version"] = updated.spec.value("Version", 1) + 1;
  auto stored = catalog_.updateResource(updated);
  if (!stored) return invalidState("The parameter group changed meanwhile; try again.");
  return Json{{flavor.nameMember, group->name}};
}

Result<Json> RdsApi::resetParameterGroup(const RequestContext& c, const Json& in) {
  return resetGroup(kInstanceGroups, c, in);
}

Result<Json> RdsApi::resetClusterParameterGroup(const RequestContext& c, const Json& in) {
  return resetGroup(kClusterGroups, c, in);
}

Result<Json> RdsApi::resetGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in) {
  auto group = findGroup(flavor, c, in[flavor.nameMember]);
  if (!group) return group.error();
  if (group->spec.value("Default", false)) {
    return invalidState("Default parameter groups cannot be modified: " + group->name);
  }
  bool all = in.value("ResetAllParameters", false);
  if (all == in.contains("Parameters")) {
    return ApiError::sender("InvalidParameterCombination",
                            "Specify either ResetAllParameters or a list of Parameters, not both or neither.");
  }
  Resource updated = *group;
  if (all) {
    updated.spec["Parameters"] = Json::object();
  } else {
    for (const Json& p : in["Parameters"]) updated.spec["Parameters"].erase(lowerCase(p.value("ParameterName", "")));
  }
  updated.spec["Version"] = updated.spec.value("Version", 1) + 1;
  auto stored = catalog_.updateResource(updated);
  if (!stored) return invalidState("The parameter group changed meanwhile; try again.");
  return Json{{flavor.nameMember, group->name}};
}

Result<Json> RdsApi::deleteParameterGroup(const RequestContext& c, const Json& in) {
  return deleteGroup(kInstanceGroups, c, in);
}

Result<Json> RdsApi::deleteClusterParameterGroup(const RequestContext& c, const Json& in) {
  return deleteGroup(kClusterGroups, c, in);
}

Result<Json> RdsApi::deleteGroup(const ParameterGroupFlavor& flavor, const RequestContext& c, const Json& in) {
  auto group = findGroup(flavor, c, in[flavor.nameMember]);
  if (!group) return group.error();
  if (group->spec.value("Default", false)) return invalidState("Default parameter groups cannot be deleted.");
  for (const Resource& user : catalog_.listAllOfKind(flavor.usedBy)) {
    if (user.accountId == c.accountId && user.region == c.region && user.status != kDeleted &&
        user.spec.value(flavor.useMember, "") == group->name) {
      return invalidState(std::string("One or more ") + (flavor.usedBy == std::string(kCluster) ? "clusters" : "database instances") +
                          " are still members of this parameter group " + group->name +
                          ", so the group cannot be deleted");
    }
  }
  auto removed = catalog_.removeResource(group->id);
  if (!removed) return removed.error();
  return Json::object();
}

Result<Json> RdsApi::describeParameters(const RequestContext& c, const Json& in) {
  return describeGroupParameters(kInstanceGroups, c, in);
}

Result<Json> RdsApi::describeClusterParameters(const RequestContext& c, const Json& in) {
  return describeGroupParameters(kClusterGroups, c, in);
}

Result<Json> RdsApi::describeGroupParameters(const ParameterGroupFlavor& flavor, const RequestContext& c,
                                             const Json& in) {
  auto group = findGroup(flavor, c, in[flavor.nameMember]);
  if (!group) return group.error();
  std::string source = in.value("Source", "");
  const Json parameters = group->spec.value("Parameters", Json::object());
  std::vector<Json> views;
  for (const EngineParameter& p : parametersOf(group->spec.value("DBParameterGroupFamily", ""))) {
    const Json* user = parameters.contains(p.name) ? &parameters[p.name] : nullptr;
    if (source == "user" && user == nullptr) continue;
    if ((source == "engine-default" || source == "system") && user != nullptr) continue;
    views.push_back(parameterView(p, user));
  }
  return pageOf<Json>(
      views, in, "Parameters", [](const Json& v) { return v["ParameterName"].get<std::string>(); },
      [](const Json& v) { return v; });
}

Result<Json> RdsApi::describeEngineDefaultParameters(const RequestContext&, const Json& in) {
  std::string family = in["DBParameterGroupFamily"];
  std::vector<Json> views;
  // Each family served here has its engine's settings.
  auto families = groupFamilies(kInstanceGroups);
  if (std::find(families.begin(), families.end(), family) != families.end()) {
    for (const EngineParameter& p : parametersOf(family)) views.push_back(parameterView(p, nullptr));
  }
  auto page = pageOf<Json>(
      views, in, "Parameters", [](const Json& v) { return v["ParameterName"].get<std::string>(); },
      [](const Json& v) { return v; });
  if (!page) return page.error();
  Json defaults = {{"DBParameterGroupFamily", family}, {"Parameters", (*page)["Parameters"]}};
  if (page->contains("Marker")) defaults["Marker"] = (*page)["Marker"];
  return Json{{"EngineDefaults", defaults}};
}

}  // namespace kura::rds
