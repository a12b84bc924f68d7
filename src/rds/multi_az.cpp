#include "rds/multi_az.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "common/resource_locks.h"
#include "rds/primary_watchdog.h"

namespace kura::rds {

namespace {

// The controller (a failover, a start) and the supervisor (a lost standby)
// may both want the standby: one builds it, the other then finds it ready.
ResourceLocks& standbyBuilds() {
  static ResourceLocks locks;
  return locks;
}

}  // namespace

Result<bool> MultiAz::ensureStandby(Resource& instance, bool watchPrimary, const Reread& reread) {
  if (instance.state.value("StandbyReady", false)) return true;
  auto building = standbyBuilds().lock(instance.arn);
  // A copy queued earlier works from the record as it is now, under the
  // lock a controller's failover takes too: from the one it was queued
  // with, it would take the node that is now the primary for the standby.
  if (reread) {
    auto fresh = reread();
    if (!fresh) return ApiError::internal("the instance changed before its standby was built: nothing to do");
    instance = *fresh;
    if (instance.state.value("StandbyReady", false)) return true;
  }
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  auto standby = nodeLayoutOf(instance, standbyNode(instance), paths_, secrets_);
  if (!standby) return standby.error();
  EngineLayout synchronous = *primary;
  synchronous.synchronousStandby = true;
  // Built meanwhile by the other: the primary reports it as its synchronous
  // standby (a fenced old primary is only ever started again as a standby
  // rebuilt from this primary, so nothing else can stream to it).
  if (engine_.running(*standby) && engine_.synchronousStandbyStreaming(synchronous, std::chrono::seconds(1))) {
    instance.state["StandbyReady"] = true;
    return true;
  }
  std::optional<PrimaryWatchdog> watchdog;
  auto fenced = [&] { return watchdog && watchdog->fenced(); };
  auto lost = [&] { return ApiError::internal("the primary stopped answering while the standby was built"); };
  // One that streams from this primary, not synchronously (its primary was
  // reloaded without it meanwhile), is made synchronous again, not copied
  // again: only what streams from this primary's timeline streams at all.
  bool streaming = engine_.running(*standby) && engine_.standbyStreaming(*primary, std::chrono::seconds(1));
  if (!streaming) {
    if (engine_.running(*standby)) {
      if (auto stopped = engine_.fence(*standby); !stopped) return stopped;
    }
    spdlog::info("msg=\"building the standby\" instance={} node={} from_port={}", instance.name,
                 standbyNode(instance), primary->port);
    if (watchPrimary) watchdog.emplace(engine_, *primary);
    if (auto made = engine_.createStandby(*primary, *standby); !made) return fenced() ? lost() : made;
    if (auto started = engine_.start(*standby); !started) return started;
  }
  // Commits wait for the standby only once it streams: until then (and if it
  // never does) they do not stall.
  // In one-second waits, so that a primary the watchdog fenced ends it at once.
  for (int second = 0; second < 30 && !streaming && !fenced(); ++second) {
    streaming = engine_.standbyStreaming(*primary, std::chrono::seconds(1));
  }
  if (fenced()) return lost();
  if (!streaming) return ApiError::internal("the standby does not stream from the primary");
  // From now on a commit waits for the standby to have it; the standby is
  // ready only once the primary says so (a primary that cannot answer, or
  // whose setting did not take, never gets a standby it could fail over to).
  if (auto reloaded = engine_.reload(synchronous); !reloaded) return reloaded;
  if (!engine_.synchronousStandbyStreaming(synchronous, std::chrono::seconds(10)) || fenced()) {
    engine_.reload(*primary);  // commits must not wait for a standby that is not there
    return fenced() ? lost() : ApiError::internal("the standby does not stream synchronously from the primary");
  }
  instance.state["StandbyReady"] = true;
  return true;
}

Result<bool> MultiAz::route(const Resource& instance) {
  if (proxies_ == nullptr) return ApiError::internal("no endpoint proxy");
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  try {
    proxies_->route(instance.arn, static_cast<unsigned short>(instance.state.value("Port", 0)),
                    static_cast<unsigned short>(primary->port));
  } catch (const std::exception& error) {
    return ApiError::internal(std::string("cannot listen on the endpoint port: ") + error.what());
  }
  return true;
}

Result<bool> MultiAz::fenceAndSwitch(Resource& instance, bool planned) {
  auto old = layoutOf(instance, paths_, secrets_);
  if (!old) return old.error();
  // A clean stop sends every commit to the standby before the server exits.
  auto fenced = planned ? engine_.stop(*old) : engine_.fence(*old);
  if (!fenced && planned) fenced = engine_.fence(*old);
  if (!fenced) return fenced;
  spdlog::info("msg=\"fenced the old primary\" instance={} node={} port={} planned={}", instance.name,
               primaryNode(instance), old->port, planned);
  instance.state["Primary"] = standbyNode(instance);
  instance.state["StandbyReady"] = false;
  std::string zone = instance.state["Nodes"][primaryNode(instance)].value("AvailabilityZone", "");
  std::string other = instance.state["Nodes"][standbyNode(instance)].value("AvailabilityZone", "");
  instance.spec["AvailabilityZone"] = zone;
  instance.spec["SecondaryAvailabilityZone"] = other;
  return true;
}

Result<bool> MultiAz::promoteAndRoute(const Resource& instance, bool settle) {
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  if (!engine_.running(*primary)) {
    // Whatever is left of it (backends of a dead postmaster) goes first.
    if (auto fenced = engine_.fence(*primary); !fenced) return fenced;
    if (auto started = engine_.start(*primary); !started) return started;
  }
  if (auto promoted = engine_.promote(*primary); !promoted) return promoted;
  // Without a standby, commits must not wait for one.
  if (settle) {
    if (auto reloaded = engine_.reload(*primary); !reloaded) return reloaded;
  }
  return route(instance);
}

Result<bool> MultiAz::stopBoth(const Resource& instance) {
  for (const std::string& node : {primaryNode(instance), standbyNode(instance)}) {
    auto layout = nodeLayoutOf(instance, node, paths_, secrets_);
    if (!layout) return layout.error();
    if (auto stopped = engine_.stop(*layout); !stopped) return stopped;
  }
  return true;
}

Result<bool> MultiAz::startStandby(const Resource& instance) {
  auto standby = nodeLayoutOf(instance, standbyNode(instance), paths_, secrets_);
  if (!standby) return standby.error();
  return engine_.start(*standby);
}

Result<bool> MultiAz::restartStandby(Resource& instance) {
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  auto standby = nodeLayoutOf(instance, standbyNode(instance), paths_, secrets_);
  if (!standby) return standby.error();
  auto building = standbyBuilds().lock(instance.arn);
  if (!instance.state.value("StandbyReady", false)) return true;
  instance.state["StandbyReady"] = false;
  auto restarted = engine_.stop(*standby);
  if (restarted) restarted = engine_.start(*standby);
  EngineLayout synchronous = *primary;
  synchronous.synchronousStandby = true;
  // Ready again once the primary has it as its synchronous standby (it
  // catches up from where it stopped); if not within half a minute, commits
  // stop waiting for it, and ensureStandby builds it again.
  if (restarted && engine_.synchronousStandbyStreaming(synchronous, std::chrono::seconds(30))) {
    instance.state["StandbyReady"] = true;
    return true;
  }
  EngineLayout plain = *primary;
  plain.synchronousStandby = false;
  engine_.reload(plain);  // commits must not wait for a standby that is not there
  return restarted;
}

void MultiAz::forget(const Resource& instance) {
  if (proxies_ != nullptr) proxies_->remove(instance.arn);
}

}  // namespace kura::rds
