#pragma once
#include "services/core/service_module.h"
#include "services/dynamodb/replica_auto_scaling.h"
#include "services/dynamodb/stream_retention.h"

namespace kura {

// Amazon DynamoDB on an embedded RocksDB (<data-dir>/dynamodb): tables,
// items with every expression, Query and Scan, batches, backups.
// Throws std::runtime_error if the store cannot be opened.
// `store`, if given, is set to the module's table store (IAM's condition
// keys read tables' key schemas from it).
// `streams`: how streams' shards roll and how long their status changes
// take (`kura serve --stream-*`). `autoScaling`: where Application Auto
// Scaling's handlers will be, for the replica auto scaling calls
// (replica_auto_scaling.h); they answer an internal error until set.
ServiceModulePtr makeDynamoDbService(const ServiceEnv& env, ddb::TableStore** store = nullptr,
                                     const ddb::StreamSettings& streams = {},
                                     ddb::AutoScalingSlot autoScaling = nullptr);

}  // namespace kura
