#include "main/health_report.h"

#include <sys/statvfs.h>

#include <nlohmann/json.hpp>

#include "common/store_health.h"

namespace kura {
namespace {

// Below this, the next write of some store will fail.
constexpr uint64_t kLowSpaceBytes = 1u << 20;

}  // namespace

std::string healthReport(const std::filesystem::path& dataDir) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& [store, reason] : StoreHealth::global().problems()) reasons.push_back(reason);
  struct statvfs fs {};
  if (::statvfs(dataDir.c_str(), &fs) == 0) {
    uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free < kLowSpaceBytes) {
      reasons.push_back("disk full: the data directory's file system has " + std::to_string(free) + " bytes free");
    }
  }
  nlohmann::json body = {{"status", reasons.empty() ? "ok" : "degraded"}, {"service", "kura"}};
  if (!reasons.empty()) body["reasons"] = reasons;
  return body.dump();
}

}  // namespace kura
