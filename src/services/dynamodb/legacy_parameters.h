#pragma once
// DynamoDB's legacy (pre-expression) parameters, still sent by older SDKs
// and mappers: KeyConditions, QueryFilter, ScanFilter, Expected with
// ConditionalOperator, AttributeUpdates and AttributesToGet. Each request is
// rewritten into the equivalent expressions (with placeholder names and
// values of its own), so one evaluator serves both forms. Mixing the two
// forms in one request is refused, as DynamoDB refuses it.
#include "common/api_error.h"
#include "services/core/handler_table.h"

namespace kura::ddb {

// True when the request carries any legacy parameter (a few key lookups:
// the data path checks this before anything is copied).
bool hasLegacyParameters(const Json& request);
// The request with its legacy parameters turned into expressions.
Result<Json> translateLegacyParameters(const Json& request);

}  // namespace kura::ddb
