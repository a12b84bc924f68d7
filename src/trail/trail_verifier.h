#pragma once
// Verifies a trail directory as `aws cloudtrail validate-logs` does for AWS:
// every digest's signature and its link to the previous digest, every log
// file against its digest, and every record's hash chain. Reports modified,
// deleted, inserted and reordered records, deleted files, and missing
// digests. Gap records (trail_format.h) whose signature verifies are
// reported as gaps, not findings; one whose signature does not is a
// finding (forged-gap).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace kura {

struct TrailFinding {
  std::string kind;  // modified-record, missing-records, out-of-order, deleted-file, missing-digest, ...
  std::string file;
  std::string detail;
};

// Records the writer could not write (a full disk), as its signed gap
// record says: an outage, not tampering.
struct TrailGap {
  std::string file;
  uint64_t sequence = 0;  // the gap record's
  uint64_t records = 0;   // how many were lost
  std::string firstLostTime, lastLostTime, reason;
};

struct TrailReport {
  std::vector<TrailFinding> findings;
  std::vector<TrailGap> gaps;
  uint64_t files = 0, records = 0, digests = 0, bytes = 0;
  std::vector<std::string> unsealed;  // newest files not yet sealed (within the grace period)
  uint64_t prunedThrough = 0;         // the last record retention deleted (0: none)
};

struct TrailVerifyOptions {
  std::filesystem::path dir;             // <data-dir>/trail
  std::optional<std::string> publicKeyPem;  // pin the key; default: the one in dir
  SystemTime now{};
  std::chrono::seconds unsealedGrace{180};  // newest files younger than this may be unsealed
  // Told after each log file is read: the bytes read so far and in all.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

TrailReport verifyTrail(const TrailVerifyOptions& options);

}  // namespace kura
