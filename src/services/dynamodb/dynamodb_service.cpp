#include "services/dynamodb/dynamodb_service.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "common/periodic_task.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/global_table_replicator.h"
#include "services/dynamodb/stream_retention.h"
#include "services/dynamodb/ttl_sweeper.h"

namespace kura {
namespace {

// DynamoDB's table operations check their TableName before the model's
// constraints, in words of their own (what DynamoDB answers, as dynalite's
// recordings of it show): a missing one, and a name (not an ARN) outside
// 3..255 characters; its tagging calls a missing ResourceArn.
std::optional<ApiError> checkTableName(const std::string& operation, const Json& input) {
  // The tagging calls name their table by ARN, and say so first when there is none.
  if (operation == "TagResource" || operation == "UntagResource" || operation == "ListTagsOfResource") {
    auto arn = input.find("ResourceArn");
    if (arn == input.end() || arn->is_null()) return ApiError::sender("ValidationException", "Invalid TableArn");
    return std::nullopt;
  }
  static const std::set<std::string, std::less<>> kTableOperations = {"CreateTable", "DeleteTable", "DescribeTable",
                                                                      "DescribeTimeToLive", "UpdateTable"};
  if (!kTableOperations.contains(operation)) return std::nullopt;
  auto name = input.find("TableName");
  if (name == input.end() || name->is_null()) {
    return ApiError::sender("ValidationException",
                            "The parameter 'TableName' is required but was not present in the request");
  }
  if (!name->is_string()) return std::nullopt;  // the model's check says what it is
  const std::string& text = name->get_ref<const std::string&>();
  size_t length = static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
  if (!text.starts_with("arn:") && (length < 3 || length > 255)) {
    return ApiError::sender("ValidationException",
                            "TableName must be at least 3 characters long and at most 255 characters long");
  }
  return std::nullopt;
}

class DynamoDbService final : public ServiceModule {
 public:
  DynamoDbService(std::unique_ptr<ddb::TableStore> store, const ServiceEnv& env, const ddb::StreamSettings& streams,
                  ddb::AutoScalingSlot autoScaling)
      : store_(std::move(store)),
        api_(*store_, env.dataDir / "dynamodb-backups", env.clock, env.keys),
        replicaScaling_(api_, std::move(autoScaling)),
        ttl_(*store_, env.clock),
        // Point-in-time recovery keeps 35 days: older changes are folded
        // into the state at the window's start, every hour; system backups
        // of deleted tables go after 35 days.
        pruning_("change-log pruning", std::chrono::hours(1), [this, clock = env.clock] {
          int64_t cutoff = std::chrono::duration_cast<std::chrono::microseconds>(
                               (clock->now() - std::chrono::hours(35 * 24)).time_since_epoch())
                               .count();
          for (const std::string& table : store_->loggedTables()) store_->pruneChangeLog(table, cutoff);
          api_.pruneSystemBackups();  // a deleted table's backup, after its 35 days
        }),
        // Streams keep 24 hours of records; a disabled stream goes 24 hours
        // after it was disabled.
        streamTrim_("stream trimming", std::chrono::minutes(1),
                    [this, clock = env.clock] { ddb::trimStreams(*store_, clock->now()); }),
        // Shards roll over every 4 hours (or as configured).
        shardRoll_("stream shard rollover", streams.rollInterval(),
                   [this, clock = env.clock, streams] { ddb::rollShards(*store_, clock->now(), streams); }),
        replicator_(api_.globalTables()) {
    api_.setStreamSettings(streams);
    api_.registerHandlers(handlers_);
    api_.globalTables().registerLegacyHandlers(handlers_);
    replicaScaling_.registerHandlers(handlers_);
  }
  std::string signingName() const override { return "dynamodb"; }
  std::vector<std::string> alsoServes() const override { return {"dynamodbstreams"}; }
  std::optional<ApiError> checkBeforeModel(const std::string& operation, const Json& input) const override {
    return checkTableName(operation, input);
  }
  void start() override {
    ttl_.start();
    pruning_.start();
    streamTrim_.start();
    shardRoll_.start();
    replicator_.start();
  }
  void stop() override {
    replicator_.stop();
    ttl_.stop();
    pruning_.stop();
    streamTrim_.stop();
    shardRoll_.stop();
  }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  std::unique_ptr<ddb::TableStore> store_;
  ddb::DynamoDbApi api_;
  ddb::ReplicaAutoScaling replicaScaling_;
  ddb::TtlSweeper ttl_;
  PeriodicTask pruning_;
  PeriodicTask streamTrim_;
  PeriodicTask shardRoll_;
  ddb::GlobalTableReplicator replicator_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeDynamoDbService(const ServiceEnv& env, ddb::TableStore** storeOut,
                                     const ddb::StreamSettings& streams, ddb::AutoScalingSlot autoScaling) {
  auto store = ddb::TableStore::open(env.dataDir / "dynamodb");
  if (!store) throw std::runtime_error(store.error().message);
  if (storeOut != nullptr) *storeOut = store->get();
  return std::make_unique<DynamoDbService>(std::move(*store), env, streams, std::move(autoScaling));
}

}  // namespace kura
