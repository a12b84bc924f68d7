#include <cmath>
#include <map>

#include "common/crypto.h"
#include "common/time_format.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/item_checks.h"
#include "services/dynamodb/secondary_indexes.h"

namespace kura::ddb {
namespace {

constexpr double kTokenSeconds = 600;  // ClientRequestToken idempotency window

struct PlannedWrite {
  std::string kind;  // Put, Update, Delete, ConditionCheck
  const Json* request = nullptr;
  ConditionPtr condition;
  std::vector<UpdateAction> actions;
  Json item;          // Put: the item; Update: the key attributes
  std::string returnOnFailure;
};

}  // namespace

Result<Json> DynamoDbApi::transactWriteItems(const RequestContext& c, const Json& in) {
  const Json& operations = in["TransactItems"];
  std::string token = in.value("ClientRequestToken", "");
  std::string requestHash = sha256Hex(operations.dump());
  std::string tokenKey = "t|" + c.accountId + "|" + c.region + "|" + token;
  double now = toEpochSeconds(clock_->now());
  if (!token.empty()) {
    if (auto seen = store_.getMeta(tokenKey); seen && now - (*seen)["at"].get<double>() < kTokenSeconds) {
      if ((*seen)["hash"] != requestHash) {
        return ApiError::sender("IdempotentParameterMismatchException",
                                "The request uses the same client token as a previous, but non-identical request.");
      }
      return Json::object();  // already applied: the same answer, nothing done twice
    }
  }
  std::vector<TableStore::TransactionItem> items;
  std::vector<PlannedWrite> plans;
  std::vector<Json> tables;
  std::set<std::string> seen;
  for (const auto& operation : operations) {
    if (operation.size() != 1) {
      return ApiError::sender("ValidationException", "Each TransactItem must contain exactly one of Put, Update, Delete or ConditionCheck");
    }
    PlannedWrite plan;
    plan.kind = operation.begin().key();
    plan.request = &operation.begin().value();
    // Only the four kinds (the service model checked their members): any
    // other name would run as an update nobody authorized.
    if ((plan.kind != "Put" && plan.kind != "Update" && plan.kind != "Delete" && plan.kind != "ConditionCheck") ||
        !plan.request->is_object()) {
      return ApiError::sender("ValidationException", "Each TransactItem must contain exactly one of Put, Update, Delete or ConditionCheck");
    }
    const Json& request = *plan.request;
    auto table = requireTable(c, request["TableName"], Use::Write);
    if (!table) return table.error();
    Json keySource = plan.kind == "Put" ? request["Item"] : request["Key"];
    if (auto error = validateItem(keySource, plan.kind == "Put" ? "Item" : "Key")) return *error;
    auto key = keyOf(*table, keySource, plan.kind != "Put");
    if (!key) return key.error();
    if (!seen.insert((*table)["_id"].get<std::string>() + "/" + *key).second) {
      return ApiError::sender("ValidationException", "Transaction request cannot include multiple operations on one item");
    }
    RequestExpressions expressions(request);
    if (request.contains("ConditionExpression")) {
      auto condition = parseCondition(request["ConditionExpression"], expressions.context());
      if (!condition) return condition.error();
      plan.condition = *condition;
    } else if (plan.kind == "ConditionCheck") {
      return ApiError::sender("ValidationException", "A ConditionCheck needs a ConditionExpression");
    }
    if (plan.kind == "Update") {
      auto actions = parseUpdate(request.value("UpdateExpression", ""), expressions.context());
      if (!actions) return actions.error();
      plan.actions = *actions;
      if (auto error = keyUpdateError(*table, plan.actions)) return *error;
    }
    if (auto error = expressions.checkAllUsed()) return *error;
    plan.item = keySource;
    plan.returnOnFailure = request.value("ReturnValuesOnConditionCheckFailure", "NONE");
    items.push_back({(*table)["_id"], *key});
    plans.push_back(std::move(plan));
    tables.push_back(*table);
  }
  // What each item's write costs the table and its global secondary
  // indexes (known once the current items are read, inside the transaction).
  std::vector<double> units(plans.size(), 1.0);
  std::vector<std::map<std::string, double>> indexUnits(plans.size());
  auto done = store_.transact(items, [&](const std::vector<std::optional<Json>>& current)
                                         -> Result<std::vector<std::pair<bool, std::optional<Json>>>> {
    // Every item's reason, in the request's order: a condition that does
    // not hold, or an update that cannot be made (an attribute it reads is
    // missing, the item grows past 400 KB, an index key of the wrong type):
    // TransactionCanceledException's ConditionalCheckFailed and ValidationError.
    Json reasons = Json::array();
    bool failed = false;
    std::vector<std::pair<bool, std::optional<Json>>> writes;
    for (size_t i = 0; i < plans.size(); ++i) {
      const PlannedWrite& plan = plans[i];
      Json reason = {{"Code", "None"}};
      if (plan.condition) {
        auto holds = evaluate(*plan.condition, current[i] ? *current[i] : Json::object());
        if (!holds) return holds.error();
        if (!*holds) {
          reason = {{"Code", "ConditionalCheckFailed"}, {"Message", "The conditional request failed"}};
          if (plan.returnOnFailure == "ALL_OLD" && current[i]) reason["Item"] = *current[i];
        }
      }
      if (plan.kind == "ConditionCheck") {
        writes.emplace_back(false, std::nullopt);
      } else if (plan.kind == "Delete") {
        writes.emplace_back(true, std::nullopt);
      } else if (plan.kind == "Put") {
        writes.emplace_back(true, plan.item);
      } else if (!current[i] && onlyRemoves(plan.actions)) {
        writes.emplace_back(false, std::nullopt);  // removing from a missing item creates nothing
      } else {
        Json item = current[i] ? *current[i] : plan.item;
        std::optional<ApiError> error = applyUpdate(item, plan.actions);
        if (!error) error = updatedItemError(tables[i], item);
        if (error && reason["Code"] == "None") reason = {{"Code", "ValidationError"}, {"Message", error->message}};
        writes.emplace_back(true, std::move(item));
      }
      failed = failed || reason["Code"] != "None";
      reasons.push_back(std::move(reason));
      const Json* before = current[i] ? &*current[i] : nullptr;
      const Json* after = writes.back().second ? &*writes.back().second : nullptr;
      const Json* sized = after ? after : before;
      units[i] = sized ? std::max(1.0, std::ceil(itemSize(*sized) / 1024.0)) : 1.0;
      if (writes.back().first && !failed) indexUnits[i] = indexWriteCosts(tables[i], in, before, after);
    }
    if (failed) {
      std::string codes;
      for (const auto& reason : reasons) codes += (codes.empty() ? "" : ", ") + reason["Code"].get<std::string>();
      ApiError error = ApiError::sender("TransactionCanceledException",
                                        "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
      error.detailsJson = Json{{"CancellationReasons", reasons}}.dump();
      return error;
    }
    return writes;
  });
  if (!done) return done.error();
  if (!token.empty()) store_.putMeta(tokenKey, Json{{"hash", requestHash}, {"at", now}});
  // A transaction consumes twice: two write units per item (of up to 1 KB),
  // on the table and on each index the write changes.
  Json capacity = Json::array();
  for (size_t i = 0; i < tables.size(); ++i) {
    for (auto& [index, indexUsed] : indexUnits[i]) indexUsed *= 2;
    addConsumed(capacity, consumed(tables[i], Use::Write, 2 * units[i], in, true, indexUnits[i]));
  }
  Json out = Json::object();
  if (!capacity.empty()) out["ConsumedCapacity"] = capacity;
  return out;
}

Result<Json> DynamoDbApi::transactGetItems(const RequestContext& c, const Json& in) {
  std::vector<TableStore::TransactionItem> items;
  std::vector<std::vector<Path>> projections;
  std::vector<Json> tables;
  for (const auto& operation : in["TransactItems"]) {
    // Get alone (the service model checked its members): an item with
    // another member beside it is not the one its authorization asked for.
    if (!operation.is_object() || operation.size() != 1 || !operation.contains("Get") ||
        !operation["Get"].is_object()) {
      return ApiError::sender("ValidationException", "Each TransactItem must contain exactly one Get");
    }
    const Json& request = operation["Get"];
    auto table = requireTable(c, request["TableName"], Use::Read);
    if (!table) return table.error();
    Json keyAttributes = request["Key"];
    for (auto it = keyAttributes.begin(); it != keyAttributes.end(); ++it) {
      if (auto error = validateValue(it.value(), "Key")) return *error;
    }
    auto key = keyOf(*table, keyAttributes, true);
    if (!key) return key.error();
    RequestExpressions expressions(request);
    std::vector<Path> projection;
    if (request.contains("ProjectionExpression")) {
      auto parsed = parseProjection(request["ProjectionExpression"], expressions.context());
      if (!parsed) return parsed.error();
      projection = *parsed;
    }
    items.push_back({(*table)["_id"], *key});
    projections.push_back(projection);
    tables.push_back(*table);
  }
  Json responses = Json::array();
  // Under the tables' locks, so the reads see one consistent moment.
  auto done = store_.transact(items, [&](const std::vector<std::optional<Json>>& current)
                                         -> Result<std::vector<std::pair<bool, std::optional<Json>>>> {
    for (size_t i = 0; i < current.size(); ++i) {
      Json response = Json::object();
      if (current[i]) response["Item"] = projections[i].empty() ? *current[i] : project(*current[i], projections[i]);
      responses.push_back(response);
    }
    return std::vector<std::pair<bool, std::optional<Json>>>{};
  });
  if (!done) return done.error();
  // Two read units per item (of up to 4 KB), as transactions consume.
  Json capacity = Json::array();
  for (size_t i = 0; i < tables.size(); ++i) {
    const Json& response = responses[i];
    double size = response.contains("Item") ? static_cast<double>(itemSize(response["Item"])) : 0.0;
    addConsumed(capacity, consumed(tables[i], Use::Read, 2 * std::max(1.0, std::ceil(size / 4096.0)), in));
  }
  Json out = {{"Responses", responses}};
  if (!capacity.empty()) out["ConsumedCapacity"] = capacity;
  return out;
}

}  // namespace kura::ddb
