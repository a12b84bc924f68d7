#include "services/dynamodb/partiql_requests.h"

#include <optional>

#include "ddb/expression_writer.h"
#include "services/dynamodb/secondary_indexes.h"

namespace kura::ddb {
namespace {

using partiql::Statement;

void conjuncts(const ConditionPtr& condition, std::vector<ConditionPtr>& out) {
  if (!condition) return;
  if (condition->kind == Condition::Kind::And) {
    conjuncts(condition->left, out);
    conjuncts(condition->right, out);
  } else {
    out.push_back(condition);
  }
}

ConditionPtr joinAll(const std::vector<ConditionPtr>& parts) {
  ConditionPtr joined;
  for (const ConditionPtr& part : parts) {
    if (!joined) {
      joined = part;
      continue;
    }
    auto both = std::make_shared<Condition>();
    both->kind = Condition::Kind::And;
    both->left = joined;
    both->right = part;
    joined = both;
  }
  return joined;
}

// `name = value` (either way round): the value.
std::optional<Json> equalityOn(const Condition& c, const std::string& name) {
  if (c.kind != Condition::Kind::Compare || c.op != "=") return std::nullopt;
  const OperandPtr& a = c.operands[0];
  const OperandPtr& b = c.operands[1];
  if (isAttributeNamed(a, name) && b->kind == Operand::Kind::Value) return b->value;
  if (isAttributeNamed(b, name) && a->kind == Operand::Kind::Value) return a->value;
  return std::nullopt;
}

// A sort key condition a Query's key condition can hold.
bool isSortKeyCondition(const Condition& c, const std::string& name) {
  if (c.operands.empty() || !isAttributeNamed(c.operands[0], name)) return false;
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (c.operands[i]->kind != Operand::Kind::Value) return false;
  }
  return (c.kind == Condition::Kind::Compare && c.op != "<>") || c.kind == Condition::Kind::Between ||
         c.kind == Condition::Kind::BeginsWith;
}

std::vector<std::string> keyNames(const Json& table) {
  std::vector<std::string> names;
  for (const auto& element : table["KeySchema"]) names.push_back(element["AttributeName"]);
  return names;
}

struct KeyedWhere {
  Json key = Json::object();
  ConditionPtr rest;  // the predicates beside the key's equalities
};

// The item a write names: an equality on every key attribute.
Result<KeyedWhere> splitKey(const Json& table, const ConditionPtr& where) {
  std::vector<ConditionPtr> parts, rest;
  conjuncts(where, parts);
  KeyedWhere out;
  std::vector<std::string> names = keyNames(table);
  for (const ConditionPtr& part : parts) {
    bool taken = false;
    for (const std::string& name : names) {
      if (out.key.contains(name)) continue;
      if (auto value = equalityOn(*part, name)) {
        out.key[name] = *value;
        taken = true;
        break;
      }
    }
    if (!taken) rest.push_back(part);
  }
  if (out.key.size() != names.size()) {
    return ApiError::sender("ValidationException",
                            "Where clause does not contain a mandatory equality on all key attributes");
  }
  out.rest = joinAll(rest);
  return out;
}

Json base(const Statement& s) { return {{"TableName", s.table}}; }

Result<StatementRequest> selectRequest(const Statement& s, const Json& table, bool oneItem) {
  ExpressionWriter writer;
  StatementRequest out{StatementRequest::Op::Get, base(s)};
  if (!s.projection.empty()) out.request["ProjectionExpression"] = writer.projection(s.projection);
  if (oneItem) {
    if (!s.index.empty() || s.orderBy) {
      return ApiError::sender("ValidationException", "A read in a batch or transaction names one item of a table");
    }
    auto keyed = splitKey(table, s.where);
    if (!keyed) return keyed.error();
    if (keyed->rest) {
      return ApiError::sender("ValidationException",
                              "A read in a batch or transaction takes only equalities on the key attributes");
    }
    out.request["Key"] = keyed->key;
    writer.addTo(out.request);
    return out;
  }
  if (!s.index.empty()) out.request["IndexName"] = s.index;
  auto source = readSourceFor(table, out.request);
  if (!source) return source.error();
  std::vector<ConditionPtr> parts, filter;
  conjuncts(s.where, parts);
  ConditionPtr hash, range;
  for (const ConditionPtr& part : parts) {
    if (!hash && equalityOn(*part, source->hashName) && isAttributeNamed(part->operands[0], source->hashName)) {
      hash = part;
    } else if (!range && !source->rangeName.empty() && isSortKeyCondition(*part, source->rangeName)) {
      range = part;
    } else {
      filter.push_back(part);
    }
  }
  if (!hash && range) filter.push_back(range);
  if (hash) {
    out.op = StatementRequest::Op::Query;
    out.request["KeyConditionExpression"] = writer.condition(*(range ? joinAll({hash, range}) : hash));
  } else {
    out.op = StatementRequest::Op::Scan;
  }
  if (auto rest = joinAll(filter)) out.request["FilterExpression"] = writer.condition(*rest);
  if (s.orderBy) {
    bool onKey = s.orderBy->size() == 1 &&
                 (s.orderBy->front().name == source->rangeName || s.orderBy->front().name == source->hashName);
    if (!hash || !onKey) {
      return ApiError::sender("ValidationException",
                              "ORDER BY takes a key attribute, with an equality on the partition key in WHERE");
    }
    if (s.descending) out.request["ScanIndexForward"] = false;
  }
  writer.addTo(out.request);
  return out;
}

Result<StatementRequest> writeRequest(const Statement& s, const Json& table) {
  ExpressionWriter writer;
  const std::string hashName = keyNames(table).at(0);
  if (s.kind == Statement::Kind::Insert) {
    Json request = base(s);
    request["Item"] = s.item;
    request["ConditionExpression"] = "attribute_not_exists(" + writer.name(hashName) + ")";
    writer.addTo(request);
    return StatementRequest{StatementRequest::Op::Put, request};
  }
  auto keyed = splitKey(table, s.where);
  if (!keyed) return keyed.error();
  Json request = base(s);
  request["Key"] = keyed->key;
  if (!s.returnValues.empty()) request["ReturnValues"] = s.returnValues;
  std::string rest = keyed->rest ? writer.condition(*keyed->rest) : "";
  StatementRequest::Op op = StatementRequest::Op::Delete;
  std::string condition = rest;
  if (s.kind == Statement::Kind::Update) {
    // UPDATE changes an item that is there; it never makes one.
    op = StatementRequest::Op::Update;
    request["UpdateExpression"] = writer.update(s.updates);
    condition = "attribute_exists(" + writer.name(hashName) + ")" + (rest.empty() ? "" : " AND (" + rest + ")");
  } else if (s.kind == Statement::Kind::Exists) {
    op = StatementRequest::Op::Check;
    condition = "attribute_exists(" + writer.name(hashName) + ")" + (rest.empty() ? "" : " AND (" + rest + ")");
  } else if (s.kind == Statement::Kind::NotExists) {
    op = StatementRequest::Op::Check;
    condition = rest.empty() ? "attribute_not_exists(" + writer.name(hashName) + ")"
                             : "NOT (attribute_exists(" + writer.name(hashName) + ") AND (" + rest + "))";
  }
  if (!condition.empty()) request["ConditionExpression"] = condition;
  writer.addTo(request);
  return StatementRequest{op, request};
}

}  // namespace

Result<StatementRequest> requestFor(const Statement& statement, const Json& table, bool oneItem) {
  if (statement.kind == Statement::Kind::Select) return selectRequest(statement, table, oneItem);
  if (!statement.index.empty()) {
    return ApiError::sender("ValidationException", "Only SELECT reads an index");
  }
  return writeRequest(statement, table);
}

}  // namespace kura::ddb
