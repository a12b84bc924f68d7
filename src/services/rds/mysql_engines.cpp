#include "services/rds/mysql_engines.h"

#include <regex>

namespace kura::rds {
namespace {

// "10.11.19" -> "10.11"
std::string seriesOf(const std::string& version) {
  size_t first = version.find('.');
  size_t second = first == std::string::npos ? std::string::npos : version.find('.', first + 1);
  return version.substr(0, second);
}

}  // namespace

bool servedByMariaDb(const std::string& engine) {
  return engine == "mysql" || engine == "mariadb" || engine == kAuroraMySqlEngine;
}

std::optional<MySqlVersion> mySqlVersionOf(const std::string& engine, const std::string& asked,
                                           const std::string& installedMariaDb) {
  if (installedMariaDb.empty()) return std::nullopt;
  if (engine == "mysql") {
    // MySQL 8.0, as its users name it: "8.0", "8.0.36". MariaDB speaks its protocol.
    if (asked.empty()) return MySqlVersion{"8.0.40", "8.0"};
    if (!std::regex_match(asked, std::regex(R"(8\.0(\.\d{1,3})?)"))) return std::nullopt;
    return MySqlVersion{asked, "8.0"};
  }
  if (engine == kAuroraMySqlEngine) {
    // Aurora MySQL 3 (MySQL 8.0 compatible), as its users name it:
    // "8.0.mysql_aurora.3.04.1". Aurora MySQL 2 (5.7) is not served.
    if (asked.empty()) return MySqlVersion{"8.0.mysql_aurora.3.08.0", "8.0"};
    if (!std::regex_match(asked, std::regex(R"(8\.0\.mysql_aurora\.3\.\d{2}\.\d{1,2})"))) return std::nullopt;
    return MySqlVersion{asked, "8.0"};
  }
  if (engine != "mariadb") return std::nullopt;
  if (asked.empty()) return MySqlVersion{installedMariaDb, seriesOf(installedMariaDb)};
  // The versions RDS offers (10.x and 11.x) are recorded as asked; the
  // installed series is what runs.
  if (!std::regex_match(asked, std::regex(R"((10|11)\.\d{1,2}(\.\d{1,3})?)"))) return std::nullopt;
  return MySqlVersion{asked, seriesOf(installedMariaDb)};
}

std::string mySqlFamily(const std::string& engine, const std::string& installedMariaDb) {
  if (engine == kAuroraMySqlEngine) return "aurora-mysql8.0";
  return engine == "mysql" ? "mysql8.0" : "mariadb" + seriesOf(installedMariaDb);
}

std::string mariaDbRunsNote(const std::string& installedMariaDb) {
  return "MariaDB " + installedMariaDb + " (installed on this host) runs these instances";
}

}  // namespace kura::rds
