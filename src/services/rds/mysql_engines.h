#pragma once
// The RDS engines of the MySQL protocol, `mysql`, `mariadb` and
// `aurora-mysql` (the instances of Aurora MySQL clusters), which Kura
// serves with the installed MariaDB server (src/rds/mariadb_engine.h): the
// versions it accepts and records, and the names RDS gives their families.
#include <optional>
#include <string>

namespace kura::rds {

inline constexpr const char* kAuroraMySqlEngine = "aurora-mysql";

bool servedByMariaDb(const std::string& engine);

struct MySqlVersion {
  std::string version;  // recorded as EngineVersion ("8.0.40", "10.11.19")
  std::string major;    // EngineMajor: "8.0", "10.11"
};
// The version an instance of `engine` records for what was asked (empty:
// the default); none when Kura does not serve that version.
std::optional<MySqlVersion> mySqlVersionOf(const std::string& engine, const std::string& asked,
                                           const std::string& installedMariaDb);

// The DB parameter group family: "mysql8.0", "mariadb10.11" (the installed series),
// "aurora-mysql8.0".
std::string mySqlFamily(const std::string& engine, const std::string& installedMariaDb);

// What DescribeDBEngineVersions says really runs.
std::string mariaDbRunsNote(const std::string& installedMariaDb);

}  // namespace kura::rds
