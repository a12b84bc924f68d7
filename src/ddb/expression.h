#pragma once
// DynamoDB expressions: condition, key condition, filter, projection and
// update expressions, with ExpressionAttributeNames (#n) and Values (:v).
// A hand-written recursive-descent parser: no Debian package parses
// DynamoDB's expression grammar.
#include <map>
#include <set>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/api_error.h"
#include "ddb/attribute_value.h"

namespace kura::ddb {

// A document path: names and list indexes, e.g. a.b[2].c
struct PathElement {
  std::string name;  // empty for an index
  long index = -1;
};
using Path = std::vector<PathElement>;

struct Operand;
using OperandPtr = std::shared_ptr<Operand>;
struct Operand {
  enum class Kind { Path, Value, Size, IfNotExists, ListAppend, Plus, Minus } kind = Kind::Path;
  Path path;  // a size() of a value has it in `left` instead
  Json value;
  OperandPtr left, right;
};

// How deep the trees go, for everything that walks them by recursion
// (evaluate, ExpressionWriter, the shared pointers' destructors): the
// parsers refuse parentheses, NOT, and functions nested more than 64 deep;
// an AND/OR chain is a left-deep tree as long as the text allows (4 KB per
// expression, 8 KB per PartiQL statement: a few thousand frames at most);
// values are attribute values, bounded as attribute_value.h says.
struct Condition;
using ConditionPtr = std::shared_ptr<Condition>;
struct Condition {
  enum class Kind { Compare, Between, In, Exists, NotExists, Type, BeginsWith, Contains, And, Or, Not } kind =
      Kind::Compare;
  std::string op;  // =, <>, <, <=, >, >=
  std::vector<OperandPtr> operands;
  ConditionPtr left, right;
};

struct UpdateAction {
  enum class Kind { Set, Remove, Add, Delete } kind = Kind::Set;
  Path path;
  OperandPtr value;
};

struct ExpressionContext {
  const Json* names = nullptr;   // ExpressionAttributeNames
  const Json* values = nullptr;  // ExpressionAttributeValues
  // Which of them the expressions used: unused ones are an error, as in DynamoDB.
  std::set<std::string>* usedNames = nullptr;
  std::set<std::string>* usedValues = nullptr;
};

// Errors are DynamoDB's, named for the request parameter that holds the
// expression ("Invalid KeyConditionExpression: Syntax error; token: ...").
Result<ConditionPtr> parseCondition(const std::string& text, const ExpressionContext& context,
                                    const std::string& parameter = "ConditionExpression");
Result<std::vector<Path>> parseProjection(const std::string& text, const ExpressionContext& context);
Result<std::vector<UpdateAction>> parseUpdate(const std::string& text, const ExpressionContext& context);

// Evaluation against an item (a map of attribute values; empty if none).
Result<bool> evaluate(const Condition& condition, const Json& item);
const Json* resolvePath(const Json& item, const Path& path);
Json project(const Json& item, const std::vector<Path>& paths);
// Whether the actions only remove (REMOVE, DELETE from a set): applied to
// an item that does not exist they create nothing, as in DynamoDB.
bool onlyRemoves(const std::vector<UpdateAction>& actions);
// Applies the actions to `item` in place.
std::optional<ApiError> applyUpdate(Json& item, const std::vector<UpdateAction>& actions);
std::string pathToString(const Path& path);
// Whether the operand is the top-level attribute `name` (a key attribute in
// a key condition).
bool isAttributeNamed(const OperandPtr& operand, const std::string& name);

}  // namespace kura::ddb
