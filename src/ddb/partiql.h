#pragma once
// DynamoDB's PartiQL statements (ExecuteStatement, BatchExecuteStatement,
// ExecuteTransaction): SELECT, INSERT, UPDATE, DELETE and, in transactions,
// [NOT] EXISTS(SELECT ...). A statement parses into the expression trees of
// expression.h, with its `?` parameters bound, so the item handlers and the
// expression evaluator do the work. Hand-written like the expression parser:
// no Debian package parses DynamoDB's PartiQL dialect.
#include <optional>
#include <string>
#include <vector>

#include "ddb/expression.h"

namespace kura::ddb::partiql {

struct Statement {
  enum class Kind { Select, Insert, Update, Delete, Exists, NotExists } kind = Kind::Select;
  std::string table;
  std::string index;             // SELECT ... FROM "table"."index"
  std::vector<Path> projection;  // SELECT's columns; empty for *
  ConditionPtr where;            // null when there is no WHERE
  Json item;                     // INSERT's item (an attribute map)
  std::vector<UpdateAction> updates;
  std::string returnValues;       // RETURNING as ReturnValues (ALL_OLD, ...); empty for none
  std::optional<Path> orderBy;    // SELECT ... ORDER BY
  bool descending = false;
};

// Parses one statement, binding `parameters` (attribute values, a JSON array
// or null) to its `?` in order. Errors are DynamoDB's ValidationException.
Result<Statement> parseStatement(const std::string& text, const Json& parameters);

}  // namespace kura::ddb::partiql
