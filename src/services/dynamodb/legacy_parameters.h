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

// The request with its legacy parameters turned into expressions (unchanged
// when it has none).
Result<Json> translateLegacyParameters(const Json& request);

}  // namespace kura::ddb
