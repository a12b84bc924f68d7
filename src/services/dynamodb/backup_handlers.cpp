#include <random>
#include <stdexcept>

#include "common/crypto.h"
#include "common/durable_tree.h"
#include "common/time_format.h"
#include "kms/tree_envelope.h"
#include "services/dynamodb/dynamodb_api.h"

namespace kura::ddb {
namespace {

ApiError backupNotFound(const std::string& arn) {
  return ApiError::sender("BackupNotFoundException", "Backup not found for arn " + arn);
}

std::string backupKey(const std::string& arn) { return "b|" + arn; }

Json summaryOf(const Json& backup) {
  return {{"TableName", backup["SourceTable"]["TableName"]},
          {"TableId", backup["SourceTable"]["TableId"]},
          {"TableArn", backup["SourceTable"]["TableArn"]},
          {"BackupArn", backup["BackupArn"]},
          {"BackupName", backup["BackupName"]},
          {"BackupCreationDateTime", backup["BackupCreationDateTime"]},
          {"BackupStatus", "AVAILABLE"},
          {"BackupType", backup.value("BackupType", "USER")},
          {"BackupSizeBytes", backup["BackupSizeBytes"]}};
}

// A system backup of a deleted table is kept 35 days, as DynamoDB keeps it.
constexpr double kSystemBackupDays = 35;

void addExpiry(const Json& backup, Json& details) {
  if (backup.value("BackupType", "USER") == "SYSTEM") {
    details["BackupExpiryDateTime"] = backup["BackupCreationDateTime"].get<double>() + kSystemBackupDays * 86400;
  }
}

Json descriptionOf(const Json& backup) {
  const Json& table = backup["SourceTable"];
  return {{"BackupDetails",
           {{"BackupArn", backup["BackupArn"]},
            {"BackupName", backup["BackupName"]},
            {"BackupSizeBytes", backup["BackupSizeBytes"]},
            {"BackupStatus", "AVAILABLE"},
            {"BackupType", backup.value("BackupType", "USER")},
            {"BackupCreationDateTime", backup["BackupCreationDateTime"]}}},
          {"SourceTableDetails",
           {{"TableName", table["TableName"]},
            {"TableId", table["TableId"]},
            {"TableArn", table["TableArn"]},
            {"TableSizeBytes", backup["BackupSizeBytes"]},
            {"KeySchema", table["KeySchema"]},
            {"TableCreationDateTime", table["CreationDateTime"]},
            {"ProvisionedThroughput",
             {{"ReadCapacityUnits", table["ProvisionedThroughput"]["ReadCapacityUnits"]},
              {"WriteCapacityUnits", table["ProvisionedThroughput"]["WriteCapacityUnits"]}}},
            {"ItemCount", backup["ItemCount"]},
            {"BillingMode", table["BillingModeSummary"]["BillingMode"]}}},
          {"SourceTableFeatureDetails", Json::object()}};
}

}  // namespace

Result<Json> DynamoDbApi::createBackup(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return ApiError::sender("TableNotFoundException", "Table not found: " + in["TableName"].get<std::string>());
  return backUp(c, *table, in["BackupName"], "USER");
}

Result<Json> DynamoDbApi::backUp(const RequestContext& c, const Json& sourceTable, const std::string& name,
                                 const std::string& type) {
  const Json* table = &sourceTable;
  SystemTime now = clock_->now();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string arn = (*table)["TableArn"].get<std::string>() + "/backup/" + std::to_string(millis) + "-" +
                    toHex(randomBytes(4));
  std::string id = toHex(randomBytes(8));
  // A consistent copy of the table's items; for a table encrypted under KMS,
  // sealed under its key.
  std::string kmsKey = table->contains("SSEDescription") ? (*table)["SSEDescription"].value("KMSMasterKeyArn", "") : "";
  std::filesystem::path plain = backupDir_ / (id + ".plain");
  auto made = store_.exportTable(kmsKey.empty() ? backupDir_ / id : plain, (*table)["_id"]);
  if (!made) return made.error();
  if (!kmsKey.empty()) {
    auto sealed = kms::sealTree(*keys_, {c.accountId, c.region}, kmsKey,
                                {{"aws:dynamodb:tableName", (*table)["TableName"].get<std::string>()},
                                 {"aws:dynamodb:subscriberId", c.accountId}},
                                plain, backupDir_ / id);
    std::error_code ec;
    std::filesystem::remove_all(plain, ec);
    if (!sealed) {
      std::filesystem::remove_all(backupDir_ / id, ec);
      return ApiError::sender("ValidationException", "The table's KMS key cannot seal the backup: " +
                                                         sealed.error().message);
    }
  }
  // On disk before the backup is recorded, and so shown AVAILABLE.
  if (auto error = syncTree(backupDir_ / id); !error.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(backupDir_ / id, ec);
    throw std::runtime_error(error);
  }
  uint64_t bytes = 0;
  uint64_t count = store_.countItems((*table)["_id"], bytes);
  Json backup = {{"BackupArn", arn}, {"BackupName", name}, {"BackupType", type}, {"CheckpointId", id},
                 {"BackupCreationDateTime", toEpochSeconds(now)}, {"BackupSizeBytes", bytes}, {"ItemCount", count},
                 {"SourceTable", *table}, {"Account", c.accountId}, {"Region", c.region}};
  store_.putMeta(backupKey(arn), backup);
  Json details = descriptionOf(backup)["BackupDetails"];
  addExpiry(backup, details);
  return Json{{"BackupDetails", details}};
}

void DynamoDbApi::pruneSystemBackups() {
  double now = toEpochSeconds(clock_->now());
  std::vector<std::pair<std::string, std::string>> expired;  // key, checkpoint
  store_.listMeta("b|", [&](const std::string& key, Json backup) {
    if (backup.value("BackupType", "USER") != "SYSTEM") return;
    if (now - backup["BackupCreationDateTime"].get<double>() > kSystemBackupDays * 86400) {
      expired.emplace_back(key, backup["CheckpointId"].get<std::string>());
    }
  });
  for (const auto& [key, checkpoint] : expired) {
    store_.deleteMeta(key);
    std::error_code ec;
    std::filesystem::remove_all(backupDir_ / checkpoint, ec);
  }
}

Result<Json> DynamoDbApi::describeBackup(const RequestContext& c, const Json& in) {
  auto backup = store_.getMeta(backupKey(in["BackupArn"]));
  if (!backup || (*backup)["Account"] != c.accountId) return backupNotFound(in["BackupArn"]);
  Json description = descriptionOf(*backup);
  addExpiry(*backup, description["BackupDetails"]);
  return Json{{"BackupDescription", description}};
}

Result<Json> DynamoDbApi::listBackups(const RequestContext& c, const Json& in) {
  std::string tableName = in.value("TableName", "");
  std::string wantedType = in.value("BackupType", "USER");
  std::string after = in.value("ExclusiveStartBackupArn", "");
  size_t limit = in.value("Limit", 100);
  Json summaries = Json::array();
  std::string last;
  bool more = false;
  store_.listMeta("b|", [&](const std::string& key, Json backup) {
    if (backup["Account"] != c.accountId || backup["Region"] != c.region) return;
    if (!tableName.empty() && backup["SourceTable"]["TableName"] != tableName) return;
    // USER unless asked otherwise, as DynamoDB lists them.
    std::string type = backup.value("BackupType", "USER");
    if (wantedType != "ALL" && type != wantedType) return;
    std::string arn = key.substr(2);
    if (!after.empty() && arn <= after) return;
    if (summaries.size() == limit) {
      more = true;
      return;
    }
    Json summary = summaryOf(backup);
    addExpiry(backup, summary);
    summaries.push_back(summary);
    last = arn;
  });
  Json out = {{"BackupSummaries", summaries}};
  if (more) out["LastEvaluatedBackupArn"] = last;
  return out;
}

Result<Json> DynamoDbApi::deleteBackup(const RequestContext& c, const Json& in) {
  auto backup = store_.getMeta(backupKey(in["BackupArn"]));
  if (!backup || (*backup)["Account"] != c.accountId) return backupNotFound(in["BackupArn"]);
  store_.deleteMeta(backupKey(in["BackupArn"]));
  std::error_code ec;
  std::filesystem::remove_all(backupDir_ / (*backup)["CheckpointId"].get<std::string>(), ec);
  Json description = descriptionOf(*backup);
  description["BackupDetails"]["BackupStatus"] = "DELETED";
  return Json{{"BackupDescription", description}};
}

Json restoreRequest(const Json& source, const std::string& target, const Json& in) {
  Json request = {{"TableName", target},
                  {"KeySchema", source["KeySchema"]},
                  {"AttributeDefinitions", source["AttributeDefinitions"]},
                  {"BillingMode", in.value("BillingModeOverride", source["BillingModeSummary"]["BillingMode"].get<std::string>())}};
  if (request["BillingMode"] == "PROVISIONED") {
    request["ProvisionedThroughput"] =
        in.value("ProvisionedThroughputOverride",
                 Json{{"ReadCapacityUnits", source["ProvisionedThroughput"]["ReadCapacityUnits"]},
                      {"WriteCapacityUnits", source["ProvisionedThroughput"]["WriteCapacityUnits"]}});
  }
  // The source's indexes, unless the request overrides them.
  auto indexRequest = [](const Json& described) {
    Json request = Json::array();
    for (const Json& index : described) {
      Json entry = {{"IndexName", index["IndexName"]}, {"KeySchema", index["KeySchema"]}, {"Projection", index["Projection"]}};
      if (index.contains("ProvisionedThroughput")) {
        entry["ProvisionedThroughput"] = {{"ReadCapacityUnits", index["ProvisionedThroughput"]["ReadCapacityUnits"]},
                                          {"WriteCapacityUnits", index["ProvisionedThroughput"]["WriteCapacityUnits"]}};
      }
      request.push_back(entry);
    }
    return request;
  };
  Json globals = in.contains("GlobalSecondaryIndexOverride") ? in["GlobalSecondaryIndexOverride"]
                                                              : indexRequest(source.value("GlobalSecondaryIndexes", Json::array()));
  Json locals = in.contains("LocalSecondaryIndexOverride") ? in["LocalSecondaryIndexOverride"]
                                                            : indexRequest(source.value("LocalSecondaryIndexes", Json::array()));
  if (request["BillingMode"] == "PAY_PER_REQUEST") {
    for (Json& index : globals) index.erase("ProvisionedThroughput");
  }
  if (!globals.empty()) request["GlobalSecondaryIndexes"] = globals;
  if (!locals.empty()) request["LocalSecondaryIndexes"] = locals;
  if (in.contains("SSESpecificationOverride")) {
    request["SSESpecification"] = in["SSESpecificationOverride"];
  } else if (source.contains("SSEDescription")) {
    request["SSESpecification"] = {{"Enabled", true}, {"SSEType", "KMS"},
                                   {"KMSMasterKeyId", source["SSEDescription"]["KMSMasterKeyArn"]}};
  }
  return request;
}

Result<Json> DynamoDbApi::restoreTableFromBackup(const RequestContext& c, const Json& in) {
  auto backup = store_.getMeta(backupKey(in["BackupArn"]));
  if (!backup || (*backup)["Account"] != c.accountId) return backupNotFound(in["BackupArn"]);
  std::string target = in["TargetTableName"];
  if (store_.table({c.accountId, c.region, target})) {
    return ApiError::sender("TableAlreadyExistsException", "Table already exists: " + target);
  }
  // A sealed backup is opened first: an inaccessible key fails the restore
  // before any table is made.
  std::filesystem::path files = backupDir_ / (*backup)["CheckpointId"].get<std::string>();
  std::filesystem::path opened = backupDir_ / ((*backup)["CheckpointId"].get<std::string>() + ".opened-" + toHex(randomBytes(4)));
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } cleanup{opened};
  if (kms::isSealedTree(files)) {
    if (keys_ == nullptr) return ApiError::sender("ValidationException", "KMS is not available on this Kura server.");
    auto open = kms::openTree(*keys_, {c.accountId, c.region}, files, opened);
    if (!open) {
      return ApiError::sender("ValidationException",
                              "The KMS key of the backup is not accessible: " + open.error().message);
    }
    files = opened;
  }
  const Json& source = (*backup)["SourceTable"];
  Json request = restoreRequest(source, target, in);
  auto created = createTable(c, request);
  if (!created) return created.error();
  auto table = requireTable(c, target);
  if (!table) return table.error();
  auto copied = store_.copyFromCheckpoint(files, source["_id"], (*table)["_id"]);
  if (!copied) {
    store_.deleteTable({c.accountId, c.region, target});
    return copied.error();
  }
  Json description = describe(*table, true);
  description["RestoreSummary"] = {{"SourceBackupArn", in["BackupArn"]},
                                   {"SourceTableArn", source["TableArn"]},
                                   {"RestoreDateTime", toEpochSeconds(clock_->now())},
                                   {"RestoreInProgress", false}};
  return Json{{"TableDescription", description}};
}

}  // namespace kura::ddb
