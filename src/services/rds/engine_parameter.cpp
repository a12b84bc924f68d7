#include "services/rds/engine_parameter.h"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace kura::rds {
namespace {

// Settings Kura writes for every instance (postgres_engine.cpp): where the
// server listens, how it archives and logs, its TLS, its replication and
// recovery; and what keeps a commit durable (fsync, full_page_writes),
// which RDS does not let a group turn off; and where the server's dynamic
// shared memory lives (inside its own directory, src/engines/confinement.h).
// Besides these, every setting
// whose name says it holds a command, a library, a file, a directory or a
// connection (kPathLikeEndings): none of a tenant's choosing, for a
// command would run as the engine's user, which every instance shares.
constexpr std::string_view kKuraOwned[] = {
    "listen_addresses", "port", "unix_socket_group", "unix_socket_permissions", "wal_level", "archive_mode",
    "max_wal_senders", "logging_collector", "log_filename", "log_rotation_age", "log_rotation_size", "log_timezone",
    "log_line_prefix", "dynamic_library_path", "ssl", "ssl_passphrase_command_supports_reload", "primary_slot_name",
    "cluster_name", "recovery_target", "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn",
    "recovery_target_name", "recovery_target_time", "recovery_target_timeline", "recovery_target_xid", "fsync",
    "full_page_writes", "dynamic_shared_memory_type", "huge_pages"};

// What a setting's name says it holds: a command, a library, a file, a
// directory, a connection. Any such setting, those of a later PostgreSQL or
// of a Debian patch (extension_destdir) included, stays Kura's.
constexpr std::string_view kPathLikeEndings[] = {"_command",  "_library",     "_libraries", "_file",
                                                 "_dir",      "_directory",   "_directories", "_destdir",
                                                 "_conninfo", "_provider",    "_keyfile"};

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
  if (std::find(std::begin(kKuraOwned), std::end(kKuraOwned), name) != std::end(kKuraOwned)) return true;
  return std::any_of(std::begin(kPathLikeEndings), std::end(kPathLikeEndings),
                     [&](std::string_view ending) { return name.ends_with(ending); });
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
