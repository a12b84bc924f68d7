#include "rds/storage_use.h"

#include <sys/stat.h>

#include <algorithm>

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

uint64_t diskBytesUnder(const std::filesystem::path& dir) {
  std::error_code ec;
  uint64_t total = 0;
  std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::skip_permission_denied,
                                                   ec);
  for (const std::filesystem::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    struct stat info {};
    // lstat: a link counts as itself, not as what it points to.
    if (::lstat(it->path().c_str(), &info) == 0) total += static_cast<uint64_t>(info.st_blocks) * 512;
  }
  return total;
}

uint64_t freeStorageBytes(int64_t allocatedGiB, uint64_t usedBytes, uint64_t fileSystemFreeBytes) {
  uint64_t allocated = static_cast<uint64_t>(std::max<int64_t>(allocatedGiB, 0)) * kGiB;
  uint64_t left = usedBytes >= allocated ? 0 : allocated - usedBytes;
  return std::min(left, fileSystemFreeBytes);
}

StorageLevel storageLevel(int64_t allocatedGiB, uint64_t usedBytes) {
  uint64_t allocated = static_cast<uint64_t>(std::max<int64_t>(allocatedGiB, 0)) * kGiB;
  if (usedBytes >= allocated) return StorageLevel::kFull;
  if (usedBytes * 10 >= allocated * 9) return StorageLevel::kLow;
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
