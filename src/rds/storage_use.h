#pragma once
// An RDS instance's storage as RDS accounts for it: AllocatedStorage (GiB)
// against what the instance's own files take (its server's data, WAL and
// logs; not its backups, which RDS keeps in S3 and Kura in the archive and
// snapshot folders). FreeStorageSpace reports what is left of the
// allocation, and never more than the file system has free; an instance
// that uses 90% of it gets RDS's low storage event, and one with
// MaxAllocatedStorage above its allocation grows as RDS's storage
// autoscaling grows it.
//
// Kura reports and grows the allocation; it does not stop an instance's
// writes at it (the servers share the data directory's file system).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

namespace kura::rds {

constexpr uint64_t kGiB = uint64_t{1} << 30;

// The bytes of disk the files under `dir` take (their allocated blocks),
// without following links or leaving the file system; 0 for a folder that
// is not there. Files and folders that go while it walks (a server's
// temporary files, a dropped database) and folders it may not read are
// skipped; any other error (or folders nested deeper than 32) makes it
// empty, so that a partial figure is never taken for the whole.
std::optional<uint64_t> diskBytesUnder(const std::filesystem::path& dir);

// What FreeStorageSpace says: the allocation less the bytes used, at
// least 0, at most what the file system has free.
uint64_t freeStorageBytes(int64_t allocatedGiB, uint64_t usedBytes, uint64_t fileSystemFreeBytes);

// Where an instance's use stands against its allocation: low from 90%
// used, full at all of it. Once low, it is normal again only below 85%, so
// that use hovering at 90% does not repeat the low storage event.
enum class StorageLevel { kNormal, kLow, kFull };
StorageLevel storageLevel(int64_t allocatedGiB, uint64_t usedBytes, StorageLevel before = StorageLevel::kNormal);

// Whether at most 10% of the allocation is free: storage autoscaling's
// low condition.
bool atMostTenPercentFree(int64_t allocatedGiB, uint64_t usedBytes);

// Storage autoscaling (RDS: "Managing capacity automatically with Amazon
// RDS storage autoscaling"): once free storage has been at most 10% of the
// allocation for five minutes (`lowSince`), and at least six hours after
// the last change of the allocation (`changedAt`), the allocation grows to
// the greater of 10 GiB more and 10% more (RDS also weighs the last hour's
// growth; Kura does not), at most `maxGiB`. Empty when it does not grow.
std::optional<int64_t> autoscaledStorageGiB(int64_t allocatedGiB, int64_t maxGiB, uint64_t usedBytes,
                                            std::chrono::seconds lowFor, std::chrono::seconds sinceChange);

}  // namespace kura::rds
