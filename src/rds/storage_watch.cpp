// The part of RdsSupervisor that follows an instance's storage against its
// AllocatedStorage (storage_use.h): what its files take, measured every
// half minute off the passes' thread (a walk of its folder, as long as
// the files are many); RDS's low storage events when it crosses 90% and
// 100%; and storage autoscaling up to MaxAllocatedStorage.
#include <spdlog/spdlog.h>

#include "common/time_format.h"
#include "rds/rds_supervisor.h"
#include "rds/storage_use.h"

namespace kura::rds {
namespace {

constexpr auto kMeasureEvery = std::chrono::seconds(30);

const char* levelName(StorageLevel level) {
  switch (level) {
    case StorageLevel::kLow:
      return "low";
    case StorageLevel::kFull:
      return "full";
    case StorageLevel::kNormal:
      break;
  }
  return "normal";
}

StorageLevel levelNamed(const std::string& name) {
  if (name == "low") return StorageLevel::kLow;
  if (name == "full") return StorageLevel::kFull;
  return StorageLevel::kNormal;
}

}  // namespace

void RdsSupervisor::measureStorage(const Resource& instance, const EngineLayout& layout) {
  SystemTime now = clock_->now();
  {
    std::lock_guard lock(storageMutex_);
    auto [entry, fresh] = storage_.try_emplace(instance.arn);
    if (!fresh && now >= entry->second.submittedAt && now - entry->second.submittedAt < kMeasureEvery) return;
    entry->second.submittedAt = now;
  }
  measurements_.submit(instance.arn, [this, arn = instance.arn, name = instance.name, dir = layout.dir,
                                      meter = storageMeter_] {
    std::optional<uint64_t> used = meter ? meter(dir) : diskBytesUnder(dir);
    if (!used) {
      spdlog::warn("msg=\"cannot measure the storage an instance's files take\" instance={}", name);
      return false;
    }
    std::lock_guard lock(storageMutex_);
    // Not for an instance forgotten meanwhile (deleted, stopped).
    if (auto entry = storage_.find(arn); entry != storage_.end()) entry->second.usedBytes = *used;
    return true;
  });
}

std::optional<uint64_t> RdsSupervisor::measuredStorage(const std::string& arn) const {
  std::lock_guard lock(storageMutex_);
  auto entry = storage_.find(arn);
  if (entry == storage_.end()) return std::nullopt;
  return entry->second.usedBytes;
}

void RdsSupervisor::forgetStorage(const std::string& arn) {
  {
    std::lock_guard lock(storageMutex_);
    storage_.erase(arn);
  }
  measurements_.cancel(arn);  // and the backoff of a walk that failed: a deleted instance's goes with it
}

bool RdsSupervisor::watchStorage(Resource& instance) {
  std::optional<uint64_t> measured;
  SystemTime lowSince{};
  {
    std::lock_guard lock(storageMutex_);
    auto entry = storage_.find(instance.arn);
    if (entry == storage_.end() || !entry->second.usedBytes) return true;
    measured = entry->second.usedBytes;
    lowSince = entry->second.lowSince;
  }
  const int64_t allocated = instance.spec.value("AllocatedStorage", int64_t{20});
  const uint64_t used = *measured;
  SystemTime now = clock_->now();
  // Storage autoscaling: the low condition must last five minutes (from
  // the first pass that saw it since the instance was last available).
  lowSince = atMostTenPercentFree(allocated, used) ? (lowSince == SystemTime{} ? now : lowSince) : SystemTime{};
  auto keepLowSince = [&](SystemTime since) {
    std::lock_guard lock(storageMutex_);
    if (auto entry = storage_.find(instance.arn); entry != storage_.end()) entry->second.lowSince = since;
  };
  keepLowSince(lowSince);
  const int64_t maxGiB = instance.spec.value("MaxAllocatedStorage", int64_t{0});
  if (maxGiB > allocated && lowSince != SystemTime{}) {
    double changedAt = instance.state.value("StorageChangedAt", 0.0);
    auto sinceChange = std::chrono::seconds(static_cast<int64_t>(toEpochSeconds(now) - changedAt));
    auto lowFor = std::chrono::duration_cast<std::chrono::seconds>(now - lowSince);
    if (auto grown = autoscaledStorageGiB(allocated, maxGiB, used, lowFor, sinceChange)) {
      Resource changed = instance;
      changed.spec["AllocatedStorage"] = *grown;
      changed.state["StorageChangedAt"] = toEpochSeconds(now);
      // The record and its events together: a crash between them would lose the events.
      auto stored = catalog_.transact([&]() -> Result<Resource> {
        auto written = catalog_.updateResource(changed);
        if (!written) return written;
        addEvent(*written, "Applying autoscaling-initiated modification to allocated storage.", "notification");
        addEvent(*written,
                 "Finished applying autoscaling-initiated modification to allocated storage: " +
                     std::to_string(allocated) + " GiB to " + std::to_string(*grown) + " GiB.",
                 "notification");
        return written;
      });
      if (!stored) return false;  // changed meanwhile: the next pass looks again
      instance = *stored;
      spdlog::info("msg=\"storage autoscaling\" instance={} from_gib={} to_gib={} used_bytes={}", instance.name,
                   allocated, *grown, used);
      keepLowSince(SystemTime{});
    }
  }
  // The low storage events, once each time the level rises; the level is
  // kept in the instance's state so that a restart of Kura does not repeat them.
  const std::string before = instance.state.value("StorageLevel", "normal");
  StorageLevel level = storageLevel(instance.spec.value("AllocatedStorage", int64_t{20}), used, levelNamed(before));
  const std::string name = levelName(level);
  if (before == name) return true;
  Resource changed = instance;
  if (level == StorageLevel::kNormal) {
    changed.state.erase("StorageLevel");
  } else {
    changed.state["StorageLevel"] = name;
  }
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto written = catalog_.updateResource(changed);
    if (!written) return written;
    if (level == StorageLevel::kFull) {
      addEvent(*written, "Allocated storage has been exhausted. Allocate additional storage to resolve the issue.",
               "low storage");
    } else if (level == StorageLevel::kLow && before == "normal") {
      addEvent(*written,
               "The DB instance has consumed more than 90% of its allocated storage. You can monitor the storage "
               "space for a DB instance using the FreeStorageSpace metric.",
               "low storage");
    }
    return written;
  });
  if (!stored) return false;
  instance = *stored;
  return true;
}

}  // namespace kura::rds
