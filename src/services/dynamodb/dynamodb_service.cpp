#include "services/dynamodb/dynamodb_service.h"

#include <stdexcept>

#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/ttl_sweeper.h"

namespace kura {
namespace {

class DynamoDbService final : public ServiceModule {
 public:
  DynamoDbService(std::unique_ptr<ddb::TableStore> store, const ServiceEnv& env)
      : store_(std::move(store)),
        api_(*store_, env.dataDir / "dynamodb-backups", env.clock, env.keys),
        ttl_(*store_, env.clock) {
    api_.registerHandlers(handlers_);
  }
  std::string signingName() const override { return "dynamodb"; }
  void start() override { ttl_.start(); }
  void stop() override { ttl_.stop(); }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  std::unique_ptr<ddb::TableStore> store_;
  ddb::DynamoDbApi api_;
  ddb::TtlSweeper ttl_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeDynamoDbService(const ServiceEnv& env) {
  auto store = ddb::TableStore::open(env.dataDir / "dynamodb");
  if (!store) throw std::runtime_error(store.error().message);
  return std::make_unique<DynamoDbService>(std::move(*store), env);
}

}  // namespace kura
