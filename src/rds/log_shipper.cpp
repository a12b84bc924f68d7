#include "rds/log_shipper.h"

#include <sys/stat.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/confined_file.h"
#include "common/time_format.h"

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

void LogShipper::ship(const Resource& instance, const fs::path& instanceDir) {
  fs::path logDir = postgresLogDir(instanceDir);
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(logDir, ec)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  Json state = readState(instanceDir);
  Json kept = Json::object();
  std::string group = "/aws/rds/instance/" + instance.name + "/postgresql";
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (const std::string& name : files) {
    fs::path relative = logDir.filename() / name;
    auto info = statBeneath(instanceDir, relative);  // a planted link or FIFO is skipped
    if (!info || !S_ISREG(info->st_mode)) continue;
    uint64_t offset = state.value(name, uint64_t{0});
    uint64_t size = static_cast<uint64_t>(info->st_size);
    if (size <= offset) {
      kept[name] = std::min(offset, size);
      continue;
    }
    std::string text = readBeneath(instanceDir, relative, offset, std::min<uint64_t>(size - offset, kMaxBytesPerPass))
                           .value_or("");
    size_t complete = text.rfind('\n');  // only whole lines; the rest comes next pass
    if (complete == std::string::npos) {
      kept[name] = offset;
      continue;
    }
    text.resize(complete);
    auto entries = splitLogEntries(text, now);
    if (!entries.empty() && !sink_(instance, group, instance.name, entries)) {
      kept[name] = offset;
      spdlog::warn("msg=\"cannot ship PostgreSQL log lines\" instance={}", instance.name);
      continue;
    }
    kept[name] = offset + complete + 1;
  }
  if (kept != state) writeState(instanceDir, kept);
}

}  // namespace kura::rds
