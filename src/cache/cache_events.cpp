#include "cache/cache_events.h"

namespace kura::cache {

void addResourceEvent(Catalog& catalog, const Resource& source, const std::string& message,
                      const std::string& category) {
  Event event;
  event.accountId = source.accountId;
  event.region = source.region;
  event.sourceType = source.kind;
  event.sourceId = source.name;
  event.sourceArn = source.arn;
  event.message = message;
  event.categories = {category};
  catalog.addEvent(std::move(event));
}

}  // namespace kura::cache
