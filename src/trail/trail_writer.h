#pragma once
// Appends CloudTrail events to the hash-chained log and seals the files
// written since the last digest with a signed digest, every `digestInterval`
// and at shutdown. On open it repairs a torn last line (a record whose call
// was never answered) and seals what an earlier run left unsealed.
//
// A call that changed something has its record (with the records queued
// before it) written and synced (fdatasync) before it is answered: a
// power loss loses no record of a change that was answered. Group commit:
// whoever takes the queue writes it in one write(2) and syncs it once, and
// the callers whose records it took, waiting meanwhile for the writing
// lock, find them settled and return. Calls that changed nothing
// (read-only ones, and errors) only queue theirs: a writer thread chains
// and writes the queue every `flushInterval`, or the next change does, and
// syncs it at most once a second (`readSyncInterval`; syncing every batch
// of reads cost a quarter of the throughput of a signed no-op), or the
// next change does. A crash of the server loses at most `flushInterval` of
// them, a power loss at most `readSyncInterval`; never a change, and the
// chain stays whole.
//
// Within a call's DeferredSyncs scope (common/deferred_syncs.h) a change's
// record is only queued: a sync thread (recordSync_, group commit) takes
// the queue, writes it and syncs it, and the call waits for that beside
// its other syncs, or is called back once it has ended; the caller's
// thread never writes nor syncs the trail itself.
//
// When the store the call changed can carry the record in its own log
// (common/trail_carrier.h: the DynamoDB store's WAL), it does: the call's
// one sync of that log covers its change and its record, and the record is
// queued as a read's is (written within `flushInterval`, synced within
// `readSyncInterval`); after each sync of the trail (and the last one, at
// stop) the carriers are told which of theirs it covered, and drop them.
// A carried record the trail cannot write is not counted in a gap record:
// the carrier keeps it and the trail writes it once it can (or the next
// start does). At start-up the store hands back what it still holds (a
// crash came first), and appendMissing() appends, synced, the records the
// trail's files lack, reading the files from each record's horizon on.
//
// Retention: every hour, digests older than `retention` are deleted with
// the log files they seal, oldest first (never the newest digest). A signed
// mark (trail/pruned.json) written before the deletion names the last
// digest deleted, its hash, and the last record it sealed, so that the
// verifier starts the chains there and still finds any other file missing.
//
// A full disk: a batch whose write fails is cut back from the file (the
// chain and the file stay as they were before it) and its records are
// counted as lost. The first write that succeeds afterwards starts with a
// gap record (trail_format.h): how many records were lost, between which
// times, and why, signed with the digest key and chained like any record,
// so that `kura trail verify` reports an outage, not tampering. A digest is
// renamed into place only once it is wholly written and synced; files a
// failed seal did not cover are sealed by the next one.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "common/clock.h"
#include "common/group_commit.h"
#include "common/trail_carrier.h"
#include "trail/digest_signer.h"

namespace kura {

struct TrailOptions {
  std::filesystem::path dir;  // <data-dir>/trail
  std::chrono::seconds digestInterval{60};
  size_t maxFileBytes = 16 * 1024 * 1024;
  std::chrono::milliseconds flushInterval{20};
  std::chrono::milliseconds readSyncInterval{1000};
  std::chrono::seconds retention{0};  // 0: kept forever
};

class TrailWriter {
 public:
  static Result<std::unique_ptr<TrailWriter>> open(TrailOptions options, ClockPtr clock);
  ~TrailWriter();

  // Appends one event (JSON text on one line). `changed`: the call changed
  // something (written before this returns; throws if it cannot be).
  void appendText(std::string_view eventText, bool changed = true);
  void append(const nlohmann::json& event);
  // Writes what is buffered, and waits for what another thread has taken
  // from the queue and is writing (LookupEvents reads every call made
  // before it).
  // What the disk refuses is counted in the next gap record, not thrown.
  void flush();
  // Appends, written and synced, those of `records` (events a carrier
  // held at start-up) that the log files from their horizon on do not
  // hold (by eventID), except those whose horizon retention has pruned;
  // returns how many. Throws if the disk does not take them.
  size_t appendMissing(const std::vector<CarriedRecord>& records);
  // Seals every record written so far with a digest (no-op when none).
  void seal();
  // Deletes the digests older than the retention, and their log files.
  void prune();
  // Starts the thread that seals every digestInterval (and prunes every
  // hour); stop() seals and joins.
  void startSealing();
  void stop();
  // Told after each digest written: it seals every record written before
  // `takenAt`, and was written at `sealedAt`. Set before startSealing().
  void setSealObserver(std::function<void(SystemTime takenAt, SystemTime sealedAt)> observer) {
    sealObserver_ = std::move(observer);
  }

 private:
  // Events one after the other in one buffer, so that queueing an event
  // allocates nothing once the buffers have grown (and no event's memory is
  // freed by another thread than the one that took it).
  struct Carried {
    TrailCarrier* carrier = nullptr;
    uint64_t id = 0;
  };
  struct Batch {
    std::string text;
    std::vector<size_t> ends;  // where each event ends in text
    // The carried ones among them: (index in ends, carrier and id), in order.
    std::vector<std::pair<size_t, Carried>> carried;
    bool empty() const { return ends.empty(); }
    void clear() {
      text.clear();
      ends.clear();
      carried.clear();
    }
  };

  TrailWriter(TrailOptions options, ClockPtr clock, DigestSignerPtr signer);
  void startWriting();
  // Chains and writes records in order (mutex_ held: every taker of the
  // queue holds it from taking the queue until its batch is written).
  void writeBatchLocked(const Batch& batch);
  // Takes the queue into `batch` (mutex_ held); returns how many records
  // were ever queued, the last of them now in `batch`.
  uint64_t takeQueueLocked(Batch& batch);
  // Writes and syncs what takeQueueLocked took, then counts the records
  // through `through` as settled (mutex_ held). Throws if the disk refuses:
  // a write refused counts its records as lost (the gap record) and
  // settles them; a sync refused settles nothing (their callers retry it).
  // Without `sync` it only writes, and settles nothing: a change's caller
  // whose record it took syncs it itself.
  void writeAndSyncLocked(const Batch& batch, uint64_t through, bool sync = true);
  // fdatasync of what was written: the files a batch closed, the current
  // one, and the logs folder once a new file is in it (mutex_ held).
  void syncLocked();
  Result<bool> recover();
  // Seals with sealMutex_ held: takes the unsealed files under mutex_, then
  // syncs them and writes the digest without it.
  void sealHeld();
  void pruneHeld();
  void openFileLocked();

  struct PendingFile {
    std::string name;
    uint64_t firstSequence = 0, lastSequence = 0, records = 0;
    std::string previousHash, lastHash;
  };
  // Syncs the files and writes their digest; throws, changing nothing of
  // the digest chain, if the disk does not take it.
  void writeDigest(const std::vector<PendingFile>& files, SystemTime now);
  // Chains one record onto line_ and the current file's counts (mutex_ held).
  void chainLocked(std::string_view event);
  // Records that could not be written, for the gap record (mutex_ held).
  void loseLocked(uint64_t records, const std::string& reason);
  // Tells the carriers which of their records the sync that just ended
  // covered (mutex_ held).
  void settleCarriedLocked();
  // Writes again the carried records the disk refused (mutex_ held).
  void rewriteLostCarriedLocked();
  std::string gapEventLocked() const;

  TrailOptions options_;
  ClockPtr clock_;
  DigestSignerPtr signer_;
  std::mutex mutex_;
  int fd_ = -1;       // the current log file, opened to append (guarded by mutex_)
  std::vector<int> closing_;  // files full since the last sync: synced, then closed (guarded by mutex_)
  bool newFile_ = false;      // a file was created since the last sync (guarded by mutex_)
  // Records written and synced, or lost (written with mutex_ held; read
  // without it by the callers waiting for theirs).
  std::atomic<uint64_t> settled_{0};
  // A change's caller waits here until its record is settled, or until no
  // other caller is writing and syncing the queue: then it does, for all.
  // Waiters wake together (a condition variable), not one after the other
  // as each would take mutex_ in turn only to find its record settled.
  std::mutex settleMutex_;
  std::condition_variable settledChanged_;
  bool leading_ = false;  // a caller is writing and syncing (guarded by settleMutex_)
  std::string line_;  // the records being written (guarded by mutex_)
  std::string hashBefore_;  // the chain's end before the chunk being written (guarded by mutex_)
  size_t fileBytes_ = 0;  // what the current file holds, written whole
  uint64_t nextSequence_ = 1;
  std::string lastHash_;
  // Records lost since the last write that succeeded (guarded by mutex_).
  uint64_t lostRecords_ = 0;
  SystemTime firstLost_{}, lastLost_{};
  std::string lostReason_;
  // lostRecords_ > 0 or lostCarried_ not empty, read without mutex_.
  std::atomic<bool> gapPending_{false};
  // Carried records written since the last sync, and those the disk refused
  // (guarded by mutex_); carriersGone_: stop() has run, nobody is told.
  std::vector<Carried> writtenCarried_, lostCarried_;
  bool carriersGone_ = false;
  // The sequence the next record written will have at least: what a record
  // carried now is at, or after, once written (a carried record's horizon).
  std::atomic<uint64_t> horizon_{1};
  std::vector<PendingFile> unsealed_;  // files written since the last digest (guarded by mutex_)
  // One seal at a time; the digest chain below is the sealer's (guarded by
  // sealMutex_, taken before mutex_ when both are).
  std::mutex sealMutex_;
  uint64_t nextDigest_ = 1;
  std::string previousDigestFile_, previousDigestHash_;
  SystemTime lastSealTime_{};
  std::chrono::steady_clock::time_point lastPrune_{};
  // Records of calls that changed nothing, waiting for the writer thread.
  // Queueing takes queueMutex_ alone; taking the queue to write it takes
  // mutex_ first and holds it until the batch is written, so that flush()
  // also waits for a batch another thread has taken.
  std::mutex queueMutex_;
  std::condition_variable queued_;
  Batch queue_;  // guarded by queueMutex_, as are the three below
  uint64_t queuedRecords_ = 0;  // records ever queued: a change's ticket is its count
  bool writing_ = false, stopWriting_ = false;
  std::thread writer_;
  std::thread sealer_;
  std::condition_variable wake_;  // wakes the sealer (with sealMutex_)
  bool stopping_ = false;         // guarded by sealMutex_
  // Writes and syncs the queue for the changes deferred to a call's scope
  // (appendText). Last: its thread is joined before the rest goes.
  std::function<void(SystemTime, SystemTime)> sealObserver_;
  Batch recordBatch_;  // the sync thread's own (guarded by mutex_)
  GroupCommit recordSync_;
};

}  // namespace kura
