#pragma once
// How a cache controller's step fails: a server that does not start may be
// waiting on something passing, so that is tried a few times (with backoff)
// before the resource settles in `failed`; a restore the snapshot refuses
// settles in `restore-failed` at once, one the host cut short (an internal
// error) is tried again first. Either way with an event.
#include "common/api_error.h"
#include "reconcile/controller.h"

namespace kura::cache {

// `noun`: how events name the resource ("Cache cluster", "Replication group").
StepOutcome failStep(Resource& resource, ReconcileContext& ctx, const ApiError& error, const char* status,
                     const char* noun);

}  // namespace kura::cache
