#pragma once
// A controller for tests of the reconciler and of crash recovery: kind
// "test-sleeper", goal "available". It walks
//   creating -> step-1 -> step-2 -> step-3 -> available
// and each step sleeps spec["stepMillis"] ms, then writes the marker file
// <spec["dir"]>/<next status>.done and appends the status to
// <spec["dir"]>/steps.log. A step that finds its marker already there (the
// server died after the work but before the catalog recorded it) moves on
// without sleeping or logging, so after any number of crashes steps.log
// names each completed step once. A stopping reconciler cuts the sleep short
// and the step is done again at the next start.
//
// Goal "deleted": the sleeper is removed from the catalog at once (its
// directory is the test's to clean up).
//
// The server exposes this kind only when started with its test flag.
#include <string>

#include "reconcile/controller.h"

namespace kura {

class SleeperController final : public Controller {
 public:
  static constexpr const char* kKind = "test-sleeper";

  std::string kind() const override { return kKind; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override;
};

}  // namespace kura
