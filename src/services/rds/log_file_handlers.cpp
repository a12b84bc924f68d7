// DescribeDBLogFiles and DownloadDBLogFilePortion over the files the
// instance's engine writes, named as RDS names them (engine_log_files.h):
// "error/postgresql.log.YYYY-MM-DD-HH", "error/mysql-error.log", "audit/server_audit.log".
#include <sys/stat.h>

#include <algorithm>

#include "common/confined_file.h"
#include "services/rds/engine_log_files.h"

#include "services/rds/rds_api.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxPortionBytes = 1 << 20;
constexpr int64_t kDefaultLines = 10000;

struct LogFile {
  std::string name;  // as RDS shows it
  fs::path root;     // the engine's directory, which the engine may write to
  fs::path relative;  // the file below it
  int64_t lastWrittenMs = 0;
  int64_t size = 0;
};

// The engine writes the log directory: its entries are looked at and read
// beneath the engine's directory, so a link planted there (or the log
// directory replaced by one) is skipped, never followed.
std::vector<LogFile> listLogFiles(const Resource& instance, const fs::path& root) {
  std::vector<LogFile> files;
  for (const EngineLogFile& file : engineLogFiles(instance.spec.value("Engine", "postgres"), root)) {
    auto info = statBeneath(root, file.relative);
    if (!info || !S_ISREG(info->st_mode)) continue;
    int64_t writtenMs = int64_t{info->st_mtim.tv_sec} * 1000 + info->st_mtim.tv_nsec / 1000000;
    files.push_back({file.name, root, file.relative, writtenMs, static_cast<int64_t>(info->st_size)});
  }
  return files;
}

std::string readRange(const LogFile& file, uint64_t from, uint64_t to) {
  return readBeneath(file.root, file.relative, from, static_cast<size_t>(to - from)).value_or("");
}

}  // namespace

Result<Json> RdsApi::describeLogFiles(const RequestContext& c, const Json& in) {
  auto instance = findInstance(c, in["DBInstanceIdentifier"]);
  if (!instance) return instance.error();
  std::vector<LogFile> files = config_.engineDirOf ? listLogFiles(*instance, config_.engineDirOf(*instance)) : std::vector<LogFile>{};
  std::string contains = in.value("FilenameContains", "");
  int64_t writtenSince = in.value("FileLastWritten", int64_t{0});
  int64_t largerThan = in.value("FileSize", int64_t{0});
  std::erase_if(files, [&](const LogFile& f) {
    return f.name.find(contains) == std::string::npos || f.lastWrittenMs < writtenSince || f.size < largerThan;
  });
  size_t limit = static_cast<size_t>(in.value("MaxRecords", 100));
  std::string after = in.value("Marker", "");
  Json out = {{"DescribeDBLogFiles", Json::array()}};
  for (const LogFile& f : files) {
    if (!after.empty() && f.name <= after) continue;
    if (out["DescribeDBLogFiles"].size() == limit) {
      out["Marker"] = out["DescribeDBLogFiles"].back()["LogFileName"];
      break;
    }
    out["DescribeDBLogFiles"].push_back({{"LogFileName", f.name}, {"LastWritten", f.lastWrittenMs}, {"Size", f.size}});
  }
  return out;
}

Result<Json> RdsApi::downloadLogFilePortion(const RequestContext& c, const Json& in) {
  auto instance = findInstance(c, in["DBInstanceIdentifier"]);
  if (!instance) return instance.error();
  std::string wanted = in["LogFileName"];
  std::optional<LogFile> file;
  if (config_.engineDirOf) {
    for (LogFile& f : listLogFiles(*instance, config_.engineDirOf(*instance))) {
      if (f.name == wanted) file = std::move(f);
    }
  }
  if (!file) {
    return ApiError::sender("DBLogFileNotFoundFault", "DBLog File: " + wanted + ", is not found on the DB instance",
                            404);
  }
  uint64_t size = static_cast<uint64_t>(file->size);
  int64_t lines = in.value("NumberOfLines", kDefaultLines);
  if (lines <= 0) return ApiError::sender("InvalidParameterValue", "NumberOfLines must be positive.");
  uint64_t from = 0, to = size;
  if (in.contains("Marker")) {
    // Forward from the marker (a byte offset; "0" is the file's start).
    try {
      from = std::min<uint64_t>(std::stoull(in["Marker"].get<std::string>()), size);
    } catch (const std::exception&) {
      return ApiError::sender("InvalidParameterValue", "The marker is not valid.");
    }
    std::string text = readRange(*file, from, std::min<uint64_t>(size, from + kMaxPortionBytes));
    size_t end = 0;
    for (int64_t n = 0; n < lines && end < text.size(); ++n) {
      size_t newline = text.find('\n', end);
      end = newline == std::string::npos ? text.size() : newline + 1;
    }
    to = from + end;
  } else {
    // The newest lines: back from the end of the file.
    uint64_t start = size > kMaxPortionBytes ? size - kMaxPortionBytes : 0;
    std::string text = readRange(*file, start, size);
    size_t searchEnd = text.size();
    if (searchEnd > 0 && text[searchEnd - 1] == '\n') --searchEnd;  // the last line's own end
    size_t begin = start > 0 ? text.find('\n') + 1 : 0;  // never a cut line
    int64_t found = 0;
    for (size_t i = searchEnd; i > begin; --i) {
      if (text[i - 1] == '\n' && ++found == lines) {
        begin = i;
        break;
      }
    }
    from = start + begin;
  }
  return Json{{"LogFileData", readRange(*file, from, to)},
              {"Marker", std::to_string(to)},
              {"AdditionalDataPending", to < size}};
}

}  // namespace kura::rds
