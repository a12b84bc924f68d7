#pragma once
// One sync for a change and its trail record: a store whose write-ahead log
// a call's change went to (the DynamoDB store) may also carry the call's
// trail record, in the same log, ahead of the sync the call waits for
// (common/deferred_syncs.h). The call then waits for that one sync; the
// trail writes the record to its own file later (within its flush
// interval) and syncs it within a second, then tells the carrier
// (settled), which drops its copy at once. A carrier that dies before that
// (SIGKILL, power loss) still holds the record: at its next start it hands
// what it holds to the trail (replayCarried), which appends the records its
// files do not hold.
//
// Each carried record keeps beside it its eventID and its horizon: the
// sequence number the trail's next record had when it was carried. The
// trail chains it later, so if its files hold it, it is at that sequence
// or after: at start the trail reads exactly the files from there on, not
// a guess of how far back to look. A horizon the trail's retention has
// pruned (at or below pruned.json's lastSequence) may have been written
// and deleted since: such a record is not appended again.
//
// A record the trail could not write (a full disk, an I/O error) is not
// settled: the carrier keeps it, the trail appends it (reading it back,
// carriedRecord) once it writes again, or the next start does.
//
// The records a carrier holds are plain text, not yet chained: they are
// what the trail's own unsynced, unsealed tail is, and no less exposed
// (the chain is a plain SHA-256 chain; only the digests are signed).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kura {

class TrailCarrier {
 public:
  virtual ~TrailCarrier() = default;
  // Writes `record` to the log whose sync the open DeferredSyncs scope
  // waits for, and makes sure that sync starts after it; returns the id
  // the carrier keeps it by, or 0 if it could not (the trail syncs the
  // record itself then).
  virtual uint64_t carry(std::string_view record, std::string_view eventId, uint64_t horizon) = 0;
  // The trail's file holds these records, synced: the copies go.
  virtual void settled(const std::vector<uint64_t>& ids) = 0;
  // A record still carried (for the trail to write it again), or none.
  virtual std::optional<std::string> carriedRecord(uint64_t id) = 0;
};

// A record a carrier still held at start-up.
struct CarriedRecord {
  std::string text;
  std::string eventId;   // empty: none found in the text
  uint64_t horizon = 0;  // the trail holds it, if at all, at this sequence or after (0: anywhere)
};

// The top-level eventID of a trail event's JSON text (trail_event.cpp
// writes it after requestParameters and responseElements, and only JSON
// strings follow it, in which a quote is escaped: found from the end, it
// is the event's own, not a name inside the parameters); empty if none.
std::string_view trailEventId(std::string_view event);

// Where a carrier hands the records it still held at start-up: the trail
// writer open in this process appends those its files do not hold, synced,
// and returns normally (throws if it cannot: the carrier keeps them).
using CarriedRecordSink = std::function<void(const std::vector<CarriedRecord>& records)>;
// The process's sink (the trail writer sets it when it opens, and clears it
// when it goes); null when none is open.
void setCarriedRecordSink(CarriedRecordSink sink);
CarriedRecordSink carriedRecordSink();

}  // namespace kura
