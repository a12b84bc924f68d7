#include "cache/step_failure.h"

#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

constexpr int kMaxStartAttempts = 5;

}  // namespace

StepOutcome failStep(Resource& resource, ReconcileContext& ctx, const ApiError& error, const char* status,
                     const char* noun) {
  ctx.note(error.message);
  resource.state["LastError"] = error.message;
  bool restore = std::string(status) == elasticache::kRestoreFailed;
  // A restore's tries are counted apart from the start's: neither uses up
  // the other's.
  const char* counter = restore ? "RestoreAttempts" : "Attempts";
  int attempts = resource.state.value(counter, 0) + 1;
  resource.state[counter] = attempts;
  // A restore the snapshot itself refuses (no image, a key that cannot
  // open it) fails at once; one cut short by the host (a loading node that
  // did not start, a copy that broke off) is tried again as a start is:
  // every try begins from the snapshot's files anew.
  bool retried = !restore || error.httpStatus >= 500;
  if (retried && attempts < kMaxStartAttempts) return StepOutcome::retryAfter(std::chrono::milliseconds(500 * attempts));
  resource.status = status;
  ctx.emitEvent((restore ? std::string("Restore from snapshot failed: ") : std::string(noun) + " failed: ") +
                    error.message,
                {"failure"});
  return StepOutcome::failed();
}

}  // namespace kura::cache
