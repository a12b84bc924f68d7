#pragma once
// What the installed engine says of its settings (PostgreSQL's
// `postgres --describe-config`), as RDS parameter groups show them; and the
// settings Kura itself owns for every instance, which no group may change.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/api_error.h"

namespace kura::rds {

struct EngineParameter {
  std::string name;
  std::string context;  // postmaster (static), sighup/superuser/user/... (dynamic), internal
  std::string type;     // BOOLEAN, INTEGER, REAL, STRING, ENUM
  std::string defaultValue;
  std::string minimum, maximum;
  std::string description;

  bool isStatic() const { return context == "postmaster"; }
  bool isModifiable() const;
  std::string dataType() const;  // as RDS names it: boolean, integer, float, string, list
};

// Whether Kura owns the PostgreSQL setting `name` for every instance: no
// parameter group may set it (engine_parameter.cpp lists them and says why).
bool kuraOwnsSetting(std::string_view name);

// Parses `postgres --describe-config` output (one tab-separated line each).
std::vector<EngineParameter> parseDescribeConfig(const std::string& text);

// Checks a whole set of values with the engine itself; the engine's own
// message ("invalid value for parameter ... Available values: ...") when not.
using ParameterChecker = std::function<Result<bool>(const std::map<std::string, std::string>& values)>;

}  // namespace kura::rds
