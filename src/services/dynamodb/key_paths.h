#pragma once
// What DynamoDB refuses of a projection's or filter's paths once the table
// is known: a path into a key attribute (pk.a, pk[0]) of the table or of
// one of its indexes, and a Query filter on the source's own key.
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "ddb/expression.h"

namespace kura::ddb {

// The document paths a condition names, those inside its functions too.
std::vector<Path> conditionPaths(const Condition& condition);
// "Key attributes must be scalars; ...: Key: pk" (IndexKey for an index's).
std::optional<ApiError> checkKeyPaths(const Json& table, const std::vector<Path>& paths);
// "Filter Expression can only contain non-primary key attributes: ..." for
// a Query filter that names the partition or sort key it reads by. A
// PartiQL SELECT's Query may (a second condition on the sort key goes to
// its filter): it carries kFromStatement, which Query then does not check.
inline constexpr const char* kFromStatement = "_kuraFromStatement";
std::optional<ApiError> checkFilterKeys(const std::vector<Path>& paths, const std::string& hashName,
                                        const std::string& rangeName);

}  // namespace kura::ddb
