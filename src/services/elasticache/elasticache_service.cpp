#include "services/elasticache/elasticache_service.h"

#include "services/elasticache/cache_network.h"
#include "services/elasticache/cache_parameter_groups.h"

namespace kura {
namespace {

class ElastiCacheService final : public ServiceModule {
 public:
  ElastiCacheService(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                     elasticache::ElastiCacheConfig config)
      : api_(catalog, reconciler, ports, config) {
    api_.registerHandlers(handlers_);
    elasticache::registerCacheSubnetGroupHandlers(handlers_, catalog);
    elasticache::registerCacheParameterGroupHandlers(handlers_, catalog, {config.redisVersion, config.memcachedVersion});
  }
  std::string signingName() const override { return "elasticache"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  elasticache::ElastiCacheApi api_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeElastiCacheService(Catalog& catalog, Reconciler& reconciler, PortAllocator& ports,
                                        elasticache::ElastiCacheConfig config) {
  return std::make_unique<ElastiCacheService>(catalog, reconciler, ports, std::move(config));
}

}  // namespace kura
