#pragma once
// Which scalable targets Kura can scale, and the checks Application Auto
// Scaling makes of a namespace, resource id and scalable dimension: DynamoDB
// tables' and global secondary indexes' read and write capacity units
// ("table/<name>", "table/<name>/index/<index>"). Other namespaces name
// resources Kura does not serve and are refused as AWS refuses an
// unsupported combination.
#include <optional>
#include <string>

#include "common/api_error.h"

namespace kura {

// A DynamoDB target, parsed from its resource id and dimension.
struct DynamoDbTarget {
  std::string table;
  std::string index;  // empty for the table itself
  bool read = true;   // ReadCapacityUnits, else WriteCapacityUnits
};

// The target, or ValidationException.
Result<DynamoDbTarget> parseScalableTarget(const std::string& nameSpace, const std::string& resourceId,
                                           const std::string& dimension);

// "read" or "write", as the activities word it.
inline std::string capacityWord(const DynamoDbTarget& target) { return target.read ? "read" : "write"; }

}  // namespace kura
