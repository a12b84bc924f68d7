#pragma once
#include "services/core/service_module.h"

namespace kura {

// Amazon DynamoDB on an embedded RocksDB (<data-dir>/dynamodb): tables,
// items with every expression, Query and Scan, batches, backups.
// Throws std::runtime_error if the store cannot be opened.
ServiceModulePtr makeDynamoDbService(const ServiceEnv& env);

}  // namespace kura
