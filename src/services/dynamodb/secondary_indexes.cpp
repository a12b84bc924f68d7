#include "services/dynamodb/secondary_indexes.h"

#include <algorithm>
#include <cmath>

namespace kura::ddb {
namespace {

constexpr size_t kMaxGlobalIndexes = 20, kMaxLocalIndexes = 5, kMaxProjectedAttributes = 100;

ApiError invalid(const std::string& message) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + message);
}

std::string keyName(const Json& schema, const char* type) {
  for (const auto& element : schema) {
    if (element["KeyType"] == type) return element["AttributeName"];
  }
  return "";
}

// Checks an index's KeySchema and Projection against the table's attribute
// definitions; adds its key attributes to `keyAttributes`.
std::optional<ApiError> checkIndex(const Json& request, const Json& index, std::set<std::string>& keyAttributes) {
  std::string name = index.value("IndexName", "");
  const Json& schema = index["KeySchema"];
  if (schema.empty() || schema.size() > 2 || schema[0]["KeyType"] != "HASH" ||
      (schema.size() == 2 && schema[1]["KeyType"] != "RANGE")) {
    return invalid("Invalid KeySchema for index " + name + ": the first element must be HASH, an optional second RANGE");
  }
  const Json& definitions = request["AttributeDefinitions"];
  for (const auto& element : schema) {
    std::string attribute = element["AttributeName"];
    auto it = std::find_if(definitions.begin(), definitions.end(),
                           [&](const Json& d) { return d["AttributeName"] == attribute; });
    if (it == definitions.end()) {
      return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" + attribute +
                     "], AttributeDefinitions: [...]");
    }
    keyAttributes.insert(attribute);
  }
  const Json& projection = index["Projection"];
  std::string type = projection.value("ProjectionType", "");
  if (type != "ALL" && type != "KEYS_ONLY" && type != "INCLUDE") {
    return invalid("Unknown ProjectionType for index " + name + ": " + type);
  }
  if (type == "INCLUDE") {
    if (!projection.contains("NonKeyAttributes") || projection["NonKeyAttributes"].empty()) {
      return invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
    if (projection["NonKeyAttributes"].size() > kMaxProjectedAttributes) {
      return invalid("Too many NonKeyAttributes in index " + name);
    }
  } else if (projection.contains("NonKeyAttributes")) {
    return invalid("ProjectionType is " + type + ", but NonKeyAttributes is specified");
  }
  return std::nullopt;
}

}  // namespace

Result<Json> globalIndexDescriptions(const Json& request, const Json& indexes, const std::string& tableArn,
                                     bool provisioned, std::set<std::string>& keyAttributes) {
  if (indexes.empty()) return invalid("List of GlobalSecondaryIndexes is empty");
  if (indexes.size() > kMaxGlobalIndexes) {
    return ApiError::sender("LimitExceededException", "Subscriber limit exceeded: a table has at most 20 global secondary indexes");
  }
  Json out = Json::array();
  for (const Json& index : indexes) {
    if (auto error = checkIndex(request, index, keyAttributes)) return *error;
    if (provisioned != index.contains("ProvisionedThroughput")) {
      return invalid(provisioned ? "ProvisionedThroughput must be specified for index: " + index["IndexName"].get<std::string>()
                                 : "ProvisionedThroughput should not be specified for index: " +
                                       index["IndexName"].get<std::string>() + " when BillingMode is PAY_PER_REQUEST");
    }
    Json throughput = {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
    if (provisioned) {
      throughput["ReadCapacityUnits"] = index["ProvisionedThroughput"]["ReadCapacityUnits"];
      throughput["WriteCapacityUnits"] = index["ProvisionedThroughput"]["WriteCapacityUnits"];
    }
    out.push_back({{"IndexName", index["IndexName"]},
                   {"KeySchema", index["KeySchema"]},
                   {"Projection", index["Projection"]},
                   {"IndexStatus", "ACTIVE"},
                   {"ProvisionedThroughput", throughput},
                   {"IndexSizeBytes", 0},
                   {"ItemCount", 0},
                   {"IndexArn", tableArn + "/index/" + index["IndexName"].get<std::string>()}});
  }
  return out;
}

Result<Json> localIndexDescriptions(const Json& request, const Json& indexes, const std::string& tableArn,
                                    std::set<std::string>& keyAttributes) {
  if (indexes.empty()) return invalid("List of LocalSecondaryIndexes is empty");
  if (indexes.size() > kMaxLocalIndexes) {
    return invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  std::string tableHash = keyName(request["KeySchema"], "HASH");
  if (keyName(request["KeySchema"], "RANGE").empty()) {
    return invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
  }
  Json out = Json::array();
  for (const Json& index : indexes) {
    if (auto error = checkIndex(request, index, keyAttributes)) return *error;
    if (keyName(index["KeySchema"], "HASH") != tableHash || keyName(index["KeySchema"], "RANGE").empty()) {
      return invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
                     index["IndexName"].get<std::string>() + ", and a range key");
    }
    out.push_back({{"IndexName", index["IndexName"]},
                   {"KeySchema", index["KeySchema"]},
                   {"Projection", index["Projection"]},
                   {"IndexSizeBytes", 0},
                   {"ItemCount", 0},
                   {"IndexArn", tableArn + "/index/" + index["IndexName"].get<std::string>()}});
  }
  return out;
}

Json ReadSource::project(const Json& table, const Json& item) const {
  std::string type = projection.value("ProjectionType", "ALL");
  if (type == "ALL") return item;
  Json out = Json::object();
  auto keep = [&](const std::string& name) {
    if (item.contains(name)) out[name] = item[name];
  };
  for (const auto& element : table["KeySchema"]) keep(element["AttributeName"]);
  keep(hashName);
  if (!rangeName.empty()) keep(rangeName);
  if (type == "INCLUDE") {
    for (const auto& name : projection["NonKeyAttributes"]) keep(name);
  }
  return out;
}

Json ReadSource::pagingKey(const Json& table, const Json& item) const {
  Json key = Json::object();
  auto keep = [&](const std::string& name) {
    if (item.contains(name)) key[name] = item[name];
  };
  for (const auto& element : table["KeySchema"]) keep(element["AttributeName"]);
  if (index) {
    keep(hashName);
    if (!rangeName.empty()) keep(rangeName);
  }
  return key;
}

Result<ReadSource> readSourceFor(const Json& table, const Json& request) {
  ReadSource source;
  source.projection = {{"ProjectionType", "ALL"}};
  if (!request.contains("IndexName")) {
    source.hashName = keyName(table["KeySchema"], "HASH");
    source.rangeName = keyName(table["KeySchema"], "RANGE");
    return source;
  }
  std::string name = request["IndexName"];
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    for (const Json& index : table.value(kind, Json::array())) {
      if (index["IndexName"] != name) continue;
      source.hashName = keyName(index["KeySchema"], "HASH");
      source.rangeName = keyName(index["KeySchema"], "RANGE");
      source.index = IndexDef{name, source.hashName, source.rangeName};
      source.global = std::string(kind) == "GlobalSecondaryIndexes";
      source.projection = index["Projection"];
    }
  }
  if (!source.index) {
    return ApiError::sender("ValidationException", "The table does not have the specified index: " + name);
  }
  if (source.global && request.value("ConsistentRead", false)) {
    return ApiError::sender("ValidationException", "Consistent reads are not supported on global secondary indexes");
  }
  return source;
}

std::optional<ApiError> selectError(const ReadSource& source, const Json& request) {
  if (request.value("Select", "") == "ALL_ATTRIBUTES" && source.projection.value("ProjectionType", "") != "ALL" &&
      source.global) {
    return ApiError::sender("ValidationException",
                            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                            "for global secondary index " + source.index->name + " because its projection type is not ALL");
  }
  return std::nullopt;
}

std::map<std::string, double> indexWriteUnits(const Json& table, const Json* before, const Json* after) {
  std::map<std::string, double> out;
  auto global = table.find("GlobalSecondaryIndexes");
  if (global == table.end() || !global->is_array()) return out;
  auto units = [](const Json& projected) { return std::max(1.0, std::ceil(itemSize(projected) / 1024.0)); };
  for (const Json& index : *global) {
    auto source = readSourceFor(table, Json{{"IndexName", index["IndexName"]}});
    if (!source) continue;
    auto holds = [&](const Json* item) {
      return item != nullptr && item->contains(source->hashName) &&
             (source->rangeName.empty() || item->contains(source->rangeName));
    };
    auto keyOf = [&](const Json& item) {
      return Json::array({item[source->hashName], source->rangeName.empty() ? Json() : item[source->rangeName]});
    };
    bool was = holds(before), is = holds(after);
    double cost = 0;
    if (was && is) {
      Json old = source->project(table, *before), now = source->project(table, *after);
      if (old != now) cost = keyOf(*before) == keyOf(*after) ? units(now) : units(old) + units(now);
    } else if (was) {
      cost = units(source->project(table, *before));
    } else if (is) {
      cost = units(source->project(table, *after));
    }
    if (cost > 0) out[index["IndexName"].get<std::string>()] = cost;
  }
  return out;
}

}  // namespace kura::ddb
