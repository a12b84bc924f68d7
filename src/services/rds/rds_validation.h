#pragma once
// RDS's rules for identifiers, passwords and windows, with AWS's messages.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "common/daily_window.h"

namespace kura::rds {

// DB instance, snapshot and parameter group identifiers: 1-63 (255 for
// snapshots) letters, digits and hyphens, a letter first, no trailing or
// double hyphen. AWS stores them lower-cased.
std::optional<ApiError> checkIdentifier(std::string_view value, std::string_view parameter, size_t maxLength = 63);
std::string lowerCase(std::string_view value);
std::optional<ApiError> checkMasterUsername(std::string_view value);
std::optional<ApiError> checkMasterPassword(std::string_view value);
// "hh24:mi-hh24:mi", at least 30 minutes.
std::optional<ApiError> checkBackupWindow(std::string_view value);
// "ddd:hh24:mi-ddd:hh24:mi", at least 30 minutes.
std::optional<ApiError> checkMaintenanceWindow(std::string_view value);
std::optional<ApiError> checkRetention(long days);
// MaxAllocatedStorage against the allocation (GiB), as RDS checks it: at
// least 10% above it, at most 65,536; on a modification (`modifying`) the
// allocation itself turns storage autoscaling off.
std::optional<ApiError> checkMaxAllocatedStorage(int64_t allocatedGiB, int64_t maxGiB, bool modifying);
// A new instance made from another (a restore, a read replica), whose
// `spec` holds its source's AllocatedStorage: the request's AllocatedStorage
// (the source's or more) and MaxAllocatedStorage, checked, into `spec`.
std::optional<ApiError> takeStorageRequest(nlohmann::json& spec, const nlohmann::json& in);
// A ModifyDBInstance's AllocatedStorage and MaxAllocatedStorage against the
// instance's `spec`: the allocation never shrinks and grows by 10% or more.
std::optional<ApiError> checkStorageChange(const nlohmann::json& spec, const nlohmann::json& in);
// The moment a point-in-time restore replays to, in epoch seconds: the time
// in `timeMember` (a timestamp or epoch seconds) inside the source's
// restorable window (from its state's EarliestRestorableTime and
// LatestRestorableTime), or the latest with UseLatestRestorableTime.
Result<double> restoreTargetOf(const nlohmann::json& in, const char* timeMember, const nlohmann::json& sourceState,
                               const std::string& sourceName);
// A DB instance class RDS has, for `engine` (db.serverless is Aurora's
// only): otherwise InvalidParameterCombination naming the combination, as
// RDS answers. The class bounds the instance's memory
// (services/rds/instance_class_memory.h).
std::optional<ApiError> checkInstanceClass(std::string_view instanceClass, std::string_view engine,
                                           std::string_view engineVersion);
// A Describe call's MaxRecords: 20-100, 100 when not given.
Result<size_t> pageSizeOf(const nlohmann::json& in);
}  // namespace kura::rds
