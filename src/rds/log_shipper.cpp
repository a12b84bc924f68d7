#include "rds/log_shipper.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/time_format.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr size_t kMaxBytesPerPass = 1 << 20;

// "2026-11-25 13:12:54 UTC:..." (log_line_prefix '%t:...'): the entry's time.
std::optional<int64_t> entryTime(std::string_view line) {
  if (line.size() < 23 || line.substr(19, 4) != " UTC") return std::nullopt;
  std::string iso(line.substr(0, 19));
  iso[10] = 'T';
  auto time = parseTimestamp(iso + "Z");
  if (!time) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count();
}

Json readState(const fs::path& file) {
  std::ifstream in(file);
  Json state = Json::parse(in, nullptr, false);
  return state.is_object() ? state : Json::object();
}

void writeState(const fs::path& file, const Json& state) {
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << state.dump();
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
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

void LogShipper::ship(const Resource& instance, const fs::path& instanceDir) {
  fs::path logDir = postgresLogDir(instanceDir);
  fs::path stateFile = instanceDir / "log-shipping.json";
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(logDir, ec)) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Json state = readState(stateFile);
  Json kept = Json::object();
  std::string group = "/aws/rds/instance/" + instance.name + "/postgresql";
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  for (const fs::path& file : files) {
    std::string name = file.filename().string();
    uint64_t offset = state.value(name, uint64_t{0});
    uint64_t size = fs::file_size(file, ec);
    if (ec || size <= offset) {
      kept[name] = std::min(offset, ec ? offset : size);
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string text(static_cast<size_t>(std::min<uint64_t>(size - offset, kMaxBytesPerPass)), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
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
  if (kept != state) writeState(stateFile, kept);
}

}  // namespace kura::rds
