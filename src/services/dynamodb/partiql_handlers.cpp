// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: each
// statement becomes the request of an item handler (partiql_requests.h).
#include <map>

#include "common/crypto.h"
#include "protocol/json_nesting.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/key_paths.h"
#include "services/dynamodb/partiql_requests.h"

namespace kura::ddb {
namespace {

using partiql::Statement;

bool isRead(const Statement& s) { return s.kind == Statement::Kind::Select; }

ApiError validation(const std::string& message) { return ApiError::sender("ValidationException", message); }

// An INSERT whose key is taken answers as DynamoDB's PartiQL does.
ApiError insertError(const ApiError& error) {
  if (error.code != "ConditionalCheckFailedException") return error;
  return ApiError::sender("DuplicateItemException", "Duplicate primary key exists in table");
}

// BatchStatementErrorCodeEnum: an API error's code within a batch response.
std::string batchCode(const std::string& code) {
  static const std::map<std::string, std::string> kCodes = {
      {"ConditionalCheckFailedException", "ConditionalCheckFailed"},
      {"DuplicateItemException", "DuplicateItem"},
      {"ValidationException", "ValidationError"},
      {"ResourceNotFoundException", "ResourceNotFound"},
      {"ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded"},
      {"TransactionConflictException", "TransactionConflict"},
      {"ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceeded"},
      {"RequestLimitExceeded", "RequestLimitExceeded"},
      {"ThrottlingException", "ThrottlingError"},
      {"AccessDeniedException", "AccessDenied"}};
  auto it = kCodes.find(code);
  return it == kCodes.end() ? "InternalServerError" : it->second;
}

// The service model has already checked the request's shape (Statement
// present, 1-25 batch statements, 1-100 in a transaction).
Json statementParameters(const Json& entry) { return entry.contains("Parameters") ? entry["Parameters"] : Json(); }

const Json& listMember(const Json& in, const char* name) {
  static const Json kNone = Json::array();
  return in.contains(name) ? in[name] : kNone;
}

}  // namespace

// One parsed statement as its item handler's request, against the table it names.
Result<StatementRequest> DynamoDbApi::statementRequest(const RequestContext& c, const Json& entry, bool oneItem,
                                                       Statement& statement) {
  auto parsed = partiql::parseStatement(entry["Statement"].get<std::string>(), statementParameters(entry));
  if (!parsed) return parsed.error();
  statement = std::move(*parsed);
  auto table = requireTable(c, statement.table);
  if (!table) return table.error();
  return requestFor(statement, *table, oneItem);
}

Result<Json> DynamoDbApi::runStatement(const RequestContext& c, const StatementRequest& call) {
  using Op = StatementRequest::Op;
  switch (call.op) {
    case Op::Get:
      return getItem(c, call.request);
    case Op::Query: {
      Json request = call.request;
      request[kFromStatement] = true;
      return query(c, request);
    }
    case Op::Scan:
      return scan(c, call.request);
    case Op::Put: {
      auto out = putItem(c, call.request);
      if (!out) return insertError(out.error());
      return out;
    }
    case Op::Update:
      return updateItem(c, call.request);
    case Op::Delete:
      return deleteItem(c, call.request);
    case Op::Check:
      break;
  }
  return validation("EXISTS is only allowed in ExecuteTransaction");
}

Result<Json> DynamoDbApi::executeStatement(const RequestContext& c, const Json& in) {
  Statement statement;
  auto call = statementRequest(c, in, false, statement);
  if (!call) return call.error();
  Json& request = call->request;
  if (in.contains("ReturnConsumedCapacity")) request["ReturnConsumedCapacity"] = in["ReturnConsumedCapacity"];
  bool reading = call->op == StatementRequest::Op::Query || call->op == StatementRequest::Op::Scan;
  if (reading) {
    if (in.contains("Limit")) request["Limit"] = in["Limit"];
    if (in.contains("NextToken")) {
      std::string decoded;
      Json start;
      // The token is the client's: bounded like a body before it is parsed.
      if (in["NextToken"].is_string() && base64Decode(in["NextToken"].get<std::string>(), decoded) &&
          jsonNestsWithin(decoded)) {
        start = Json::parse(decoded, nullptr, false);
      }
      if (!start.is_object()) return validation("The provided NextToken is not valid");
      request["ExclusiveStartKey"] = start;
    }
  }
  if (isRead(statement) && in.value("ConsistentRead", false)) request["ConsistentRead"] = true;
  auto response = runStatement(c, *call);
  if (!response) return response.error();
  Json out = {{"Items", Json::array()}};
  if (reading) {
    out["Items"] = response->value("Items", Json::array());
    if (response->contains("LastEvaluatedKey")) {
      out["LastEvaluatedKey"] = (*response)["LastEvaluatedKey"];
      out["NextToken"] = base64Encode((*response)["LastEvaluatedKey"].dump());
    }
  } else if (response->contains("Item")) {
    out["Items"].push_back((*response)["Item"]);
  } else if (response->contains("Attributes")) {
    out["Items"].push_back((*response)["Attributes"]);
  }
  if (response->contains("ConsumedCapacity")) out["ConsumedCapacity"] = (*response)["ConsumedCapacity"];
  return out;
}

Result<Json> DynamoDbApi::batchExecuteStatement(const RequestContext& c, const Json& in) {
  const Json& statements = listMember(in, "Statements");
  // Parsed first: a batch is all reads or all writes.
  std::vector<Result<StatementRequest>> calls;
  std::vector<Statement> parsed(statements.size());
  bool reads = false, writes = false;
  for (size_t i = 0; i < statements.size(); ++i) {
    calls.push_back(statementRequest(c, statements[i], true, parsed[i]));
    if (!calls.back()) continue;
    (isRead(parsed[i]) ? reads : writes) = true;
    Json& request = calls.back()->request;
    if (in.contains("ReturnConsumedCapacity")) request["ReturnConsumedCapacity"] = in["ReturnConsumedCapacity"];
    if (isRead(parsed[i]) && statements[i].value("ConsistentRead", false)) request["ConsistentRead"] = true;
  }
  if (reads && writes) return validation("Statements of a batch must be all reads or all writes");
  Json responses = Json::array(), capacity = Json::array();
  for (size_t i = 0; i < statements.size(); ++i) {
    // (runStatement refuses EXISTS outside a transaction.)
    Result<Json> response = calls[i] ? runStatement(c, *calls[i]) : Result<Json>(calls[i].error());
    Json entry = Json::object();
    if (!parsed[i].table.empty()) entry["TableName"] = parsed[i].table;
    if (!response) {
      entry["Error"] = {{"Code", batchCode(response.error().code)}, {"Message", response.error().message}};
    } else {
      if (response->contains("Item")) entry["Item"] = (*response)["Item"];
      if (response->contains("ConsumedCapacity")) addConsumed(capacity, (*response)["ConsumedCapacity"]);
    }
    responses.push_back(entry);
  }
  Json out = {{"Responses", responses}};
  if (!capacity.empty()) out["ConsumedCapacity"] = capacity;
  return out;
}

Result<Json> DynamoDbApi::executeTransaction(const RequestContext& c, const Json& in) {
  const Json& statements = listMember(in, "TransactStatements");
  Json items = Json::array();
  std::vector<bool> inserts;
  bool reads = false, writes = false;
  for (const Json& entry : statements) {
    Statement statement;
    auto call = statementRequest(c, entry, true, statement);
    if (!call) return call.error();
    if (!statement.returnValues.empty()) return validation("RETURNING is not allowed in a transaction");
    (isRead(statement) ? reads : writes) = true;
    static const std::map<StatementRequest::Op, const char*> kMembers = {
        {StatementRequest::Op::Get, "Get"},       {StatementRequest::Op::Put, "Put"},
        {StatementRequest::Op::Update, "Update"}, {StatementRequest::Op::Delete, "Delete"},
        {StatementRequest::Op::Check, "ConditionCheck"}};
    items.push_back({{kMembers.at(call->op), call->request}});
    inserts.push_back(statement.kind == Statement::Kind::Insert);
  }
  if (reads && writes) return validation("Statements of a transaction must be all reads or all writes");
  Json request = {{"TransactItems", items}};
  for (const char* member : {"ReturnConsumedCapacity", "ClientRequestToken"}) {
    if (in.contains(member)) request[member] = in[member];
  }
  if (reads) {
    request.erase("ClientRequestToken");
    auto response = transactGetItems(c, request);
    if (!response) return response.error();
    Json out = {{"Responses", response->value("Responses", Json::array())}};
    if (response->contains("ConsumedCapacity")) out["ConsumedCapacity"] = (*response)["ConsumedCapacity"];
    return out;
  }
  auto response = transactWriteItems(c, request);
  if (!response) {
    ApiError error = response.error();
    Json details = Json::parse(error.detailsJson.empty() ? "{}" : error.detailsJson, nullptr, false);
    if (details.is_object() && details.contains("CancellationReasons")) {
      // A taken key of an INSERT is a duplicate, not a failed condition.
      Json& reasons = details["CancellationReasons"];
      for (size_t i = 0; i < reasons.size() && i < inserts.size(); ++i) {
        if (inserts[i] && reasons[i].value("Code", "") == "ConditionalCheckFailed") {
          reasons[i] = {{"Code", "DuplicateItem"}, {"Message", "Duplicate primary key exists in table"}};
        }
      }
      error.detailsJson = details.dump();
      error.message = "Transaction cancelled, please refer cancellation reasons for specific reasons [";
      for (size_t i = 0; i < reasons.size(); ++i) error.message += (i ? ", " : "") + reasons[i].value("Code", "None");
      error.message += "]";
    }
    return error;
  }
  Json out = Json::object();
  if (response->contains("ConsumedCapacity")) out["ConsumedCapacity"] = (*response)["ConsumedCapacity"];
  return out;
}

}  // namespace kura::ddb
