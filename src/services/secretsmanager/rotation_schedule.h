#pragma once
// A secret's rotation schedule: RotationRules as RotateSecret takes them
// (AutomaticallyAfterDays, or a rate() ScheduleExpression), checked as
// Secrets Manager checks them, and when the next rotation is due.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "services/secretsmanager/secret_record.h"

namespace kura::secrets {

// What RDS sets on the master password secrets it manages.
inline constexpr int kOwnedRotationDays = 7;
nlohmann::json defaultOwnedRotationRules();

// The rules as stored, or InvalidParameterException. Kura runs rate()
// expressions only; a cron() expression is refused as unsupported.
Result<nlohmann::json> checkRotationRules(const nlohmann::json& rules);

// How long between rotations, in milliseconds; empty without a schedule.
std::optional<int64_t> rotationPeriodMs(const nlohmann::json& rules);

// When the secret's next rotation is due (NextRotationDate): a period
// after its last rotation, or after its creation when it never rotated.
// Empty when rotation is off or has no schedule.
std::optional<int64_t> nextRotationMs(const SecretRecord& secret);

}  // namespace kura::secrets
