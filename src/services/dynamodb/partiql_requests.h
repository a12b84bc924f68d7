#pragma once
// A parsed PartiQL statement as the request of the item handler that does
// it: SELECT as GetItem (one item), Query (an equality on the partition key)
// or Scan; INSERT as PutItem that refuses an existing key; UPDATE as
// UpdateItem of an existing item; DELETE as DeleteItem; [NOT] EXISTS as a
// transaction's ConditionCheck. Predicates beside the key become the
// request's condition or filter.
#include "ddb/partiql.h"

namespace kura::ddb {

struct StatementRequest {
  enum class Op { Get, Query, Scan, Put, Update, Delete, Check } op = Op::Get;
  Json request;  // TableName, Key or Item, expressions with their names and values
};

// `table`: the stored description of the statement's table. `oneItem`: the
// statement must name one item by its whole key (batches and transactions).
Result<StatementRequest> requestFor(const partiql::Statement& statement, const Json& table, bool oneItem);

}  // namespace kura::ddb
