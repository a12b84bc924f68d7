#pragma once
// DynamoDB's condition keys of an item call (docs/iam.md), from its input
// and its table's key schema:
//  - dynamodb:LeadingKeys: the partition key values of the items the call
//    reads or writes (GetItem, PutItem, UpdateItem, DeleteItem, Query's key
//    condition, BatchGetItem, BatchWriteItem, TransactGetItems,
//    TransactWriteItems; for a Query on a global index, the index's
//    partition key), several values; the values of every table of a batch
//    together. Scan has none (absent), as in DynamoDB.
//  - dynamodb:Attributes: the attribute names the call reads (projection,
//    AttributesToGet) or writes (an item's, an update's, with the key's),
//    several values; absent when a read names none.
//  - dynamodb:Select: Query's and Scan's Select, or what DynamoDB takes
//    without one (SPECIFIC_ATTRIBUTES with a projection,
//    ALL_PROJECTED_ATTRIBUTES on an index, ALL_ATTRIBUTES).
//  - dynamodb:ReturnValues: PutItem's, UpdateItem's and DeleteItem's
//    (NONE without one).
//  - dynamodb:ReturnConsumedCapacity: the call's (NONE without one), on
//    every item call that takes it (a transaction's items carry their
//    call's).
//  - aws:ResourceTag/<key>: each table's tags, per table.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/policy_evaluation.h"

namespace kura::iam {

// A table's description (with KeySchema, GlobalSecondaryIndexes), or null.
using TableLookup = std::function<std::shared_ptr<const nlohmann::json>(const std::string& table)>;

void addDynamoDbKeys(const std::string& operation, const nlohmann::json& input, const std::vector<std::string>& wanted,
                     const TableLookup& table, auth::RequestFacts& facts);

}  // namespace kura::iam
