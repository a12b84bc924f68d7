#pragma once
// An event about a cache cluster or replication group, as DescribeEvents
// shows it (source type, identifier and ARN taken from the record).
#include <string>

#include "catalog/catalog.h"

namespace kura::cache {

void addResourceEvent(Catalog& catalog, const Resource& source, const std::string& message,
                      const std::string& category);

}  // namespace kura::cache
