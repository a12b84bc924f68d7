#include "reconcile/controller.h"

namespace kura {

Controller::~Controller() = default;

const char* toString(StepOutcome::Kind kind) {
  switch (kind) {
    case StepOutcome::Kind::Progress:
      return "progress";
    case StepOutcome::Kind::Done:
      return "done";
    case StepOutcome::Kind::RetryAfter:
      return "retry-after";
    case StepOutcome::Kind::Failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace kura
