#include "catalog/resource_event.h"

namespace kura {

Event eventAbout(const Resource& source, std::string message, std::vector<std::string> categories) {
  Event event;
  event.accountId = source.accountId;
  event.region = source.region;
  event.sourceType = source.kind;
  event.sourceId = source.name;
  event.sourceArn = source.arn;
  event.message = std::move(message);
  event.categories = std::move(categories);
  return event;
}

void addResourceEvent(Catalog& catalog, const Resource& source, const std::string& message,
                      const std::string& category) {
  catalog.addEvent(eventAbout(source, message, {category}));
}

}  // namespace kura
