#include "check/rule_result.h"

namespace kura::check {

std::string_view outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::Passed:
      return "passed";
    case Outcome::Failed:
      return "failed";
    case Outcome::NotCheckable:
      return "not checkable";
    case Outcome::Suppressed:
      return "suppressed";
  }
  return "not checkable";
}

}  // namespace kura::check
