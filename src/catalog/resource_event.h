#pragma once
// An event about a resource, as DescribeEvents shows it: source type,
// identifier and ARN taken from its record.
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kura {

Event eventAbout(const Resource& source, std::string message, std::vector<std::string> categories);
void addResourceEvent(Catalog& catalog, const Resource& source, const std::string& message,
                      const std::string& category);

}  // namespace kura
