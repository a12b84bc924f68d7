#include "services/rds/rds_validation.h"

#include "services/rds/instance_class_memory.h"

#include "common/time_format.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kura::rds {
namespace {

ApiError invalid(std::string message) { return ApiError::sender("InvalidParameterValue", std::move(message)); }

}  // namespace

std::string lowerCase(std::string_view value) {
  std::string out(value);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<ApiError> checkIdentifier(std::string_view value, std::string_view parameter, size_t maxLength) {
  bool valid = !value.empty() && value.size() <= maxLength && std::isalpha(static_cast<unsigned char>(value[0])) &&
               value.back() != '-' && value.find("--") == std::string_view::npos &&
               std::all_of(value.begin(), value.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
  if (valid) return std::nullopt;
  return invalid("The parameter " + std::string(parameter) +
                 " is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII "
                 "letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.");
}

std::optional<ApiError> checkMasterUsername(std::string_view value) {
  bool valid = !value.empty() && value.size() <= 63 && std::isalpha(static_cast<unsigned char>(value[0])) &&
               std::all_of(value.begin(), value.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  if (!valid) {
    return invalid("The parameter MasterUsername is not a valid identifier. It must begin with a letter and "
                   "contain only letters, digits and underscores (1 to 63 characters).");
  }
  static constexpr std::array<std::string_view, 4> kReserved = {"rdsadmin", "rdsrepladmin", "rds_superuser",
                                                                 "pg_monitor"};
  if (std::find(kReserved.begin(), kReserved.end(), lowerCase(value)) != kReserved.end()) {
    return invalid("MasterUsername " + std::string(value) + " cannot be used as it is a reserved word used by the engine");
  }
  return std::nullopt;
}

std::optional<ApiError> checkMasterPassword(std::string_view value) {
  if (value.size() < 8) {
    return invalid("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.");
  }
  if (value.size() > 128) {
    return invalid("The parameter MasterUserPassword is not a valid password because it is longer than 128 characters.");
  }
  for (char c : value) {
    if (c < 33 || c > 126 || c == '/' || c == '"' || c == '@') {
      return invalid("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters "
                     "besides '/', '@', '\"', ' ' may be used.");
    }
  }
  return std::nullopt;
}

std::optional<ApiError> checkBackupWindow(std::string_view value) {
  auto window = parseDailyWindow(value);
  if (!window) {
    return invalid("The parameter PreferredBackupWindow must be provided in the format hh24:mi-hh24:mi.");
  }
  int length = window->minutes();
  if (length < 30) return invalid("The backup window must be at least 30 minutes.");
  if (length > 1440 - 30) return invalid("The backup window must be less than 24 hours.");
  return std::nullopt;
}

std::optional<ApiError> checkMaintenanceWindow(std::string_view value) {
  size_t dash = value.find('-');
  auto start = dash == std::string_view::npos ? std::nullopt : parseWeekClock(value.substr(0, dash));
  auto end = dash == std::string_view::npos ? std::nullopt : parseWeekClock(value.substr(dash + 1));
  if (!start || !end) {
    return invalid("The parameter PreferredMaintenanceWindow must be provided in the format ddd:hh24:mi-ddd:hh24:mi.");
  }
  if ((*end - *start + 7 * 1440) % (7 * 1440) < 30) return invalid("The maintenance window must be at least 30 minutes.");
  return std::nullopt;
}

std::optional<ApiError> checkRetention(long days) {
  if (days < 0 || days > 35) {
    return invalid("Invalid backup retention period: " + std::to_string(days) + ". It must be between 0 and 35 days.");
  }
  return std::nullopt;
}

namespace {

constexpr int64_t kMostStorageGiB = 65536;

// At least 10% more than `from`, in whole GiB.
int64_t tenPercentAbove(int64_t from) { return from + (from + 9) / 10; }

ApiError combination(std::string message) {
  return ApiError::sender("InvalidParameterCombination", std::move(message));
}

// `what`: "storage size", or "max storage size" (MaxAllocatedStorage).
std::optional<ApiError> checkStorageSize(int64_t gib, const char* what = "storage size") {
  if (gib <= kMostStorageGiB) return std::nullopt;
  return invalid(std::string("Invalid ") + what + ": " + std::to_string(gib) + ". It must be at most 65536 GiB.");
}

}  // namespace

std::optional<ApiError> checkMaxAllocatedStorage(int64_t allocatedGiB, int64_t maxGiB, bool modifying) {
  if (auto error = checkStorageSize(maxGiB, "max storage size")) return error;
  if (modifying && maxGiB == allocatedGiB) return std::nullopt;  // storage autoscaling off
  if (maxGiB <= allocatedGiB) return combination("Max storage size must be greater than storage size");
  if (maxGiB < tenPercentAbove(allocatedGiB)) {
    return combination("The maximum allocated storage must be increased by at least 10 percent.");
  }
  return std::nullopt;
}

std::optional<ApiError> takeStorageRequest(nlohmann::json& spec, const nlohmann::json& in) {
  const int64_t source = spec.value("AllocatedStorage", int64_t{20});
  int64_t allocated = source;
  if (in.contains("AllocatedStorage")) {
    allocated = in["AllocatedStorage"].get<int64_t>();
    if (auto error = checkStorageSize(allocated)) return error;
    if (allocated < source) {
      return combination("Invalid storage size: " + std::to_string(allocated) + " GiB. It must be at least the " +
                         std::to_string(source) + " GiB of the source.");
    }
  }
  if (in.contains("MaxAllocatedStorage")) {
    if (auto error = checkMaxAllocatedStorage(allocated, in["MaxAllocatedStorage"].get<int64_t>(), false)) {
      return error;
    }
    spec["MaxAllocatedStorage"] = in["MaxAllocatedStorage"];
  }
  spec["AllocatedStorage"] = allocated;
  return std::nullopt;
}

std::optional<ApiError> checkStorageChange(const nlohmann::json& spec, const nlohmann::json& in) {
  const int64_t current = spec.value("AllocatedStorage", int64_t{20});
  int64_t wanted = current;
  if (in.contains("AllocatedStorage")) {
    wanted = in["AllocatedStorage"].get<int64_t>();
    if (auto error = checkStorageSize(wanted)) return error;
    if (wanted < current) {
      return combination("Invalid storage size: " + std::to_string(wanted) + " GiB. The allocated storage of a DB "
                         "instance cannot be decreased (it is " + std::to_string(current) + " GiB).");
    }
    if (wanted > current && wanted < tenPercentAbove(current)) {
      return combination("Invalid storage size: " + std::to_string(wanted) + " GiB. The allocated storage must be "
                         "increased by at least 10 percent (to " + std::to_string(tenPercentAbove(current)) +
                         " GiB or more).");
    }
  }
  if (in.contains("MaxAllocatedStorage")) {
    return checkMaxAllocatedStorage(wanted, in["MaxAllocatedStorage"].get<int64_t>(), true);
  }
  // A larger allocation under the maximum kept from before.
  if (spec.contains("MaxAllocatedStorage") && spec["MaxAllocatedStorage"].get<int64_t>() < wanted) {
    return combination("Max storage size must be greater than storage size");
  }
  return std::nullopt;
}

Result<size_t> pageSizeOf(const nlohmann::json& in) {
  if (!in.contains("MaxRecords")) return size_t{100};
  int64_t requested = in["MaxRecords"];
  if (requested < 20 || requested > 100) {
    return invalid("Invalid value " + std::to_string(requested) + " for MaxRecords. Must be between 20 and 100");
  }
  return static_cast<size_t>(requested);
}

Result<double> restoreTargetOf(const nlohmann::json& in, const char* timeMember, const nlohmann::json& sourceState,
                               const std::string& sourceName) {
  bool useLatest = in.value("UseLatestRestorableTime", false);
  if (useLatest == in.contains(timeMember)) {
    return ApiError::sender("InvalidParameterCombination", std::string("Give either ") + timeMember +
                                                               " or UseLatestRestorableTime, and not both.");
  }
  if (!sourceState.contains("EarliestRestorableTime") || !sourceState.contains("LatestRestorableTime")) {
    return ApiError::sender("InvalidRestoreFault", "No restorable time is known yet for " + sourceName + ".");
  }
  const double earliest = sourceState["EarliestRestorableTime"].get<double>();
  // Whole seconds, followed every other second: just after the first backup
  // it can trail the backup itself, which is then the latest there is.
  const double latest = std::max(earliest, sourceState["LatestRestorableTime"].get<double>());
  if (useLatest) return latest;
  auto fromEpoch = [](double seconds) {
    return SystemTime(std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
  };
  const nlohmann::json& given = in[timeMember];
  auto time = given.is_number() ? std::optional(fromEpoch(given.get<double>())) : parseTimestamp(given.get<std::string>());
  if (!time) return invalid(std::string("Invalid ") + timeMember + ".");
  double target = toEpochSeconds(*time);
  if (target < earliest || target > latest) {
    return ApiError::sender("InvalidRestoreFault", "Restore time " + formatIso8601Seconds(*time) +
                                                       " is outside the restorable window " +
                                                       formatIso8601Seconds(fromEpoch(earliest)) + " to " +
                                                       formatIso8601Seconds(fromEpoch(latest)) + ".");
  }
  return target;
}

std::optional<ApiError> checkInstanceClass(std::string_view instanceClass, std::string_view engine,
                                           std::string_view engineVersion) {
  bool aurora = engine.starts_with("aurora");
  if (isInstanceClass(instanceClass) && (instanceClass != "db.serverless" || aurora)) return std::nullopt;
  std::string_view license = engine.find("postgres") != std::string_view::npos ? "postgresql-license"
                                                                               : "general-public-license";
  return ApiError::sender("InvalidParameterCombination",
                          "RDS does not support creating a DB instance with the following combination: DBInstanceClass=" +
                              std::string(instanceClass) + ", Engine=" + std::string(engine) +
                              ", EngineVersion=" + std::string(engineVersion) + ", LicenseModel=" + std::string(license) +
                              ". For supported combinations of instance class and database engine version, see the "
                              "documentation.");
}

}  // namespace kura::rds
