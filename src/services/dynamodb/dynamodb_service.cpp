#include "services/dynamodb/dynamodb_service.h"

#include <stdexcept>

#include "common/periodic_task.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/global_table_replicator.h"
#include "services/dynamodb/stream_retention.h"
#include "services/dynamodb/ttl_sweeper.h"

namespace kura {
namespace {

class DynamoDbService final : public ServiceModule {
 public:
  DynamoDbService(std::unique_ptr<ddb::TableStore> store, const ServiceEnv& env, const ddb::StreamSettings& streams)
      : store_(std::move(store)),
        api_(*store_, env.dataDir / "dynamodb-backups", env.clock, env.keys),
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
  }
  std::string signingName() const override { return "dynamodb"; }
  std::vector<std::string> alsoServes() const override { return {"dynamodbstreams"}; }
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
  ddb::TtlSweeper ttl_;
  PeriodicTask pruning_;
  PeriodicTask streamTrim_;
  PeriodicTask shardRoll_;
  ddb::GlobalTableReplicator replicator_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeDynamoDbService(const ServiceEnv& env, ddb::TableStore** storeOut,
                                     const ddb::StreamSettings& streams) {
  auto store = ddb::TableStore::open(env.dataDir / "dynamodb");
  if (!store) throw std::runtime_error(store.error().message);
  if (storeOut != nullptr) *storeOut = store->get();
  return std::make_unique<DynamoDbService>(std::move(*store), env, streams);
}

}  // namespace kura
