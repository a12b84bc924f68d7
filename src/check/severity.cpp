#include "check/severity.h"

namespace kura::check {

std::string_view severityName(Severity severity) {
  switch (severity) {
    case Severity::Low:
      return "low";
    case Severity::Medium:
      return "medium";
    case Severity::High:
      return "high";
    case Severity::Critical:
      return "critical";
  }
  return "low";
}

std::optional<Severity> parseSeverity(std::string_view name) {
  for (Severity severity : {Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    if (severityName(severity) == name) return severity;
  }
  return std::nullopt;
}

}  // namespace kura::check
