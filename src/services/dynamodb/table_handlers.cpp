#include <algorithm>

#include "common/ids.h"
#include "common/time_format.h"
#include "services/dynamodb/dynamodb_api.h"

namespace kura::ddb {
namespace {

ApiError invalid(const std::string& message) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + message);
}

std::string tableArn(const RequestContext& c, const std::string& name) {
  return "arn:aws:dynamodb:" + c.region + ":" + c.accountId + ":table/" + name;
}

// The table name inside a table ARN of this account and region.
std::optional<std::string> tableFromArn(const RequestContext& c, const std::string& arn) {
  std::string prefix = "arn:aws:dynamodb:" + c.region + ":" + c.accountId + ":table/";
  if (arn.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = arn.substr(prefix.size());
  return rest.substr(0, rest.find('/'));
}

}  // namespace

Result<Json> DynamoDbApi::createTable(const RequestContext& c, const Json& in) {
  std::string name = in["TableName"];
  const Json& schema = in["KeySchema"];
  const Json& definitions = in["AttributeDefinitions"];
  if (schema.empty() || schema.size() > 2 || schema[0]["KeyType"] != "HASH" ||
      (schema.size() == 2 && schema[1]["KeyType"] != "RANGE")) {
    return invalid("Invalid KeySchema: the first element must be HASH, an optional second RANGE");
  }
  for (const auto& element : schema) {
    auto it = std::find_if(definitions.begin(), definitions.end(),
                           [&](const Json& d) { return d["AttributeName"] == element["AttributeName"]; });
    if (it == definitions.end()) {
      return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
                     element["AttributeName"].get<std::string>() + "]");
    }
    std::string type = (*it)["AttributeType"];
    if (type != "S" && type != "N" && type != "B") return invalid("Invalid key attribute type " + type);
  }
  if (definitions.size() != schema.size() && !in.contains("GlobalSecondaryIndexes") && !in.contains("LocalSecondaryIndexes")) {
    return invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
  }
  if (in.contains("GlobalSecondaryIndexes") || in.contains("LocalSecondaryIndexes")) {
    return ApiError::sender("ValidationException", "Kura does not support secondary indexes yet.");
  }
  std::string billing = in.value("BillingMode", "PROVISIONED");
  if (billing == "PROVISIONED" && !in.contains("ProvisionedThroughput")) {
    return invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (billing == "PAY_PER_REQUEST" && in.contains("ProvisionedThroughput")) {
    return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  double now = toEpochSeconds(clock_->now());
  Json description = {{"TableName", name},
                      {"TableArn", tableArn(c, name)},
                      {"TableId", newUuid()},
                      {"KeySchema", schema},
                      {"AttributeDefinitions", definitions},
                      {"TableStatus", "ACTIVE"},
                      {"CreationDateTime", now},
                      {"ItemCount", 0},
                      {"TableSizeBytes", 0},
                      {"DeletionProtectionEnabled", in.value("DeletionProtectionEnabled", false)},
                      {"BillingModeSummary", {{"BillingMode", billing}, {"LastUpdateToPayPerRequestDateTime", now}}}};
  Json throughput = {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
  if (in.contains("ProvisionedThroughput")) {
    throughput["ReadCapacityUnits"] = in["ProvisionedThroughput"]["ReadCapacityUnits"];
    throughput["WriteCapacityUnits"] = in["ProvisionedThroughput"]["WriteCapacityUnits"];
  }
  description["ProvisionedThroughput"] = throughput;
  if (in.contains("SSESpecification") && in["SSESpecification"].value("Enabled", false)) {
    // Backups of the table are sealed under this key (backup_handlers.cpp).
    std::string keyRef = in["SSESpecification"].value("KMSMasterKeyId", "alias/aws/dynamodb");
    if (keys_ == nullptr) return invalid("KMS is not available on this Kura server.");
    auto key = keys_->usableKey({c.accountId, c.region}, keyRef);
    if (!key) return invalid("KMSMasterKeyId " + keyRef + " is not usable: " + key.error().message);
    description["SSEDescription"] = {{"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", key->arn()}};
  }
  Json tags = Json::array();
  for (const auto& tag : in.value("Tags", Json::array())) tags.push_back(tag);
  description["_tags"] = tags;
  auto created = store_.createTable({c.accountId, c.region, name}, description);
  if (!created) return created.error();
  Json view = describe(*created, false);
  view["TableStatus"] = "CREATING";  // as DynamoDB answers; it is ACTIVE at once
  return Json{{"TableDescription", view}};
}

Result<Json> DynamoDbApi::describeTable(const RequestContext& c, const Json& in) {
  auto table = store_.table({c.accountId, c.region, in["TableName"]});
  if (!table) {
    return ApiError::sender("ResourceNotFoundException",
                            "Requested resource not found: Table: " + in["TableName"].get<std::string>() + " not found");
  }
  return Json{{"Table", describe(*table, true)}};
}

Result<Json> DynamoDbApi::listTables(const RequestContext& c, const Json& in) {
  auto names = store_.tableNames(c.accountId, c.region);
  std::sort(names.begin(), names.end());
  size_t limit = in.value("Limit", 100);
  std::string after = in.value("ExclusiveStartTableName", "");
  Json out = {{"TableNames", Json::array()}};
  for (const auto& name : names) {
    if (!after.empty() && name <= after) continue;
    if (out["TableNames"].size() == limit) {
      out["LastEvaluatedTableName"] = out["TableNames"].back();
      break;
    }
    out["TableNames"].push_back(name);
  }
  return out;
}

Result<Json> DynamoDbApi::deleteTable(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  if (table->value("DeletionProtectionEnabled", false)) {
    return ApiError::sender("ValidationException",
                            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
                            "protection first.");
  }
  auto deleted = store_.deleteTable({c.accountId, c.region, in["TableName"]});
  if (!deleted) return deleted.error();
  Json view = describe(*deleted, false);
  view["TableStatus"] = "DELETING";
  return Json{{"TableDescription", view}};
}

Result<Json> DynamoDbApi::updateTable(const RequestContext& c, const Json& in) {
  if (in.contains("GlobalSecondaryIndexUpdates")) {
    return ApiError::sender("ValidationException", "Kura does not support secondary indexes yet.");
  }
  auto updated = store_.updateTable({c.accountId, c.region, in["TableName"]}, [&](Json& table) -> std::optional<ApiError> {
    if (in.contains("DeletionProtectionEnabled")) table["DeletionProtectionEnabled"] = in["DeletionProtectionEnabled"];
    if (in.contains("BillingMode")) {
      std::string mode = in["BillingMode"];
      if (mode == "PROVISIONED" && !in.contains("ProvisionedThroughput")) {
        return invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
      }
      table["BillingModeSummary"]["BillingMode"] = mode;
    }
    if (in.contains("ProvisionedThroughput")) {
      if (table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST") {
        return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
      }
      table["ProvisionedThroughput"]["ReadCapacityUnits"] = in["ProvisionedThroughput"]["ReadCapacityUnits"];
      table["ProvisionedThroughput"]["WriteCapacityUnits"] = in["ProvisionedThroughput"]["WriteCapacityUnits"];
    }
    return std::nullopt;
  });
  if (!updated) return updated.error();
  return Json{{"TableDescription", describe(*updated, false)}};
}

Result<Json> DynamoDbApi::tagResource(const RequestContext& c, const Json& in) {
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto updated = store_.updateTable({c.accountId, c.region, *name}, [&](Json& table) -> std::optional<ApiError> {
    Json& tags = table["_tags"];
    for (const auto& tag : in["Tags"]) {
      auto it = std::find_if(tags.begin(), tags.end(), [&](const Json& t) { return t["Key"] == tag["Key"]; });
      if (it != tags.end()) *it = tag;
      else tags.push_back(tag);
    }
    return std::nullopt;
  });
  if (!updated) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  return Json::object();
}

Result<Json> DynamoDbApi::untagResource(const RequestContext& c, const Json& in) {
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto updated = store_.updateTable({c.accountId, c.region, *name}, [&](Json& table) -> std::optional<ApiError> {
    Json kept = Json::array();
    auto keys = in["TagKeys"].get<std::vector<std::string>>();
    for (const auto& tag : table["_tags"]) {
      if (std::find(keys.begin(), keys.end(), tag["Key"].get<std::string>()) == keys.end()) kept.push_back(tag);
    }
    table["_tags"] = kept;
    return std::nullopt;
  });
  if (!updated) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  return Json::object();
}

Result<Json> DynamoDbApi::listTags(const RequestContext& c, const Json& in) {
  auto name = tableFromArn(c, in["ResourceArn"]);
  if (!name) return ApiError::sender("ResourceNotFoundException", "Requested resource not found");
  auto table = requireTable(c, *name);
  if (!table) return table.error();
  return Json{{"Tags", table->value("_tags", Json::array())}};
}

}  // namespace kura::ddb
