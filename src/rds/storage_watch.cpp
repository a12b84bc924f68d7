// The part of RdsSupervisor that follows an instance's storage against its
// AllocatedStorage (storage_use.h): what its files take, measured every
// half minute (a walk of its folder: cheap, but not for every pass of every
// instance); RDS's low storage events when it crosses 90% and 100%; and
// storage autoscaling up to MaxAllocatedStorage.
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

}  // namespace

void RdsSupervisor::measureStorage(const Resource& instance, const EngineLayout& layout) {
  SystemTime now = clock_->now();
  auto [entry, fresh] = storage_.try_emplace(instance.arn);
  if (!fresh && now - entry->second.measuredAt < kMeasureEvery && now >= entry->second.measuredAt) return;
  entry->second.measuredAt = now;
  entry->second.usedBytes = storageMeter_ ? storageMeter_(layout.dir) : diskBytesUnder(layout.dir);
}

std::optional<uint64_t> RdsSupervisor::storageUsed(const std::string& arn) const {
  auto entry = storage_.find(arn);
  if (entry == storage_.end()) return std::nullopt;
  return entry->second.usedBytes;
}

bool RdsSupervisor::watchStorage(Resource& instance) {
  auto entry = storage_.find(instance.arn);
  if (entry == storage_.end()) return true;
  StorageWatch& watched = entry->second;
  const int64_t allocated = instance.spec.value("AllocatedStorage", int64_t{20});
  const uint64_t used = watched.usedBytes;
  SystemTime now = clock_->now();
  // Storage autoscaling: the low condition must last five minutes.
  if (atMostTenPercentFree(allocated, used)) {
    if (watched.lowSince == SystemTime{}) watched.lowSince = now;
  } else {
    watched.lowSince = SystemTime{};
  }
  const int64_t maxGiB = instance.spec.value("MaxAllocatedStorage", int64_t{0});
  if (maxGiB > allocated && watched.lowSince != SystemTime{}) {
    double changedAt = instance.state.value("StorageChangedAt", 0.0);
    auto sinceChange = std::chrono::seconds(static_cast<int64_t>(toEpochSeconds(now) - changedAt));
    auto lowFor = std::chrono::duration_cast<std::chrono::seconds>(now - watched.lowSince);
    if (auto grown = autoscaledStorageGiB(allocated, maxGiB, used, lowFor, sinceChange)) {
      Resource changed = instance;
      changed.spec["AllocatedStorage"] = *grown;
      changed.state["StorageChangedAt"] = toEpochSeconds(now);
      auto stored = catalog_.updateResource(changed);
      if (!stored) return false;  // changed meanwhile: the next pass looks again
      instance = *stored;
      spdlog::info("msg=\"storage autoscaling\" instance={} from_gib={} to_gib={} used_bytes={}", instance.name,
                   allocated, *grown, used);
      addEvent(instance, "Applying autoscaling-initiated modification to allocated storage.", "notification");
      addEvent(instance,
               "Finished applying autoscaling-initiated modification to allocated storage: " +
                   std::to_string(allocated) + " GiB to " + std::to_string(*grown) + " GiB.",
               "notification");
      watched.lowSince = SystemTime{};
    }
  }
  // The low storage events, once each time the level rises; recorded in
  // the instance's state so that a restart of Kura does not repeat them.
  StorageLevel level = storageLevel(instance.spec.value("AllocatedStorage", int64_t{20}), used);
  std::string name = levelName(level);
  if (instance.state.value("StorageLevel", "normal") == name) return true;
  std::string before = instance.state.value("StorageLevel", "normal");
  Resource changed = instance;
  if (level == StorageLevel::kNormal) {
    changed.state.erase("StorageLevel");
  } else {
    changed.state["StorageLevel"] = name;
  }
  auto stored = catalog_.updateResource(changed);
  if (!stored) return false;
  instance = *stored;
  if (level == StorageLevel::kFull) {
    addEvent(instance, "Allocated storage has been exhausted. Allocate additional storage to resolve the issue.",
             "low storage");
  } else if (level == StorageLevel::kLow && before == "normal") {
    addEvent(instance,
             "The DB instance has consumed more than 90% of its allocated storage. You can monitor the storage "
             "space for a DB instance using the FreeStorageSpace metric.",
             "low storage");
  }
  return true;
}

}  // namespace kura::rds
