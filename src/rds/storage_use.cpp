#include "rds/storage_use.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace kura::rds {

namespace {

constexpr auto kLowFor = std::chrono::minutes(5);
constexpr auto kBetweenChanges = std::chrono::hours(6);

}  // namespace

bool atMostTenPercentFree(int64_t allocatedGiB, uint64_t usedBytes) {
  uint64_t allocated = static_cast<uint64_t>(std::max<int64_t>(allocatedGiB, 0)) * kGiB;
  uint64_t free = usedBytes >= allocated ? 0 : allocated - usedBytes;
  return free * 10 <= allocated;
}

namespace {

// Adds the blocks of what `dir` (open) holds to `total`; false on an error
// other than an entry gone, replaced or not readable. By hand, not with
// std::filesystem::recursive_directory_iterator: that one ends the whole
// walk, with an error, when a folder goes between its listing and its
// opening, which a server's temporary files and a DROP DATABASE do.
bool addBlocksUnder(int dir, dev_t device, int depth, uint64_t& total) {
  DIR* listing = ::fdopendir(dir);
  if (listing == nullptr) {
    ::close(dir);
    return false;
  }
  bool ok = true;
  errno = 0;
  while (struct dirent* entry = ::readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat info {};
    if (::fstatat(::dirfd(listing), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // gone meanwhile
      ok = false;
      break;
    }
    total += static_cast<uint64_t>(info.st_blocks) * 512;
    if (!S_ISDIR(info.st_mode) || info.st_dev != device) continue;
    if (depth >= 32) {
      ok = false;
      break;
    }
    int child = ::openat(::dirfd(listing), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      // Gone, or replaced by a link or a file since it was looked at.
      if (errno == ENOENT || errno == EACCES || errno == ELOOP || errno == ENOTDIR) continue;
      ok = false;
      break;
    }
    if (!addBlocksUnder(child, device, depth + 1, total)) {
      ok = false;
      break;
    }
    errno = 0;
  }
  if (ok && errno != 0) ok = false;  // readdir failed
  ::closedir(listing);
  return ok;
}

}  // namespace

std::optional<uint64_t> diskBytesUnder(const std::filesystem::path& dir) {
  int top = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top < 0) return errno == ENOENT ? std::optional<uint64_t>(0) : std::nullopt;
  struct stat info {};
  if (::fstat(top, &info) != 0) {
    ::close(top);
    return std::nullopt;
  }
  uint64_t total = 0;
  if (!addBlocksUnder(top, info.st_dev, 0, total)) return std::nullopt;
  return total;
}

uint64_t freeStorageBytes(int64_t allocatedGiB, uint64_t usedBytes, uint64_t fileSystemFreeBytes) {
  uint64_t allocated = static_cast<uint64_t>(std::max<int64_t>(allocatedGiB, 0)) * kGiB;
  uint64_t left = usedBytes >= allocated ? 0 : allocated - usedBytes;
  return std::min(left, fileSystemFreeBytes);
}

StorageLevel storageLevel(int64_t allocatedGiB, uint64_t usedBytes, StorageLevel before) {
  uint64_t allocated = static_cast<uint64_t>(std::max<int64_t>(allocatedGiB, 0)) * kGiB;
  if (usedBytes >= allocated) return StorageLevel::kFull;
  // In hundredths of the allocation (a whole number of GiB: nothing lost).
  if (usedBytes >= allocated / 100 * 90) return StorageLevel::kLow;
  if (before != StorageLevel::kNormal && usedBytes >= allocated / 100 * 85) return StorageLevel::kLow;
  return StorageLevel::kNormal;
}

std::optional<int64_t> autoscaledStorageGiB(int64_t allocatedGiB, int64_t maxGiB, uint64_t usedBytes,
                                            std::chrono::seconds lowFor, std::chrono::seconds sinceChange) {
  if (maxGiB <= allocatedGiB || !atMostTenPercentFree(allocatedGiB, usedBytes)) return std::nullopt;
  if (lowFor < kLowFor || sinceChange < kBetweenChanges) return std::nullopt;
  int64_t grown = std::max(allocatedGiB + 10, allocatedGiB + (allocatedGiB + 9) / 10);
  return std::min(grown, maxGiB);
}

}  // namespace kura::rds
