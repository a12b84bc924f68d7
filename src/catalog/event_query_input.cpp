#include "catalog/event_query_input.h"

#include "catalog/pagination.h"
#include "common/time_format.h"

namespace kura {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

std::optional<SystemTime> timeOf(const nlohmann::json& value) {
  if (value.is_number()) {
    return SystemTime(std::chrono::milliseconds(static_cast<long long>(value.get<double>() * 1000)));
  }
  return parseTimestamp(value.get<std::string>());
}

}  // namespace

Result<EventQuery> eventQueryOf(const nlohmann::json& in, SystemTime now) {
  EventQuery query;
  if (in.contains("SourceIdentifier")) {
    if (!in.contains("SourceType")) {
      return ApiError::sender("InvalidParameterCombination", "Cannot specify source identifier without source type");
    }
    query.sourceId = in["SourceIdentifier"].get<std::string>();
  }
  if (in.contains("SourceType")) query.sourceType = in["SourceType"].get<std::string>();
  if (in.contains("StartTime")) {
    query.startTime = timeOf(in["StartTime"]);
    if (!query.startTime) return invalid("Invalid StartTime.");
  }
  if (in.contains("EndTime")) {
    query.endTime = timeOf(in["EndTime"]);
    if (!query.endTime) return invalid("Invalid EndTime.");
  }
  if (!query.startTime) {
    auto minutes = std::chrono::minutes(in.value("Duration", 60));
    query.startTime = (query.endTime ? *query.endTime : now) - minutes;
  }
  query.categories = in.value("EventCategories", nlohmann::json::array()).get<std::vector<std::string>>();
  query.limit = 100;
  if (in.contains("MaxRecords")) {
    int64_t requested = in["MaxRecords"];
    if (requested < 20 || requested > 100) return invalid("MaxRecords must be between 20 and 100.");
    query.limit = static_cast<size_t>(requested);
  }
  if (in.contains("Marker")) {
    auto position = decodePageToken(in["Marker"].get<std::string>(), "InvalidParameterValue");
    if (!position) return position.error();
    query.afterId = position->value("after", int64_t{0});
  }
  return query;
}

std::optional<std::string> nextEventMarker(const EventPage& page) {
  if (!page.truncated || page.items.empty()) return std::nullopt;
  return encodePageToken({{"after", page.items.back().id}});
}

}  // namespace kura
