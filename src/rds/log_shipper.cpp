#include "rds/log_shipper.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/confined_file.h"
#include "common/time_format.h"
#include "services/rds/engine_log_files.h"
#include "services/rds/mysql_engines.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr size_t kMaxBytesPerPass = 1 << 20;
constexpr const char* kStateFile = "log-shipping.json";

// "2026-11-25 13:12:54 UTC:..." (log_line_prefix '%t:...'): the entry's time.
std::optional<int64_t> entryTime(std::string_view line) {
  if (line.size() < 23 || line.substr(19, 4) != " UTC") return std::nullopt;
  std::string iso(line.substr(0, 19));
  iso[10] = 'T';
  auto time = parseTimestamp(iso + "Z");
  if (!time) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count();
}

// The state file sits in the engine's directory: read and replaced beneath
// it, never through a link the engine planted.
Json readState(const fs::path& instanceDir) {
  Json state = Json::parse(readBeneath(instanceDir, kStateFile, 0, 1 << 20).value_or(""), nullptr, false);
  return state.is_object() ? state : Json::object();
}

void writeState(const fs::path& instanceDir, const Json& state) { replaceBeneath(instanceDir, kStateFile, state.dump()); }

// A count the state file holds under `key`; 0 when it holds anything else
// (the engine can write the file: what it holds is never trusted to be
// well formed).
uint64_t countIn(const Json& object, const std::string& key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_unsigned() ? found->get<uint64_t>() : 0;
}

// `count` digits at `at` (a leading space counts as 0 where MariaDB pads
// an hour with one); -1 when they are not there.
int number(std::string_view text, size_t at, size_t count, bool spacePadded = false) {
  if (count > 9 || text.size() < at + count) return -1;  // more digits than an int holds
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[at + i];
    if (c == ' ' && spacePadded && i + 1 < count) continue;
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// A moment of the server's local time (MariaDB writes its logs so).
std::optional<int64_t> localMs(int year, int month, int day, int hour, int minute, int second) {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  std::time_t seconds = std::mktime(&tm);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return int64_t{seconds} * 1000;
}

// "20261203 12:50:01" (the audit plugin's server_audit_timestamp_format).
std::optional<int64_t> longDate(std::string_view text, size_t at) {
  if (text.size() < at + 17 || text[at + 8] != ' ' || text[at + 11] != ':' || text[at + 14] != ':') return std::nullopt;
  return localMs(number(text, at, 4), number(text, at + 4, 2), number(text, at + 6, 2), number(text, at + 9, 2),
                 number(text, at + 12, 2), number(text, at + 15, 2));
}

// "261203 12:50:01" or "261203  9:05:01" (general and slow query logs, older error logs).
std::optional<int64_t> shortDate(std::string_view text, size_t at) {
  if (text.size() < at + 15 || text[at + 6] != ' ' || text[at + 9] != ':' || text[at + 12] != ':') return std::nullopt;
  int year = number(text, at, 2);
  return localMs(year < 0 ? -1 : 2000 + year, number(text, at + 2, 2), number(text, at + 4, 2),
                 number(text, at + 7, 2, true), number(text, at + 10, 2), number(text, at + 13, 2));
}

// "2026-12-03 12:50:01 0 [Note] ..." (the error log).
std::optional<int64_t> isoDate(std::string_view text, size_t at) {
  if (text.size() < at + 19 || text[at + 4] != '-' || text[at + 7] != '-' || text[at + 10] != ' ' ||
      text[at + 13] != ':' || text[at + 16] != ':') {
    return std::nullopt;
  }
  return localMs(number(text, at, 4), number(text, at + 5, 2), number(text, at + 8, 2), number(text, at + 11, 2),
                 number(text, at + 14, 2), number(text, at + 17, 2));
}

// A general log line that starts an entry: "<time>\t<id> <Command>\t..."
// or, within the same second, "\t\t<id> <Command>\t...".
bool generalEntryStart(std::string_view line) {
  size_t at = 0;
  if (line.rfind("\t\t", 0) == 0) {
    at = 2;
  } else if (shortDate(line, 0) && line.size() > 15 && line[15] == '\t') {
    at = 16;
  } else {
    return false;
  }
  while (at < line.size() && line[at] == ' ') ++at;
  size_t digits = at;
  while (at < line.size() && line[at] >= '0' && line[at] <= '9') ++at;
  return at > digits && at < line.size() && line[at] == ' ';
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The rotation a file's name says: server_audit.log 0, server_audit.log.3 3.
int rotationOf(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return 0;
  int n = number(name, dot + 1, name.size() - dot - 1);
  return n < 0 ? 0 : n;
}

// Reads what `relative` holds past `offset`, whole lines only; hands the
// entries to `send`. The new offset (the old one when nothing was sent).
uint64_t shipFile(const fs::path& instanceDir, const fs::path& relative, uint64_t offset, uint64_t size,
                  const std::function<std::vector<ShippedEntry>(const std::string&)>& split,
                  const std::function<bool(const std::vector<ShippedEntry>&)>& send) {
  if (size <= offset) return offset;
  std::string text =
      readBeneath(instanceDir, relative, offset, std::min<uint64_t>(size - offset, kMaxBytesPerPass)).value_or("");
  size_t complete = text.rfind('\n');  // only whole lines; the rest comes next pass
  size_t consumed = complete + 1;
  if (complete == std::string::npos) {
    // A line longer than a pass (a tenant's long statement) would never
    // end within one: its first part is shipped as it is, so that the
    // file is read on instead of stalling there.
    if (text.size() < kMaxBytesPerPass) return offset;
    complete = consumed = text.size();
  }
  text.resize(complete);
  auto entries = split(text);
  if (!entries.empty() && !send(entries)) return offset;
  return offset + consumed;
}

// PostgreSQL: every file of the log directory, offsets by file name.
void shipPostgres(const Resource& instance, const fs::path& instanceDir, const LogTarget& target, const Json& state,
                  Json& kept, const LogSink& sink) {
  bool exported = std::find(target.exports.begin(), target.exports.end(), "postgresql") != target.exports.end();
  std::string group = target.groupPrefix + "/postgresql";
  for (const EngineLogFile& file : engineLogFiles(instance.spec.value("Engine", "postgres"), instanceDir)) {
    std::string name = file.relative.filename().string();
    auto info = statBeneath(instanceDir, file.relative);  // a planted link or FIFO is skipped
    if (!info || !S_ISREG(info->st_mode)) continue;
    uint64_t size = static_cast<uint64_t>(info->st_size);
    uint64_t offset = countIn(state, name);
    if (!exported || size < offset) {
      kept[name] = size;  // not exported: passed over
      continue;
    }
    kept[name] = shipFile(
        instanceDir, file.relative, offset, size, [](const std::string& text) { return splitLogEntries(text, nowMs()); },
        [&](const std::vector<ShippedEntry>& entries) {
          if (sink(instance, group, instance.name, entries)) return true;
          spdlog::warn("msg=\"cannot ship PostgreSQL log lines\" instance={}", instance.name);
          return false;
        });
  }
}

// MySQL and MariaDB: each file of an exported type, offsets by name with
// the file's inode: a file renamed by a rotation (server_audit.log to
// server_audit.log.1) is read on from where it was left, and a new file
// under an old name is read from its start.
void shipMySql(const Resource& instance, const fs::path& instanceDir, const LogTarget& target, const Json& state,
               Json& kept, const LogSink& sink) {
  const std::vector<std::string>& exports = target.exports;
  std::map<uint64_t, std::pair<std::string, uint64_t>> known;  // inode -> (name, offset)
  for (const auto& [name, value] : state.items()) {
    if (value.is_object()) known[countIn(value, "inode")] = {name, countIn(value, "offset")};
  }
  for (const EngineLogFile& file : engineLogFiles(instance.spec.value("Engine", "mysql"), instanceDir)) {
    auto info = statBeneath(instanceDir, file.relative);
    if (!info || !S_ISREG(info->st_mode)) continue;
    uint64_t size = static_cast<uint64_t>(info->st_size);
    uint64_t inode = static_cast<uint64_t>(info->st_ino);
    uint64_t offset = 0;
    bool seen = false;
    if (auto it = known.find(inode); it != known.end()) {
      // The same file if a rotation could have moved it here (never to a
      // newer name), and it has not shrunk.
      seen = rotationOf(file.name) >= rotationOf(it->second.first) && it->second.second <= size;
      if (seen) offset = it->second.second;
    }
    bool exported = std::find(exports.begin(), exports.end(), file.type) != exports.end();
    if (!exported) {
      kept[file.name] = {{"inode", inode}, {"offset", size}};  // passed over
      continue;
    }
    std::string group = target.groupPrefix + "/" + file.type;
    uint64_t shipped = shipFile(
        instanceDir, file.relative, offset, size,
        [&](const std::string& text) { return splitMySqlLogEntries(file.type, text, nowMs()); },
        [&](const std::vector<ShippedEntry>& entries) {
          if (sink(instance, group, instance.name, entries)) return true;
          spdlog::warn("msg=\"cannot ship log lines\" instance={} log={}", instance.name, file.type);
          return false;
        });
    kept[file.name] = {{"inode", inode}, {"offset", shipped}};
  }
}

}  // namespace

fs::path postgresLogDir(const fs::path& instanceDir) { return instanceDir / "log"; }

std::vector<ShippedEntry> splitLogEntries(const std::string& text, int64_t fallbackMs) {
  std::vector<ShippedEntry> entries;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    auto time = entryTime(line);
    if (time || entries.empty()) {
      entries.push_back({time.value_or(entries.empty() ? fallbackMs : entries.back().timestampMs), std::string(line)});
    } else {
      entries.back().message += '\n';
      entries.back().message += line;
    }
    start = end + 1;
  }
  return entries;
}

std::vector<ShippedEntry> splitMySqlLogEntries(const std::string& type, const std::string& text, int64_t fallbackMs) {
  std::vector<ShippedEntry> entries;
  std::optional<int64_t> lastTime;
  bool afterTimeLine = false;  // slow query log: "# User@Host" right after "# Time" continues it
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    bool begins = false;
    std::optional<int64_t> time;
    if (type == "audit") {
      time = longDate(line, 0);  // a record's line ends are escaped; a line without a time continues one anyway
      begins = time.has_value();
    } else if (type == "error") {
      time = isoDate(line, 0);
      if (!time) time = shortDate(line, 0);
      begins = time.has_value();
    } else if (type == "general") {
      begins = generalEntryStart(line);
      if (begins && line[0] != '\t') time = shortDate(line, 0);
    } else if (type == "slowquery") {
      if (line.rfind("# Time: ", 0) == 0) {
        begins = true;
        time = shortDate(line, 8);
        if (!time) time = isoDate(line, 8);
      } else if (line.rfind("# User@Host: ", 0) == 0) {
        begins = !afterTimeLine;
      }
      afterTimeLine = line.rfind("# Time: ", 0) == 0;
    } else {
      begins = true;
    }
    if (time) lastTime = time;
    if (begins || entries.empty()) {
      entries.push_back({lastTime.value_or(entries.empty() ? fallbackMs : entries.back().timestampMs), std::string(line)});
    } else {
      entries.back().message += '\n';
      entries.back().message += line;
    }
  }
  return entries;
}

LogTarget logTargetOf(const Resource& instance, const Resource* cluster) {
  LogTarget target;
  target.groupPrefix = cluster != nullptr ? "/aws/rds/cluster/" + cluster->name : "/aws/rds/instance/" + instance.name;
  for (const Resource* from : {&instance, cluster}) {
    if (from == nullptr) continue;
    Json exports = from->spec.value("EnabledCloudwatchLogsExports", Json::array());
    if (!exports.is_array()) continue;
    for (const auto& type : exports) {
      if (type.is_string() && std::find(target.exports.begin(), target.exports.end(), type) == target.exports.end()) {
        target.exports.push_back(type.get<std::string>());
      }
    }
  }
  return target;
}

void LogShipper::ship(const Resource& instance, const fs::path& instanceDir, const LogTarget& target) {
  Json state = readState(instanceDir);
  Json kept = Json::object();
  if (servedByMariaDb(instance.spec.value("Engine", "postgres"))) {
    shipMySql(instance, instanceDir, target, state, kept, sink_);
  } else {
    shipPostgres(instance, instanceDir, target, state, kept, sink_);
  }
  if (kept != state) writeState(instanceDir, kept);
}

}  // namespace kura::rds
