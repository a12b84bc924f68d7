#pragma once
// Multi-AZ instances: two nodes (node-a, node-b: separate data directories
// and internal ports, one per availability zone), the primary streaming to
// a synchronous standby, and the endpoint port owned by Kura's proxy, which
// forwards to the primary.
//
// A failover fences the old primary first (killed with everything it
// started, or stopped cleanly when planned), then promotes the standby and
// re-points the endpoint; the old node is rebuilt as the new standby from
// the new primary, never started as a primary again.
#include <functional>
#include <optional>

#include "common/secret_box.h"
#include "proxy/endpoint_proxy.h"
#include "rds/instance_engine.h"
#include "rds/rds_layout.h"

namespace kura::rds {

class MultiAz {
 public:
  MultiAz(InstanceEngine& engine, const SecretBox& secrets, const RdsPaths& paths, EndpointProxies* proxies)
      : engine_(engine), secrets_(secrets), paths_(paths), proxies_(proxies) {}

  // Builds and starts the standby from the running primary when it is not
  // ready, then turns synchronous replication on. Sets state.StandbyReady.
  // `watchPrimary`: a watchdog fences a primary that hangs meanwhile (a
  // controller's step, which nothing else watches); the supervisor's own
  // copies go without, as its passes watch the primary themselves (two
  // fencing the same primary would kill the one the other restarted).
  // `reread`: the instance's record as it is now, under the builds' lock,
  // or nothing when the copy is no longer wanted (the supervisor's copies,
  // queued with a record that may be old by then); `instance` becomes it.
  using Reread = std::function<std::optional<Resource>()>;
  Result<bool> ensureStandby(Resource& instance, bool watchPrimary = true, const Reread& reread = {});
  // The endpoint forwards to the current primary.
  Result<bool> route(const Resource& instance);
  // Step 1 of a failover: the old primary can no longer answer (stopped when
  // planned, killed otherwise); the record now names the other node primary.
  Result<bool> fenceAndSwitch(Resource& instance, bool planned);
  // Step 2: the new primary is promoted and the endpoint points at it.
  // `settle`: its settings follow the record (without a ready standby,
  // commits do not wait for one); false while a copy of its standby runs,
  // which turns synchronous replication on itself once the standby streams.
  Result<bool> promoteAndRoute(const Resource& instance, bool settle = true);
  Result<bool> stopBoth(const Resource& instance);
  Result<bool> startStandby(const Resource& instance);
  // A system update's first step: the ready standby restarts (on the
  // executable installed now) under the lock its builds take, commits
  // waiting meanwhile as they wait for it, and is ready again once it
  // streams synchronously. A standby not ready is left to ensureStandby
  // (which builds it on the installed executable). If it does not start
  // (an error) or stream again, commits stop waiting for it and it is
  // left not ready, for ensureStandby to build again.
  Result<bool> restartStandby(Resource& instance);
  void forget(const Resource& instance);

 private:
  InstanceEngine& engine_;
  const SecretBox& secrets_;
  const RdsPaths& paths_;
  EndpointProxies* proxies_;
};

}  // namespace kura::rds
