#include "services/rds/engine_log_files.h"

#include <algorithm>

#include "services/rds/mysql_engines.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

// A rotation of the audit log: server_audit.log.1 ... server_audit.log.100.
bool isAuditLogName(const std::string& name) {
  constexpr std::string_view kBase = "server_audit.log";
  if (name == kBase) return true;
  if (name.size() <= kBase.size() + 1 || name.compare(0, kBase.size() + 1, "server_audit.log.") != 0) return false;
  std::string_view number = std::string_view(name).substr(kBase.size() + 1);
  return number.size() <= 3 && number.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::vector<EngineLogFile> engineLogFiles(const std::string& engine, const fs::path& engineDir) {
  std::vector<EngineLogFile> files;
  bool mysql = servedByMariaDb(engine);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(engineDir / "log", ec)) {
    std::string name = entry.path().filename().string();
    fs::path relative = fs::path("log") / name;
    if (!mysql) {
      files.push_back({"error/" + name, "postgresql", relative});
    } else if (name == "mysql-error.log") {
      files.push_back({"error/" + name, "error", relative});
    } else if (name == "mysql-general.log") {
      files.push_back({"general/" + name, "general", relative});
    } else if (name == "mysql-slowquery.log") {
      files.push_back({"slowquery/" + name, "slowquery", relative});
    } else if (isAuditLogName(name)) {
      files.push_back({"audit/" + name, "audit", relative});
    }
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return files;
}

std::vector<std::string> exportableLogTypes(const std::string& engine) {
  if (servedByMariaDb(engine)) return {"audit", "error", "general", "slowquery"};
  return {"postgresql", "upgrade"};
}

std::optional<ApiError> changeLogExports(nlohmann::json& spec, const nlohmann::json& config) {
  for (const char* list : {"EnableLogTypes", "DisableLogTypes"}) {
    if (auto error = checkLogTypes(spec.value("Engine", "postgres"), spec.value("EngineVersion", ""),
                                   config.value(list, nlohmann::json::array()))) {
      return error;
    }
  }
  auto exports = spec.value("EnabledCloudwatchLogsExports", nlohmann::json::array()).get<std::vector<std::string>>();
  for (const auto& log : config.value("EnableLogTypes", nlohmann::json::array())) {
    if (std::find(exports.begin(), exports.end(), log) == exports.end()) exports.push_back(log);
  }
  for (const auto& log : config.value("DisableLogTypes", nlohmann::json::array())) {
    std::erase(exports, log.get<std::string>());
  }
  spec["EnabledCloudwatchLogsExports"] = exports;
  return std::nullopt;
}

std::optional<ApiError> checkLogTypes(const std::string& engine, const std::string& version, const nlohmann::json& types) {
  if (!types.is_array()) return ApiError::sender("InvalidParameterValue", "The log types must be a list.");
  std::vector<std::string> allowed = exportableLogTypes(engine);
  std::string refused;
  for (const auto& type : types) {
    std::string name = type.is_string() ? type.get<std::string>() : type.dump();
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    refused += (refused.empty() ? "'" : ", '") + name + "'";
  }
  if (refused.empty()) return std::nullopt;
  return ApiError::sender("InvalidParameterCombination", "You cannot use the log types " + refused +
                                                             " with engine version " + engine + " " + version +
                                                             ". For supported log types, see the documentation.");
}

}  // namespace kura::rds
