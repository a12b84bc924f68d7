#pragma once
// One sync for a change and its trail record: a store whose write-ahead log
// a call's change went to (the DynamoDB store) may also carry the call's
// trail record, in the same log, ahead of the sync the call waits for
// (common/deferred_syncs.h). The call then waits for that one sync; the
// trail writes the record to its own file later (within its flush
// interval) and syncs it within a second, after which the carrier drops
// its copy. A carrier that dies before that (SIGKILL, power loss) still
// holds the record: at its next start it hands what it holds to the trail
// (replayCarried), which appends the records its files do not hold.
//
// The records a carrier holds are plain text, not yet chained: they are
// what the trail's own unsynced, unsealed tail is, and no less exposed
// (the chain is a plain SHA-256 chain; only the digests are signed).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kura {

class TrailCarrier {
 public:
  virtual ~TrailCarrier() = default;
  // Writes `record` to the log whose sync the open DeferredSyncs scope
  // waits for, and makes sure that sync starts after it. `ticket` is the
  // record's place in the trail's queue; the trail's records through
  // `settledThrough` are in its own file, synced, and the carrier may drop
  // its copies of them. False if it could not (the trail syncs the record
  // itself then).
  virtual bool carry(std::string_view record, uint64_t ticket, uint64_t settledThrough) = 0;
};

// Where a carrier hands the records it still held at start-up: the trail
// writer open in this process appends those its files do not hold, synced,
// and returns normally (throws if it cannot: the carrier keeps them).
using CarriedRecordSink = std::function<void(const std::vector<std::string>& records)>;
// The process's sink (the trail writer sets it when it opens, and clears it
// when it goes); null when none is open.
void setCarriedRecordSink(CarriedRecordSink sink);
CarriedRecordSink carriedRecordSink();

}  // namespace kura
