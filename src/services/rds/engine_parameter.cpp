#include "services/rds/engine_parameter.h"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace kura::rds {
namespace {

// Settings Kura writes for every instance (postgres_engine.cpp): where the
// server listens, archives and logs, what it preloads, its TLS (the
// certificate Kura's CA issued), its recovery and replication; and every
// setting that names a command, a library, a file or a connection: none
// of a tenant's choosing, for a command would run as the engine's user,
// which every instance of the engine shares. And what keeps a commit
// durable (fsync, full_page_writes), which RDS does not let a group turn off.
constexpr std::string_view kKuraOwned[] = {
    "listen_addresses", "port",           "unix_socket_directories", "unix_socket_group", "unix_socket_permissions",
    "data_directory",   "hba_file",       "ident_file",              "config_file",       "external_pid_file",
    "wal_level",        "archive_mode",   "archive_command",         "archive_library",   "restore_command",
    "archive_cleanup_command", "recovery_end_command",
    "logging_collector", "log_directory", "log_filename",            "log_rotation_age",  "log_rotation_size",
    "shared_preload_libraries", "session_preload_libraries", "local_preload_libraries", "dynamic_library_path",
    "jit_provider", "krb_server_keyfile", "max_wal_senders", "log_timezone", "log_line_prefix",
    "ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_crl_file", "ssl_crl_dir", "ssl_dh_params_file",
    "ssl_passphrase_command", "ssl_passphrase_command_supports_reload",
    "primary_conninfo", "primary_slot_name", "promote_trigger_file", "cluster_name",
    "recovery_target", "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn",
    "recovery_target_name", "recovery_target_time", "recovery_target_timeline", "recovery_target_xid",
    "fsync", "full_page_writes"};

std::vector<std::string> splitTabs(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

bool kuraOwnsSetting(std::string_view name) {
  return std::find(std::begin(kKuraOwned), std::end(kKuraOwned), name) != std::end(kKuraOwned);
}

bool EngineParameter::isModifiable() const { return context != "internal" && !kuraOwnsSetting(name); }

std::string EngineParameter::dataType() const {
  if (type == "BOOLEAN") return "boolean";
  if (type == "INTEGER") return "integer";
  if (type == "REAL") return "float";
  return "string";
}

std::vector<EngineParameter> parseDescribeConfig(const std::string& text) {
  std::vector<EngineParameter> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto fields = splitTabs(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (fields.size() < 8) continue;
    std::string name = fields[0];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.push_back({name, fields[1], fields[3], fields[4], fields[5], fields[6], fields[7]});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace kura::rds
