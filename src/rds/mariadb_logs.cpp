#include "rds/mariadb_logs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <random>
#include <sstream>

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAuditPlugin = "/usr/lib/mysql/plugin/server_audit.so";

std::optional<std::string> readWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The plugin directory every MariaDB instance loads from, holding the audit
// plugin and Kura's AWSAuthenticationPlugin (mariadb_iam_auth.h), nothing else. The master user may INSTALL SONAME (it has
// INSERT on mysql.plugin, as on RDS): whatever sits in plugin_dir is code
// it can load into the server, and Debian's plugin directory holds several
// that reach files or the network (CONNECT, FederatedX, file_key_management).
// So the server never sees that directory: the one plugin it needs is
// copied into a directory of Kura's (outside every instance's directory,
// owned by Kura, 0755, the file 0644), which the engine user can read but
// neither write nor rename, and which holds nothing else. Copied again
// when the installed plugin changes (a package upgrade).
Result<fs::path> auditPluginDir(const fs::path& dataDir) {
  fs::path dir = dataDir / "rds" / "mariadb-plugins";
  auto source = readWhole(kAuditPlugin);
  if (!source) return ApiError::internal(std::string("cannot read ") + kAuditPlugin);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ApiError::internal("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec, ec);
  fs::path target = dir / "server_audit.so";
  if (readWhole(target) == source) return dir;
  // Beside it under a name of its own, then renamed over it: a server
  // loading the plugin meanwhile reads the old file or the new, whole.
  fs::path temporary = dir / fmt::format(".server_audit.so.{}.{}", ::getpid(), std::random_device{}());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(source->data(), static_cast<std::streamsize>(source->size()));
    out.close();
    if (!out) {
      fs::remove(temporary, ec);
      return ApiError::internal("cannot copy the audit plugin into " + dir.string());
    }
  }
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                 fs::perms::others_read, ec);
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return ApiError::internal("cannot put the audit plugin into " + dir.string());
  }
  return dir;
}

}  // namespace

Result<std::string> mariaDbLogSettings(const EngineLayout& layout, const fs::path& dataDir,
                                       const std::string& adminUser) {
  fs::path log = layout.dir / "log";
  // The general and slow query logs are written when the parameter group
  // turns them on (general_log, slow_query_log; the master user, without
  // SUPER, can change neither them nor where they go).
  std::string settings = fmt::format(
      "# Logs (mariadb_logs.cpp).\n"
      "log_output = FILE\n"
      "general_log_file = {}\n"
      "slow_query_log_file = {}\n",
      (log / "mysql-general.log").string(), (log / "mysql-slowquery.log").string());
  // Auditing: RDS audits a MySQL or MariaDB instance whose option group
  // has MARIADB_AUDIT_PLUGIN, and then always (SERVER_AUDIT_LOGGING is not
  // an option setting: it stays ON), whether or not the instance exports
  // `audit` to CloudWatch Logs. Kura has no option groups: every instance
  // audits, with the option's defaults (CONNECT and QUERY events, a file
  // rotated at 1000000 bytes, 9 rotations kept), and exporting `audit`
  // ships the file. The plugin is loaded FORCE_PLUS_PERMANENT (no
  // UNINSTALL, which the master's DELETE on mysql.plugin would allow) and
  // its variables need SUPER to change: the master can neither turn
  // auditing off nor move its file. Kura's own accounts are left out, as
  // RDS users leave out rdsadmin: its admin account's statements are
  // housekeeping (some carry the master password; the plugin masks
  // passwords in CREATE USER, ALTER USER, GRANT and SET PASSWORD anyway),
  // and rdsrepladmin (mariadb_replication.cpp) is a standby's or replica's
  // replication. Their connections are still recorded.
  auto pluginDir = auditPluginDir(dataDir);
  if (!pluginDir) return pluginDir.error();
  settings += fmt::format(
      "plugin_dir = {}\n"
      "plugin_load_add = server_audit\n"
      "server_audit = FORCE_PLUS_PERMANENT\n"
      "server_audit_logging = ON\n"
      "server_audit_output_type = file\n"
      "server_audit_file_path = {}\n"
      "server_audit_file_rotate_size = 1000000\n"
      "server_audit_file_rotations = 9\n"
      "server_audit_events = CONNECT,QUERY\n"
      "server_audit_excl_users = {},rdsrepladmin\n",
      pluginDir->string(), (log / "server_audit.log").string(), adminUser);
  return settings;
}

}  // namespace kura::rds
