#include "cache/parameter_apply.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/resource_event.h"
#include "cache/cache_parameters.h"
#include "common/state_change_log.h"

namespace kura::cache {
namespace {

// A node that refuses the values is asked again every pass: logged once
// per change, not every second.
StateChangeLog refusals;

}  // namespace

bool applyPendingParameters(Catalog& catalog, engines::RedisEngine& engine, Resource& owner,
                            const std::vector<engines::RedisLayout>& nodes) {
  if (!owner.state.value("ParametersToApply", false)) return true;
  auto settings = redisImmediateSettingsOf(owner);
  for (const engines::RedisLayout& layout : nodes) {
    if (!engine.running(layout)) continue;  // it starts with them
    if (auto applied = engine.applySettings(layout, settings); !applied) {
      if (refusals.entered(owner.arn, applied.error().message)) {
        spdlog::error("msg=\"cannot set the cache parameters: tried again every pass, logged again when the error "
                      "changes\" resource={} error=\"{}\"",
                      owner.name, applied.error().message);
      }
      return false;
    }
  }
  if (refusals.ended(owner.arn)) {
    spdlog::info("msg=\"the cache parameters were set at last\" resource={}", owner.name);
  }
  owner.state.erase("ParametersToApply");
  auto stored = catalog.updateResource(owner);
  if (!stored) return false;  // changed meanwhile: the next pass sees it
  owner = *stored;
  addResourceEvent(catalog, owner,
                   "Parameters of cache parameter group " + owner.spec.value("CacheParameterGroupName", "") +
                       " applied to the running nodes",
                   "configuration change");
  return true;
}

void markParametersRebooted(Resource& owner, const std::vector<std::string>& nodes) {
  if (!owner.state.contains("NodesToRebootForParameters")) return;
  auto pending = owner.state.value("NodesToRebootForParameters", std::vector<std::string>());
  std::erase_if(pending, [&](const std::string& node) {
    return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
  });
  if (pending.empty()) {
    owner.state.erase("NodesToRebootForParameters");
  } else {
    owner.state["NodesToRebootForParameters"] = pending;
  }
}

void noteNodeStartedAgain(Catalog& catalog, Resource& owner, const std::string& node) {
  Resource next = owner;
  markParametersRebooted(next, {node});
  if (next.state == owner.state) return;
  if (auto stored = catalog.updateResource(next)) owner = *stored;  // else changed meanwhile: shown pending a while
}

void markParametersStarted(Resource& owner) {
  owner.state.erase("ParametersToApply");
  owner.state.erase("NodesToRebootForParameters");
}

}  // namespace kura::cache
