#pragma once
// DynamoDB's handlers: the data plane itself (parse, check, one write,
// answer) on the TableStore.
#include <filesystem>
#include <map>

#include "common/clock.h"
#include "ddb/expression.h"
#include "ddb/table_store.h"
#include "kms/key_manager.h"
#include "services/core/handler_table.h"
#include "services/dynamodb/global_tables.h"
#include "services/dynamodb/stream_retention.h"
#include "services/dynamodb/throughput_limiter.h"

namespace kura::ddb {

struct ReadSource;
struct StatementRequest;
namespace partiql {
struct Statement;
}

// DynamoDB's default quotas (DescribeLimits): the provisioned capacity one
// table may have, and the account in a region.
constexpr int kTableMaxCapacityUnits = 40000;
constexpr int kAccountMaxCapacityUnits = 80000;
// What a write costs the table's global secondary indexes
// (indexWriteUnits), worked out only when someone needs it: a PROVISIONED
// table is charged it, or the request asks for its ConsumedCapacity.
std::map<std::string, double> indexWriteCosts(const Json& table, const Json& in, const Json* before,
                                              const Json* after);
// Adds one ConsumedCapacity (null: none) to a list of them, one entry per
// table, as calls that span items answer (dynamodb_api.cpp).
void addConsumed(Json& list, const Json& used);
// ProvisionedThroughput within the table quota (account_handlers.cpp).
std::optional<ApiError> checkThroughputLimit(const Json& throughput);

class DynamoDbApi {
 public:
  DynamoDbApi(TableStore& store, std::filesystem::path backupDir, ClockPtr clock, kms::KeyManager* keys);
  void registerHandlers(HandlerTable& table);

  // Tables (table_handlers.cpp)
  Result<Json> createTable(const RequestContext& c, const Json& in);
  Result<Json> describeTable(const RequestContext& c, const Json& in);
  Result<Json> listTables(const RequestContext& c, const Json& in);
  Result<Json> deleteTable(const RequestContext& c, const Json& in);
  Result<Json> updateTable(const RequestContext& c, const Json& in);
  Result<Json> tagResource(const RequestContext& c, const Json& in);
  Result<Json> untagResource(const RequestContext& c, const Json& in);
  Result<Json> listTags(const RequestContext& c, const Json& in);
  Result<Json> updateTimeToLive(const RequestContext& c, const Json& in);
  Result<Json> describeTimeToLive(const RequestContext& c, const Json& in);
  // Account (account_handlers.cpp)
  Result<Json> describeLimits(const RequestContext& c, const Json& in);
  Result<Json> describeEndpoints(const RequestContext& c, const Json& in);
  // Items (item_handlers.cpp)
  Result<Json> putItem(const RequestContext& c, const Json& in);
  // `rawAnswer`: the answer may be raw JSON text (json_text.h), for the API
  // call itself; callers that read the answer leave it false.
  Result<Json> getItem(const RequestContext& c, const Json& in, bool rawAnswer = false);
  Result<Json> getItemCall(const RequestContext& c, const Json& in) { return getItem(c, in, true); }
  Result<Json> deleteItem(const RequestContext& c, const Json& in);
  Result<Json> updateItem(const RequestContext& c, const Json& in);
  Result<Json> batchWriteItem(const RequestContext& c, const Json& in);
  Result<Json> batchGetItem(const RequestContext& c, const Json& in);
  // Transactions (transact_handlers.cpp)
  Result<Json> transactWriteItems(const RequestContext& c, const Json& in);
  Result<Json> transactGetItems(const RequestContext& c, const Json& in);
  // PartiQL (partiql_handlers.cpp)
  Result<Json> executeStatement(const RequestContext& c, const Json& in);
  Result<Json> batchExecuteStatement(const RequestContext& c, const Json& in);
  Result<Json> executeTransaction(const RequestContext& c, const Json& in);
  // Query and Scan (query_handlers.cpp)
  Result<Json> query(const RequestContext& c, const Json& in);
  Result<Json> scan(const RequestContext& c, const Json& in);
  // Backups (backup_handlers.cpp)
  Result<Json> createBackup(const RequestContext& c, const Json& in);
  Result<Json> describeBackup(const RequestContext& c, const Json& in);
  Result<Json> listBackups(const RequestContext& c, const Json& in);
  Result<Json> deleteBackup(const RequestContext& c, const Json& in);
  // A consistent copy of a table's items: USER backups (CreateBackup), and
  // the SYSTEM backup DynamoDB keeps of a deleted table that had
  // point-in-time recovery on.
  Result<Json> backUp(const RequestContext& c, const Json& table, const std::string& name, const std::string& type);
  // Deletes SYSTEM backups past their 35 days (the service's hourly pass).
  void pruneSystemBackups();
  Result<Json> restoreTableFromBackup(const RequestContext& c, const Json& in);
  // DynamoDB Streams (stream_handlers.cpp)
  Result<Json> listStreams(const RequestContext& c, const Json& in);
  Result<Json> describeStream(const RequestContext& c, const Json& in);
  Result<Json> getShardIterator(const RequestContext& c, const Json& in);
  Result<Json> getRecords(const RequestContext& c, const Json& in);
  // A stream's description, by its ARN, in the caller's account and region.
  Result<Json> findStream(const RequestContext& c, const std::string& arn);
  // How shards roll and how long a stream says ENABLING or DISABLING.
  void setStreamSettings(const StreamSettings& settings) { streamSettings_ = settings; }
  const StreamSettings& streamSettings() const { return streamSettings_; }
  // Point-in-time recovery (continuous_backup_handlers.cpp)
  Result<Json> updateContinuousBackups(const RequestContext& c, const Json& in);
  Result<Json> describeContinuousBackups(const RequestContext& c, const Json& in);
  Result<Json> restoreTableToPointInTime(const RequestContext& c, const Json& in);

  // Shared by the handlers (dynamodb_api.cpp)
  // The table, and for `use` Read or Write the check that a PROVISIONED
  // table has capacity left (ProvisionedThroughputExceededException).
  Result<Json> requireTable(const RequestContext& c, const std::string& name, Use use = Use::None);
  // The same without a copy, for the single-item calls.
  Result<std::shared_ptr<const Json>> sharedTable(const RequestContext& c, const std::string& name, Use use);
  // The stored key of an item or key map, checked against the table's schema.
  Result<std::string> keyOf(const Json& table, const Json& attributes, bool exactKey);
  Json describe(const Json& table, bool withCounts);
  // Where paging resumes in a table or index (ExclusiveStartKey).
  Result<std::string> startPosition(const Json& table, const ReadSource& source, const Json& startKey);
  // UpdateTable's GlobalSecondaryIndexUpdates (table_handlers.cpp).
  Result<Json> updateGlobalIndexes(const RequestContext& c, const Json& in);
  Json keyOnly(const Json& table, const Json& item);
  // Charges what an operation consumed to the table's capacity (unless
  // already charged) and to its global secondary indexes' (`indexUnits`:
  // index name -> units), and says so as ReturnConsumedCapacity asks (null
  // when it asks nothing).
  Json consumed(const Json& table, Use use, double units, const Json& in, bool charge = true,
                const std::map<std::string, double>& indexUnits = {});
  // Whether a read of `source` (the table or an index) has capacity left.
  std::optional<ApiError> admitRead(const Json& table, const ReadSource& source);
  // Global tables (global_tables.h): UpdateTable's replicas, the legacy API.
  GlobalTables& globalTables() { return globalTables_; }

 private:
  // A statement (Statement, Parameters) parsed into `statement` and made the
  // request of its item handler; runStatement calls that handler.
  Result<StatementRequest> statementRequest(const RequestContext& c, const Json& entry, bool oneItem,
                                            partiql::Statement& statement);
  Result<Json> runStatement(const RequestContext& c, const StatementRequest& call);

  TableStore& store_;
  std::filesystem::path backupDir_;
  kms::KeyManager* keys_;  // seals the backups of tables encrypted under KMS
  ClockPtr clock_;
  ThroughputLimiter limiter_;
  GlobalTables globalTables_;
  StreamSettings streamSettings_;
};

// The CreateTable request of a restore: the source table's schema, billing,
// indexes and encryption unless the restore request overrides them.
Json restoreRequest(const Json& source, const std::string& target, const Json& in);

// Expression context for a request's ExpressionAttributeNames / Values, with
// the check DynamoDB makes that every given name and value is used.
struct RequestExpressions {
  explicit RequestExpressions(const Json& in);
  ExpressionContext context();
  std::optional<ApiError> checkAllUsed() const;

  Json names, values;
  std::set<std::string> usedNames, usedValues;
};

}  // namespace kura::ddb
