#include "main/trail_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "trail/trail_verifier.h"

namespace kura {

int runTrailVerify(const TrailVerifyArgs& args) {
  std::filesystem::path dir = args.dataDir / "trail";
  if (!std::filesystem::is_directory(dir)) {
    fmt::print(stderr, "no trail in {}\n", args.dataDir.string());
    return 2;
  }
  TrailVerifyOptions options;
  options.dir = dir;
  options.now = std::chrono::system_clock::now();
  if (args.requireSealed) options.unsealedGrace = std::chrono::seconds(-1);
  if (!args.publicKeyFile.empty()) {
    std::ifstream in(args.publicKeyFile);
    if (!in) {
      fmt::print(stderr, "cannot read {}\n", args.publicKeyFile.string());
      return 2;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    options.publicKeyPem = buffer.str();
  }
  auto started = std::chrono::steady_clock::now();
  // Progress on stderr: rewritten in place on a terminal (at most 5 times a
  // second), a line per tenth otherwise (--progress).
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  bool shown = false;
  auto lastShown = started - std::chrono::seconds(1);
  uint64_t lastTenth = 0;
  if (terminal || args.progress) {
    options.progress = [&](uint64_t done, uint64_t total) {
      auto now = std::chrono::steady_clock::now();
      uint64_t percent = total == 0 ? 100 : done * 100 / total;
      double elapsed = std::chrono::duration<double>(now - started).count();
      std::string line = fmt::format("verifying the trail: {:.1f} of {:.1f} MB ({}%), {:.1f} s", done / 1e6,
                                     total / 1e6, percent, elapsed);
      if (terminal) {
        if (done < total && now - lastShown < std::chrono::milliseconds(200)) return;
        fmt::print(stderr, "\r{}", line);
      } else {
        if (percent / 10 <= lastTenth && done < total) return;
        lastTenth = percent / 10;
        fmt::print(stderr, "{}\n", line);
      }
      std::fflush(stderr);
      lastShown = now;
      shown = true;
    };
  }
  TrailReport report = verifyTrail(options);
  if (shown && terminal) fmt::print(stderr, "\n");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const TrailFinding& finding : report.findings) {
    fmt::print("{}: {}: {}\n", finding.kind, finding.file, finding.detail);
  }
  // Outages the trail recorded itself (signed gap records): not findings.
  for (const TrailGap& gap : report.gaps) {
    fmt::print("gap: {} records lost between {} and {}: {} (gap record {} in {})\n", gap.records, gap.firstLostTime,
               gap.lastLostTime, gap.reason, gap.sequence, gap.file);
  }
  for (const std::string& name : report.unsealed) {
    fmt::print("note: {} is not sealed by a digest yet (the server seals it within its digest interval)\n", name);
  }
  if (report.prunedThrough > 0) {
    fmt::print("note: records 1 to {} were deleted by the trail's retention (signed mark pruned.json)\n",
               report.prunedThrough);
  }
  fmt::print("{} log files, {} records, {} digests, {} bytes verified in {:.3f} s ({:.1f} MB/s): {}\n",
             report.files, report.records, report.digests, report.bytes, seconds,
             seconds > 0 ? static_cast<double>(report.bytes) / 1e6 / seconds : 0.0,
             !report.findings.empty() ? fmt::format("{} findings", report.findings.size())
             : report.gaps.empty()     ? std::string("intact")
                                       : fmt::format("intact, with {} gaps (records lost to an outage, not tampering)",
                                                     report.gaps.size()));
  return report.findings.empty() ? 0 : 1;
}

}  // namespace kura
