#include "ddb/wal_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace kura::ddb {
namespace {

std::string errorText(const char* what, const std::filesystem::path& path, int error) {
  return fmt::format("{} {}: {}", what, path.string(), std::strerror(error));
}

// The number of a WAL file's name (<digits>.log), or 0.
uint64_t walNumber(const std::string& name) {
  if (name.size() <= 4 || !name.ends_with(".log")) return 0;
  uint64_t number = 0;
  for (size_t i = 0; i + 4 < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    number = number * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return number;
}

// fdatasync of a file; a file gone is fine (see the header).
std::string syncFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno == ENOENT ? std::string() : errorText("cannot open", path, errno);
  if (::fdatasync(fd.get()) != 0) return errorText("cannot sync", path, errno);
  return {};
}

}  // namespace

std::string WalFiles::fileName(uint64_t number) { return fmt::format("{:06}.log", number); }

std::string WalFiles::syncThrough(uint64_t current) {
  if (current != open_) {
    // The WAL switched since the last sync (or this is the first): the
    // files before the current one are synced once now, then the directory.
    std::vector<uint64_t> earlier;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      uint64_t number = walNumber(entry.path().filename().string());
      if (number != 0 && number >= open_ && number < current) earlier.push_back(number);
    }
    if (ec) return errorText("cannot list", dir_, ec.value());
    for (uint64_t number : earlier) {
      if (std::string error = syncFile(dir_ / fileName(number)); !error.empty()) return error;
    }
    std::filesystem::path path = dir_ / fileName(current);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errorText("cannot open", path, errno);
    UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return errorText("cannot open", dir_, errno);
    if (::fsync(dir.get()) != 0) return errorText("cannot sync", dir_, errno);
    fd_ = std::move(fd);
    open_ = current;
  }
  if (::fdatasync(fd_.get()) != 0) return errorText("cannot sync", dir_ / fileName(open_), errno);
  return {};
}

}  // namespace kura::ddb
