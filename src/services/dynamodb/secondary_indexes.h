#pragma once
// Secondary indexes at the API: what CreateTable and UpdateTable accept
// (validated as DynamoDB does), and how Query and Scan read an index
// (its key names, its projection, its positions for paging).
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/api_error.h"
#include "ddb/table_store.h"

namespace kura::ddb {

// The GlobalSecondaryIndexes / LocalSecondaryIndexes descriptions for a new
// table from a CreateTable request; adds every index key attribute to
// `keyAttributes`.
Result<Json> globalIndexDescriptions(const Json& request, const Json& indexes, const std::string& tableArn,
                                     bool provisioned, std::set<std::string>& keyAttributes);
Result<Json> localIndexDescriptions(const Json& request, const Json& indexes, const std::string& tableArn,
                                    std::set<std::string>& keyAttributes);

// The table or one of its indexes, as Query and Scan read it.
struct ReadSource {
  std::string hashName, rangeName;
  std::optional<IndexDef> index;  // none: the table itself
  bool global = false;
  Json projection;  // the index's Projection (ALL for the table)

  // The item as the index holds it (its projection applied).
  Json project(const Json& table, const Json& item) const;
  // The keys of an item that page through this source (LastEvaluatedKey).
  Json pagingKey(const Json& table, const Json& item) const;
};

// The source a Query or Scan request names (IndexName), or DynamoDB's error.
Result<ReadSource> readSourceFor(const Json& table, const Json& request);
// Select ALL_ATTRIBUTES of a global index that does not project them all,
// which DynamoDB refuses after checking the ExclusiveStartKey.
std::optional<ApiError> selectError(const ReadSource& source, const Json& request);

// What one write of an item (`before` to `after`, null for none) costs each
// global secondary index it changes, as DynamoDB charges it: the projected
// item's size in 1 KB units for the entry put or deleted, both when the
// index key moves, nothing when the index holds neither or its entry stays
// the same. Index name -> write units.
std::map<std::string, double> indexWriteUnits(const Json& table, const Json* before, const Json* after);

}  // namespace kura::ddb
