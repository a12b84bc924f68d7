#pragma once
// Checks about keys: what DynamoDB refuses of a projection's or filter's
// paths once the table is known (a path into a key attribute, pk.a or
// pk[0], of the table or of one of its indexes, and a Query filter on the
// source's own key), and an ExclusiveStartKey's values.
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "ddb/expression.h"

namespace kura::ddb {

// The values of an ExclusiveStartKey, as DynamoDB checks them before the
// key itself (whose schema needs the table).
std::optional<ApiError> checkStartKeyValues(const Json& in);
// The document paths a condition names, those inside its functions too.
std::vector<Path> conditionPaths(const Condition& condition);
// "Key attributes must be scalars; ...: Key: pk" (IndexKey for an index's).
std::optional<ApiError> checkKeyPaths(const Json& table, const std::vector<Path>& paths);
// "Filter Expression can only contain non-primary key attributes: ..." for
// a Query filter that names the partition or sort key it reads by. A
// PartiQL SELECT's Query may (a second condition on the sort key goes to
// its filter): it carries kFromStatement, which Query then does not check.
inline constexpr const char* kFromStatement = "_kuraFromStatement";
// Set on a Query whose filter came as the legacy QueryFilter (legacy_parameters.cpp).
inline constexpr const char* kFromQueryFilter = "_kuraFromQueryFilter";
// `filterName`: "QueryFilter" when the filter came as the legacy parameter,
// whose name DynamoDB's message then uses.
std::optional<ApiError> checkFilterKeys(const std::vector<Path>& paths, const std::string& hashName,
                                        const std::string& rangeName,
                                        const std::string& filterName = "Filter Expression");

}  // namespace kura::ddb
