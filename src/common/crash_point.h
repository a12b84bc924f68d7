#pragma once
// Test-only crash points, for Kura's own crash tests: a step that must be
// safe against a SIGKILL between two writes names the moment with
// crashPoint("name"), and a server started with --enable-test-controllers
// and KURA_CRASH_AT=name (several: comma-separated) dies there by SIGKILL,
// exactly as a kill at that moment would leave it. Without them armed (any
// production server) a crash point costs one load of an empty string.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace kura {

namespace crash_point_detail {
inline std::string& armed() {
  static std::string names;  // ",a,b," (set once at start, before any thread)
  return names;
}
}  // namespace crash_point_detail

// Arms the comma-separated `names` (empty: none). Call before threads start.
inline void armCrashPoints(std::string_view names) {
  crash_point_detail::armed() = names.empty() ? std::string() : "," + std::string(names) + ",";
}

inline void crashPoint(std::string_view name) {
  const std::string& armed = crash_point_detail::armed();
  if (armed.empty() || armed.find("," + std::string(name) + ",") == std::string::npos) return;
  spdlog::warn("msg=\"crash point reached: killed by SIGKILL\" crash_point={}", name);
  spdlog::default_logger()->flush();
  ::raise(SIGKILL);
}

}  // namespace kura
