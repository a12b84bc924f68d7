#include <algorithm>
#include <functional>

#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/secondary_indexes.h"

namespace kura::ddb {
namespace {

constexpr size_t kPageBytes = 1024 * 1024;

ApiError keyConditionError(const std::string& why) {
  return ApiError::sender("ValidationException", "Query key condition not supported: " + why);
}

// What a page of Query or Scan gathers: the filter, projection and counts.
struct PageBuilder {
  const Json& in;
  ConditionPtr filter;
  std::vector<Path> projection;
  bool countOnly = false;
  size_t limit = SIZE_MAX;
  size_t evaluated = 0, bytes = 0;
  Json items = Json::array();

  // False once the page is full.
  Result<bool> add(const Json& item) {
    ++evaluated;
    bytes += itemSize(item);
    bool keep = true;
    if (filter) {
      auto holds = evaluate(*filter, item);
      if (!holds) return holds.error();
      keep = *holds;
    }
    if (keep && !countOnly) items.push_back(projection.empty() ? item : project(item, projection));
    if (keep && countOnly) items.push_back(nullptr);
    return evaluated < limit && bytes < kPageBytes;
  }
};

Result<std::unique_ptr<PageBuilder>> pageFor(const Json& in, RequestExpressions& expressions) {
  auto page = std::make_unique<PageBuilder>(PageBuilder{in});
  if (in.contains("FilterExpression")) {
    auto filter = parseCondition(in["FilterExpression"], expressions.context());
    if (!filter) return filter.error();
    page->filter = *filter;
  }
  if (in.contains("ProjectionExpression")) {
    auto projection = parseProjection(in["ProjectionExpression"], expressions.context());
    if (!projection) return projection.error();
    page->projection = *projection;
  }
  std::string select = in.value("Select", "ALL_ATTRIBUTES");
  if (select == "COUNT") page->countOnly = true;
  if (select == "SPECIFIC_ATTRIBUTES" && page->projection.empty()) {
    return ApiError::sender("ValidationException", "Select SPECIFIC_ATTRIBUTES needs a ProjectionExpression");
  }
  if (in.contains("Limit")) page->limit = in["Limit"].get<size_t>();
  return page;
}

Json pageOutput(DynamoDbApi& api, PageBuilder& page, const std::optional<Json>& lastKey, const Json& table,
               const ReadSource& source, const Json& in) {
  Json out = {{"Count", page.items.size()}, {"ScannedCount", page.evaluated}};
  if (!page.countOnly) out["Items"] = page.items;
  if (lastKey) out["LastEvaluatedKey"] = *lastKey;
  double units = std::max(0.5, std::ceil(page.bytes / 4096.0) / (in.value("ConsistentRead", false) ? 1 : 2));
  // A global secondary index has capacity of its own; a local one reads the table's.
  bool global = source.global && source.index;
  Json capacity = global ? api.consumed(table, Use::Read, 0, in, true, {{source.index->name, units}})
                         : api.consumed(table, Use::Read, units, in);
  if (!capacity.is_null()) out["ConsumedCapacity"] = capacity;
  return out;
}

}  // namespace

Result<std::string> DynamoDbApi::startPosition(const Json& table, const ReadSource& source, const Json& startKey) {
  auto invalidKey = [](const std::string& why) {
    return ApiError::sender("ValidationException", "The provided starting key is invalid: " + why);
  };
  auto itemKey = keyOf(table, startKey, !source.index);
  if (!itemKey) return invalidKey(itemKey.error().message);
  if (!source.index) return *itemKey;
  auto entry = TableStore::indexEntryKey(*source.index, startKey, *itemKey);
  if (!entry) return invalidKey("The provided key element does not match the schema");
  return *entry;
}

Result<Json> DynamoDbApi::query(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  auto source = readSourceFor(*table, in);
  if (!source) return source.error();
  if (auto throttled = admitRead(*table, *source)) return *throttled;
  if (!in.contains("KeyConditionExpression")) {
    return ApiError::sender("ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  RequestExpressions expressions(in);
  auto keyCondition = parseCondition(in["KeyConditionExpression"], expressions.context());
  if (!keyCondition) return keyCondition.error();
  auto page = pageFor(in, expressions);
  if (!page) return page.error();
  if (auto error = expressions.checkAllUsed()) return *error;

  const std::string& hashName = source->hashName;
  const std::string& rangeName = source->rangeName;
  std::vector<ConditionPtr> parts;
  if ((*keyCondition)->kind == Condition::Kind::And) {
    parts = {(*keyCondition)->left, (*keyCondition)->right};
  } else {
    parts = {*keyCondition};
  }
  std::optional<Json> hashValue;
  ConditionPtr rangeCondition;
  for (const auto& part : parts) {
    if (part->kind == Condition::Kind::Compare && part->op == "=" && isAttributeNamed(part->operands[0], hashName) &&
        part->operands[1]->kind == Operand::Kind::Value && !hashValue) {
      hashValue = part->operands[1]->value;
    } else if (!rangeName.empty() && !part->operands.empty() && isAttributeNamed(part->operands[0], rangeName) &&
               (part->kind == Condition::Kind::Compare || part->kind == Condition::Kind::Between ||
                part->kind == Condition::Kind::BeginsWith) && part->op != "<>" && !rangeCondition) {
      rangeCondition = part;
    } else {
      return keyConditionError("the condition must name the partition key with = and at most one sort key condition");
    }
  }
  if (!hashValue) return keyConditionError("the partition key must be given with =");
  std::string prefix = TableStore::hashPrefix(*hashValue);

  // The items under the partition key (with their positions, for paging),
  // in sort key order.
  std::vector<std::pair<std::string, Json>> matching;
  auto collect = [&](const std::string& position, Json item) {
    matching.emplace_back(position, std::move(item));
    return true;
  };
  if (source->index) {
    store_.scanIndex((*table)["_id"], source->index->name, prefix, "", collect);
  } else {
    store_.scanItems((*table)["_id"], prefix, "", collect);
  }
  if (!rangeName.empty()) {
    std::stable_sort(matching.begin(), matching.end(), [&](const auto& a, const auto& b) {
      return compareValues(a.second[rangeName], b.second[rangeName]).value_or(0) < 0;
    });
  }
  if (!in.value("ScanIndexForward", true)) std::reverse(matching.begin(), matching.end());
  size_t start = 0;
  if (in.contains("ExclusiveStartKey")) {
    auto startKey = startPosition(*table, *source, in["ExclusiveStartKey"]);
    if (!startKey) return startKey.error();
    for (size_t i = 0; i < matching.size(); ++i) {
      if (matching[i].first == *startKey) {
        start = i + 1;
        break;
      }
    }
  }
  std::optional<Json> lastKey;
  for (size_t i = start; i < matching.size(); ++i) {
    const Json& item = matching[i].second;
    if (rangeCondition) {
      auto holds = evaluate(*rangeCondition, item);
      if (!holds) return holds.error();
      if (!*holds) continue;
    }
    auto more = (*page)->add(source->project(*table, item));
    if (!more) return more.error();
    if (!*more) {
      if (i + 1 < matching.size()) lastKey = source->pagingKey(*table, item);
      break;
    }
  }
  return pageOutput(*this, **page, lastKey, *table, *source, in);
}

Result<Json> DynamoDbApi::scan(const RequestContext& c, const Json& in) {
  auto table = requireTable(c, in["TableName"]);
  if (!table) return table.error();
  auto source = readSourceFor(*table, in);
  if (!source) return source.error();
  if (auto throttled = admitRead(*table, *source)) return *throttled;
  int64_t segment = in.value("Segment", -1), total = in.value("TotalSegments", -1);
  if ((segment >= 0) != (total >= 0) || (total > 0 && segment >= total)) {
    return ApiError::sender("ValidationException", "Segment and TotalSegments must be given together, with Segment < TotalSegments");
  }
  RequestExpressions expressions(in);
  auto page = pageFor(in, expressions);
  if (!page) return page.error();
  if (auto error = expressions.checkAllUsed()) return *error;
  std::string startAfter;
  if (in.contains("ExclusiveStartKey")) {
    auto startKey = startPosition(*table, *source, in["ExclusiveStartKey"]);
    if (!startKey) return startKey.error();
    startAfter = *startKey;
  }
  const std::string& hashName = source->hashName;
  std::optional<Json> lastKey;
  std::optional<ApiError> failure;
  bool full = false;
  auto visit = [&](const std::string&, Json item) {
    if (full) {
      return false;
    }
    if (total > 0) {
      size_t bucket = std::hash<std::string>{}(keyBytes(item[hashName])) % static_cast<size_t>(total);
      if (static_cast<int64_t>(bucket) != segment) return true;
    }
    auto more = (*page)->add(source->project(*table, item));
    if (!more) {
      failure = more.error();
      return false;
    }
    if (!*more) {
      lastKey = source->pagingKey(*table, item);
      full = true;
    }
    return true;
  };
  if (source->index) {
    store_.scanIndex((*table)["_id"], source->index->name, "", startAfter, visit);
  } else {
    store_.scanItems((*table)["_id"], "", startAfter, visit);
  }
  if (failure) return *failure;
  return pageOutput(*this, **page, lastKey, *table, *source, in);
}

}  // namespace kura::ddb
