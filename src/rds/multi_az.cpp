#include "rds/multi_az.h"

#include <spdlog/spdlog.h>

namespace kura::rds {

Result<bool> MultiAz::ensureStandby(Resource& instance) {
  if (instance.state.value("StandbyReady", false)) return true;
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  auto standby = nodeLayoutOf(instance, standbyNode(instance), paths_, secrets_);
  if (!standby) return standby.error();
  if (engine_.running(*standby)) {
    if (auto fenced = engine_.fence(*standby); !fenced) return fenced;
  }
  spdlog::info("msg=\"building the standby\" instance={} node={} from_port={}", instance.name, standbyNode(instance),
               primary->port);
  if (auto made = engine_.createStandby(*primary, *standby); !made) return made;
  if (auto started = engine_.start(*standby); !started) return started;
  // From now on a commit waits for the standby to have it; the standby is
  // ready only once the primary says so (a primary that cannot answer, or
  // whose setting did not take, never gets a standby it could fail over to).
  EngineLayout synchronous = *primary;
  synchronous.synchronousStandby = true;
  if (auto reloaded = engine_.reload(synchronous); !reloaded) return reloaded;
  if (!engine_.synchronousStandbyStreaming(synchronous, std::chrono::seconds(30))) {
    return ApiError::internal("the standby does not stream synchronously from the primary");
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

Result<bool> MultiAz::promoteAndRoute(const Resource& instance) {
  auto primary = layoutOf(instance, paths_, secrets_);
  if (!primary) return primary.error();
  if (!engine_.running(*primary)) {
    // Whatever is left of it (backends of a dead postmaster) goes first.
    if (auto fenced = engine_.fence(*primary); !fenced) return fenced;
    if (auto started = engine_.start(*primary); !started) return started;
  }
  if (auto promoted = engine_.promote(*primary); !promoted) return promoted;
  // Without a standby, commits must not wait for one.
  if (auto reloaded = engine_.reload(*primary); !reloaded) return reloaded;
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

void MultiAz::forget(const Resource& instance) {
  if (proxies_ != nullptr) proxies_->remove(instance.arn);
}

}  // namespace kura::rds
