#include "services/applicationautoscaling/scalable_dimensions.h"

namespace kura {
namespace {

ApiError unsupported() {
  return ApiError::sender("ValidationException", "Unsupported service namespace, resource type or scalable dimension");
}

}  // namespace

Result<DynamoDbTarget> parseScalableTarget(const std::string& nameSpace, const std::string& resourceId,
                                           const std::string& dimension) {
  if (nameSpace != "dynamodb") return unsupported();
  DynamoDbTarget target;
  bool index = false;
  if (dimension == "dynamodb:table:ReadCapacityUnits" || dimension == "dynamodb:table:WriteCapacityUnits") {
    index = false;
  } else if (dimension == "dynamodb:index:ReadCapacityUnits" || dimension == "dynamodb:index:WriteCapacityUnits") {
    index = true;
  } else {
    return unsupported();
  }
  target.read = dimension.ends_with(":ReadCapacityUnits");
  if (!resourceId.starts_with("table/") || resourceId.size() == 6) return unsupported();
  std::string rest = resourceId.substr(6);
  size_t marker = rest.find("/index/");
  if (index) {
    if (marker == std::string::npos || marker == 0 || marker + 7 >= rest.size()) return unsupported();
    target.table = rest.substr(0, marker);
    target.index = rest.substr(marker + 7);
  } else {
    if (rest.find('/') != std::string::npos) return unsupported();
    target.table = rest;
  }
  if (target.table.find('/') != std::string::npos || target.index.find('/') != std::string::npos) {
    return unsupported();
  }
  return target;
}

}  // namespace kura
