#include "rds/engine_set.h"

namespace kura::rds {
namespace {

ApiError noDriver(const EngineLayout& layout) {
  return ApiError::internal("no server for engine " + layout.engine + " is installed on this Kura host");
}

}  // namespace

InstanceEngine* EngineSet::find(const std::string& engine) const {
  auto found = drivers_.find(engine);
  return found == drivers_.end() ? nullptr : found->second;
}

// Each call goes to the layout's driver; without one, a call that can fail
// fails saying so, and a question is answered "no" (or "not known").
#define KURA_DISPATCH(layout, call, otherwise)                 \
  do {                                                         \
    InstanceEngine* driver = find((layout).engine);            \
    if (driver == nullptr) return otherwise;                   \
    return driver->call;                                       \
  } while (false)

Result<bool> EngineSet::create(const EngineLayout& layout) { KURA_DISPATCH(layout, create(layout), noDriver(layout)); }
Result<bool> EngineSet::start(const EngineLayout& layout) { KURA_DISPATCH(layout, start(layout), noDriver(layout)); }
Result<bool> EngineSet::stop(const EngineLayout& layout) { KURA_DISPATCH(layout, stop(layout), noDriver(layout)); }
bool EngineSet::running(const EngineLayout& layout) { KURA_DISPATCH(layout, running(layout), false); }
InstanceEngine::ServerExecutable EngineSet::serverExecutable(const EngineLayout& layout) {
  KURA_DISPATCH(layout, serverExecutable(layout), ServerExecutable::kUnknown);
}
Result<bool> EngineSet::setMasterPassword(const EngineLayout& layout) {
  KURA_DISPATCH(layout, setMasterPassword(layout), noDriver(layout));
}
Result<bool> EngineSet::reload(const EngineLayout& layout) { KURA_DISPATCH(layout, reload(layout), noDriver(layout)); }
Result<BackupResult> EngineSet::backup(const EngineLayout& layout, const std::filesystem::path& target) {
  KURA_DISPATCH(layout, backup(layout, target), noDriver(layout));
}
Result<bool> EngineSet::restore(const std::filesystem::path& backup, const EngineLayout& layout,
                                std::optional<SystemTime> until, const std::filesystem::path& walArchive) {
  KURA_DISPATCH(layout, restore(backup, layout, until, walArchive), noDriver(layout));
}
std::optional<SystemTime> EngineSet::latestRestorableTime(const EngineLayout& layout) {
  KURA_DISPATCH(layout, latestRestorableTime(layout), std::nullopt);
}
std::optional<std::pair<uint64_t, uint64_t>> EngineSet::backupProgress(const EngineLayout& layout) {
  KURA_DISPATCH(layout, backupProgress(layout), std::nullopt);
}
Result<bool> EngineSet::createStandby(const EngineLayout& primary, const EngineLayout& standby) {
  KURA_DISPATCH(primary, createStandby(primary, standby), noDriver(primary));
}
Result<bool> EngineSet::follow(const EngineLayout& standby, const EngineLayout& upstream) {
  KURA_DISPATCH(standby, follow(standby, upstream), noDriver(standby));
}
std::optional<ReplicaStatus> EngineSet::replicaStatus(const EngineLayout& standby) {
  KURA_DISPATCH(standby, replicaStatus(standby), std::nullopt);
}
Result<bool> EngineSet::promote(const EngineLayout& layout) { KURA_DISPATCH(layout, promote(layout), noDriver(layout)); }
Result<bool> EngineSet::fence(const EngineLayout& layout) { KURA_DISPATCH(layout, fence(layout), noDriver(layout)); }
bool EngineSet::healthy(const EngineLayout& layout, std::chrono::milliseconds timeout) {
  KURA_DISPATCH(layout, healthy(layout, timeout), false);
}
bool EngineSet::synchronousStandbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  KURA_DISPATCH(primary, synchronousStandbyStreaming(primary, timeout), false);
}
bool EngineSet::standbyStreaming(const EngineLayout& primary, std::chrono::seconds timeout) {
  KURA_DISPATCH(primary, standbyStreaming(primary, timeout), false);
}
std::optional<uint64_t> EngineSet::walPosition(const EngineLayout& layout) {
  KURA_DISPATCH(layout, walPosition(layout), std::nullopt);
}
std::optional<int64_t> EngineSet::connections(const EngineLayout& layout) {
  KURA_DISPATCH(layout, connections(layout), std::nullopt);
}
Result<bool> EngineSet::destroy(const EngineLayout& layout) { KURA_DISPATCH(layout, destroy(layout), noDriver(layout)); }
Result<bool> EngineSet::share(const EngineLayout& layout, const std::filesystem::path& dir) {
  KURA_DISPATCH(layout, share(layout, dir), noDriver(layout));
}

#undef KURA_DISPATCH

}  // namespace kura::rds
