// ModifyDBInstance --multi-az / --no-multi-az, online: the data moves between
// the instance's folder (Single-AZ: the engine listens on the endpoint port
// itself) and its primary node (Multi-AZ: Kura's proxy owns the endpoint
// port), with one short restart. Each phase is recorded before the next, so
// a crash of Kura resumes where it stopped.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "common/confined_file.h"
#include "rds/db_instance_controller.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

// Moves a data directory once: a move already done is found done. The
// folder it lands in belongs to whoever owns the data (the engine user),
// who writes its log and socket there.
Result<bool> moveData(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(from) || !fs::exists(to)) {
    fs::create_directories(to.parent_path(), ec);
    fs::rename(from, to, ec);
    if (ec) return ApiError::internal("cannot move " + from.string() + " to " + to.string() + ": " + ec.message());
  }
  // Both sit in the instance's directory, which the engine writes: neither
  // is followed if it is a link, and the folder is changed through its own
  // descriptor.
  struct stat owner {};
  UniqueFd folder(::open(to.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (::lstat(to.c_str(), &owner) != 0 || !S_ISDIR(owner.st_mode) || !folder ||
      ::fchown(folder.get(), owner.st_uid, owner.st_gid) != 0 || ::fchmod(folder.get(), 0700) != 0) {
    return ApiError::internal("cannot give " + to.parent_path().string() + " to the engine user");
  }
  return true;
}

}  // namespace

StepOutcome DbInstanceController::convertMultiAz(Resource& instance, ReconcileContext& ctx) {
  bool on = instance.state["MultiAzConversion"] == "on";
  fs::path single = paths_.instanceDir(instance) / "pgdata";
  if (on && instance.state.contains("PendingNodes")) {
    // Phase 1: the single engine stops; its data becomes node a's.
    auto layout = layoutOf(instance, paths_, secrets_);
    if (!layout) return failStep(instance, ctx, layout.error(), kFailed);
    if (auto stopped = engine_.stop(*layout); !stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    if (auto moved = moveData(single, paths_.nodeDir(instance, "a") / "pgdata"); !moved) {
      return failStep(instance, ctx, moved.error(), kFailed);
    }
    instance.state["Nodes"] = instance.state["PendingNodes"];
    instance.state["Primary"] = "a";
    instance.state["EventedPrimary"] = "a";
    instance.state["StandbyReady"] = false;
    instance.state.erase("PendingNodes");
    return StepOutcome::progress();
  }
  if (on) {
    // Phase 2: node a starts on its port, the standby is built, the proxy
    // takes the endpoint port.
    auto layout = layoutOf(instance, paths_, secrets_);
    if (!layout) return failStep(instance, ctx, layout.error(), kFailed);
    if (auto started = engine_.start(*layout); !started) return failStep(instance, ctx, started.error(), kFailed);
    if (auto ready = multiAz_.ensureStandby(instance); !ready) return failStep(instance, ctx, ready.error(), kFailed);
    if (auto routed = multiAz_.route(instance); !routed) return failStep(instance, ctx, routed.error(), kFailed);
    ctx.emitEvent("Finished applying modification to convert to a Multi-AZ DB Instance", {"configuration change"});
  } else if (isMultiAz(instance)) {
    // Off, phase 1: both nodes stop, the endpoint port is freed, and the
    // primary's data becomes the instance's own.
    std::string primary = primaryNode(instance);
    if (auto stopped = multiAz_.stopBoth(instance); !stopped) return failStep(instance, ctx, stopped.error(), kFailed);
    multiAz_.forget(instance);
    if (auto moved = moveData(paths_.nodeDir(instance, primary) / "pgdata", single); !moved) {
      return failStep(instance, ctx, moved.error(), kFailed);
    }
    std::error_code ec;
    for (const char* node : {"a", "b"}) {
      ports_.release(instance.state["Nodes"][node].value("Port", 0));
      fs::remove_all(paths_.nodeDir(instance, node), ec);
    }
    for (const char* key : {"Nodes", "Primary", "StandbyReady", "EventedPrimary"}) instance.state.erase(key);
    return StepOutcome::progress();
  } else {
    // Off, phase 2: the engine runs on a port of its own again, behind the
    // endpoint (an instance converted before Kura had a proxy for Single-AZ
    // ones: on the endpoint port itself).
    auto layout = layoutOf(instance, paths_, secrets_);
    if (!layout) return failStep(instance, ctx, layout.error(), kFailed);
    if (auto started = engine_.start(*layout); !started) return failStep(instance, ctx, started.error(), kFailed);
    if (isBehindProxy(instance)) {
      if (auto routed = multiAz_.route(instance); !routed) return failStep(instance, ctx, routed.error(), kFailed);
    }
    ctx.emitEvent("Finished applying modification to convert to a standard (Single-AZ) DB Instance",
                  {"configuration change"});
  }
  instance.state.erase("MultiAzConversion");
  instance.state.erase("Attempts");
  instance.state.erase("LastError");
  noteStarted(instance);
  instance.status = kAvailable;
  return StepOutcome::done();
}

}  // namespace kura::rds
