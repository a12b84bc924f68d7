#include "trail/trail_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <exception>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>
#include <system_error>

#include "common/crypto.h"
#include "common/deferred_syncs.h"
#include "common/store_health.h"
#include "common/trail_carrier.h"
#include "common/time_format.h"
#include "trail/trail_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// Syncs a file or directory; throws if the disk does not take it.
void fsyncPath(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.filename().string());
  int synced = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (synced != 0) throw std::system_error(error, std::generic_category(), "cannot sync " + path.filename().string());
}

// Writes all of `text`; false (errno set) if the disk refused part of it.
bool writeAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      if (written == 0) errno = ENOSPC;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// Writes via a temporary file and rename, so a digest is whole or absent:
// it is renamed into place only once written whole and synced.
void writeDurably(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + tmp.filename().string());
  bool written = writeAll(fd, text) && ::fsync(fd) == 0;
  int error = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    error = errno;
  }
  if (!written) {
    ::unlink(tmp.c_str());
    throw std::system_error(error, std::generic_category(), "cannot write " + path.filename().string());
  }
  fs::rename(tmp, path);
  fsyncPath(path.parent_path());
}

// "no space left on device": errno's text as the gap record gives it.
std::string reasonOf(int error) {
  std::string text = std::generic_category().message(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

TrailWriter::TrailWriter(TrailOptions options, ClockPtr clock, DigestSignerPtr signer)
    : options_(std::move(options)), clock_(std::move(clock)), signer_(std::move(signer)),
      lastHash_(trail::kGenesisHash),
      recordSync_([this] {
        // What is queued, this call's record with it (or written already by
        // the writer thread, unsynced): written, then synced. A failure
        // throws; GroupCommit makes it the error of the calls it covers.
        std::lock_guard writing(mutex_);
        if (recordBatch_.text.capacity() > (1u << 20)) recordBatch_ = Batch{};
        recordBatch_.clear();
        uint64_t through = takeQueueLocked(recordBatch_);
        writeAndSyncLocked(recordBatch_, through);
        return std::string();
      }) {}

Result<std::unique_ptr<TrailWriter>> TrailWriter::open(TrailOptions options, ClockPtr clock) {
  std::error_code ec;
  fs::create_directories(options.dir / "logs", ec);
  fs::create_directories(options.dir / "digests", ec);
  if (ec) return ApiError::internal("cannot create the trail directory " + options.dir.string());
  auto signer = DigestSigner::openOrCreate(options.dir);
  if (!signer) return signer.error();
  std::unique_ptr<TrailWriter> writer(new TrailWriter(std::move(options), std::move(clock), *signer));
  auto recovered = writer->recover();
  if (!recovered) return recovered.error();
  try {
    writer->prune();
  } catch (const std::exception& error) {
    // A full disk: the hourly pass prunes later.
    spdlog::warn("msg=\"trail: cannot prune at start\" error=\"{}\"", error.what());
  }
  writer->startWriting();
  // Records a store's log still held after a crash are appended here.
  setCarriedRecordSink([raw = writer.get()](const std::vector<CarriedRecord>& records) {
    size_t added = raw->appendMissing(records);
    spdlog::info("msg=\"trail: records a store carried before a stop are in the trail\" carried={} appended={}",
                 records.size(), added);
  });
  return writer;
}

TrailWriter::~TrailWriter() { stop(); }

Result<bool> TrailWriter::recover() {
  // A digest a failed seal left half-written was never renamed into place.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir / "digests", ec)) {
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);
  }
  auto digests = trail::listTrailFiles(options_.dir / "digests", ".json");
  std::set<std::string> sealed;
  // What retention deleted: the chains go on from there.
  Json mark = Json::parse(trail::readTrailFile(options_.dir / trail::kPrunedMark), nullptr, false);
  if (mark.is_object()) {
    nextDigest_ = mark.value("throughDigestSequence", uint64_t{0}) + 1;
    previousDigestFile_ = mark.value("throughDigestFile", "");
    previousDigestHash_ = mark.value("throughDigestHash", "");
    nextSequence_ = mark.value("lastSequence", uint64_t{0}) + 1;
    lastHash_ = mark.value("lastHash", std::string(trail::kGenesisHash));
  }
  if (!digests.empty()) {
    const fs::path& last = digests.rbegin()->second;
    std::string text = trail::readTrailFile(last);
    Json digest = Json::parse(text, nullptr, false);
    if (digest.is_discarded()) {
      // Kura before 2026-12 renamed a digest into place unwritten on a full
      // disk. Refusing to start would keep the server down over it: the
      // chain goes on after it, `kura trail verify` reports it, and the
      // files it claimed to seal are sealed again by the next digest.
      spdlog::error("msg=\"trail: the newest digest is unreadable; kura trail verify reports it\" file={}",
                    last.filename().string());
    }
    nextDigest_ = digests.rbegin()->first + 1;
    previousDigestFile_ = last.filename().string();
    previousDigestHash_ = sha256Hex(text);
    for (const auto& [sequence, path] : digests) {
      Json d = Json::parse(trail::readTrailFile(path), nullptr, false);
      if (d.is_discarded()) continue;
      for (const auto& file : d.value("logFiles", Json::array())) sealed.insert(file.value("file", ""));
    }
  }
  for (const auto& [first, path] : trail::listTrailFiles(options_.dir / "logs", ".log")) {
    if (first < nextSequence_ && mark.is_object()) continue;  // left by a crash during pruning
    std::string text = trail::readTrailFile(path);
    // A torn last line is a record whose call was never answered: drop it.
    size_t end = text.rfind('\n');
    size_t keep = end == std::string::npos ? 0 : end + 1;
    if (keep != text.size()) {
      spdlog::warn("msg=\"trail: dropping a torn record\" file={}", path.filename().string());
      fs::resize_file(path, keep);
      text.resize(keep);
    }
    PendingFile pending;
    pending.name = path.filename().string();
    pending.previousHash = lastHash_;
    std::string_view rest(text);
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      auto record = trail::parseRecord(rest.substr(0, newline));
      rest.remove_prefix(newline + 1);
      if (!record) continue;
      if (pending.records == 0) pending.firstSequence = record->sequence;
      pending.lastSequence = record->sequence;
      pending.records++;
      lastHash_ = std::string(record->hash);
      nextSequence_ = record->sequence + 1;
    }
    pending.lastHash = lastHash_;
    if (pending.records > 0 && sealed.count(pending.name) == 0) unsealed_.push_back(pending);
    if (pending.records == 0) fs::remove(path);
  }
  horizon_ = nextSequence_;
  // What an earlier run wrote but did not seal is sealed now, or by the
  // sealer once the disk takes it: a full disk does not keep Kura down.
  try {
    seal();
  } catch (const std::exception& error) {
    spdlog::warn("msg=\"trail: cannot seal at start\" error=\"{}\"", error.what());
  }
  return true;
}

void TrailWriter::openFileLocked() {
  fs::path path = options_.dir / "logs" / trail::logFileName(nextSequence_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open trail file " + path.string());
  // Named by its first record's sequence: a file left empty by a failed
  // write is this one (a torn record was cut from it at once).
  struct stat status {};
  fileBytes_ = ::fstat(fd_, &status) == 0 ? static_cast<size_t>(status.st_size) : 0;
  if (fileBytes_ == 0) newFile_ = true;
  if (!unsealed_.empty() && unsealed_.back().name == path.filename().string()) return;
  PendingFile pending;
  pending.name = path.filename().string();
  pending.firstSequence = nextSequence_;
  pending.previousHash = lastHash_;
  unsealed_.push_back(pending);
}

void TrailWriter::append(const Json& event) {
  appendText(event.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void TrailWriter::appendText(std::string_view text, bool changed) {
  // The thread's own batch, swapped with the queue to write it; its buffers
  // are kept for the next time (emptied then), but not after a burst.
  thread_local Batch batch;
  uint64_t ticket = 0;
  DeferredSyncs* deferred = changed ? DeferredSyncs::current() : nullptr;
  TrailCarrier* carrier = deferred != nullptr ? deferred->carrier() : nullptr;
  // A change's record carried in the log of the store it changed: that
  // log's sync, which the call waits for, covers it; the writer thread
  // writes it here as a read's (trail_carrier.h), and tells the carrier
  // once it has synced it. (Carried first: once queued, it may be written
  // at once. Stopping, it may stay queued: the carrier keeps it then, and
  // the next start appends it.)
  uint64_t carriedId = carrier != nullptr ? carrier->carry(text, trailEventId(text), horizon_.load()) : 0;
  {
    std::lock_guard lock(queueMutex_);
    queue_.text.append(text);
    queue_.ends.push_back(queue_.text.size());
    ticket = ++queuedRecords_;
    if (carriedId != 0) {
      queue_.carried.push_back({queue_.ends.size() - 1, Carried{carrier, carriedId}});
      return;
    }
    // The writer thread writes and syncs it within flushInterval.
    if (!changed && writing_) return;
  }
  if (deferred != nullptr) {
    // The call waits for the sync of its record beside its other syncs
    // (the record is in the queue the sync takes). A trail that cannot be
    // synced does not fail the call (as below: the caller logs it).
    deferred->defer(recordSync_, recordSync_.start(), [](const std::string& error) {
      spdlog::error("msg=\"cannot record the call in the trail\" error=\"{}\"", error);
      return std::string();
    });
    return;
  }
  // A change is on disk before the call is answered: one caller at a time
  // takes the queue, this record with it, and writes and syncs it (group
  // commit: while one caller syncs, the others queue theirs and wait, and
  // the next leader does all of theirs at once). A sync that fails settles
  // nothing: its waiters lead again, and the error is the leader's.
  for (;;) {
    {
      std::unique_lock waiting(settleMutex_);
      settledChanged_.wait(waiting, [&] { return settled_.load() >= ticket || !leading_; });
      if (settled_.load() >= ticket) return;  // another caller wrote and synced it
      leading_ = true;
    }
    std::exception_ptr failure;
    try {
      std::lock_guard writing(mutex_);
      if (settled_.load() < ticket) {  // the writer thread may have settled it meanwhile
        if (batch.text.capacity() > (1u << 20)) batch = Batch{};
        batch.clear();  // what it held was written (or failed to be) last time
        uint64_t through = takeQueueLocked(batch);
        writeAndSyncLocked(batch, through);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    {
      std::lock_guard waiting(settleMutex_);
      leading_ = false;
    }
    settledChanged_.notify_all();
    if (failure) std::rethrow_exception(failure);
  }
}

uint64_t TrailWriter::takeQueueLocked(Batch& batch) {
  std::lock_guard lock(queueMutex_);
  std::swap(batch, queue_);
  return queuedRecords_;
}

void TrailWriter::writeAndSyncLocked(const Batch& batch, uint64_t through, bool sync) {
  try {
    if (!batch.empty() || gapPending_) writeBatchLocked(batch);  // a gap waiting for room is written too
    if (!lostCarried_.empty()) rewriteLostCarriedLocked();
  } catch (const std::exception&) {
    // Lost, and counted in the next gap record (a carried record is kept
    // by its carrier and written again instead).
    settled_.store(std::max(settled_.load(), through));
    throw;
  }
  if (!sync) return;
  try {
    syncLocked();
  } catch (const std::exception&) {
    // A failed sync proves nothing of what it covered, nor does a later one
    // (the kernel may have dropped the pages): the carriers keep those
    // records, and the next start appends the ones the trail lacks.
    writtenCarried_.clear();
    throw;
  }
  settled_.store(std::max(settled_.load(), through));
  settleCarriedLocked();
}

void TrailWriter::settleCarriedLocked() {
  if (writtenCarried_.empty()) return;
  if (!carriersGone_) {
    // Nearly always one carrier (the DynamoDB store): one call for all.
    std::vector<uint64_t> ids;
    ids.reserve(writtenCarried_.size());
    for (size_t i = 0; i < writtenCarried_.size();) {
      TrailCarrier* carrier = writtenCarried_[i].carrier;
      ids.clear();
      for (; i < writtenCarried_.size() && writtenCarried_[i].carrier == carrier; ++i) ids.push_back(writtenCarried_[i].id);
      carrier->settled(ids);
    }
  }
  writtenCarried_.clear();
}

void TrailWriter::rewriteLostCarriedLocked() {
  Batch again;
  std::vector<Carried> lost;
  lost.swap(lostCarried_);
  for (const Carried& each : lost) {
    std::optional<std::string> text = carriersGone_ ? std::nullopt : each.carrier->carriedRecord(each.id);
    if (!text) continue;  // the carrier has it no more
    again.text += *text;
    again.ends.push_back(again.text.size());
    again.carried.push_back({again.ends.size() - 1, each});
  }
  if (!again.empty()) {
    spdlog::info("msg=\"trail: writing the carried records the disk refused\" records={}", again.ends.size());
    writeBatchLocked(again);  // refused again: back in lostCarried_
  }
  if (lostRecords_ == 0 && lostCarried_.empty()) gapPending_ = false;
}

void TrailWriter::syncLocked() {
  // Files closed full by the batch first: their records come before the
  // current file's.
  while (!closing_.empty()) {
    int fd = closing_.front();
    if (::fdatasync(fd) != 0) {
      throw std::system_error(errno, std::generic_category(), "cannot sync the trail");
    }
    ::close(fd);
    closing_.erase(closing_.begin());
  }
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot sync the trail");
  }
  if (newFile_) {
    // A new file's name is on disk too, or its records would be lost with it.
    fsyncPath(options_.dir / "logs");
    newFile_ = false;
  }
}

void TrailWriter::flush() {
  // Whoever took the queue before this (the writer thread, a change) holds
  // mutex_ until its batch is written: once this has it, every record
  // queued before this call is written, or counted as lost.
  std::lock_guard writing(mutex_);
  Batch batch;
  uint64_t through = takeQueueLocked(batch);
  try {
    // Written, not synced: a reader of the trail reads the kernel's pages
    // (a change's caller whose record this takes syncs it itself).
    writeAndSyncLocked(batch, through, /*sync=*/false);
  } catch (const std::exception&) {
    // Counted in the next gap record: a read (LookupEvents) is not failed
    // for records the disk did not take.
  }
}

size_t TrailWriter::appendMissing(const std::vector<CarriedRecord>& records) {
  if (records.empty()) return 0;
  flush();  // what this run queued is in the files
  // A carried record, if the trail wrote it, is at its horizon or after:
  // the files from the one holding the lowest horizon on are read, each
  // line's eventID looked up once (found from the end of the event).
  uint64_t horizon = UINT64_MAX;
  std::unordered_set<std::string_view> wanted;
  for (const CarriedRecord& record : records) {
    horizon = std::min(horizon, record.horizon);
    if (!record.eventId.empty()) wanted.insert(record.eventId);
  }
  std::unordered_set<std::string> found;
  auto files = trail::listTrailFiles(options_.dir / "logs", ".log");
  auto file = files.upper_bound(horizon);
  if (file != files.begin()) --file;
  for (; file != files.end() && found.size() < wanted.size(); ++file) {
    std::string text = trail::readTrailFile(file->second);
    std::string_view rest(text);
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      auto record = trail::parseRecord(line);
      if (!record || record->sequence < horizon) continue;
      std::string_view id = trailEventId(record->event);
      if (!id.empty() && wanted.count(id) != 0) found.emplace(id);
    }
  }
  // Retention deleted the files through the mark's lastSequence: a record
  // whose horizon is there may have been written and deleted since; it is
  // not appended again.
  std::optional<uint64_t> prunedThrough;
  Json mark = Json::parse(trail::readTrailFile(options_.dir / trail::kPrunedMark), nullptr, false);
  if (mark.is_object()) prunedThrough = mark.value("lastSequence", uint64_t{0});
  std::vector<const std::string*> missing;
  size_t pruned = 0;
  for (const CarriedRecord& record : records) {
    if (!record.eventId.empty() && found.count(record.eventId) != 0) continue;
    if (prunedThrough && record.horizon <= *prunedThrough) {
      pruned++;
      continue;
    }
    missing.push_back(&record.text);
  }
  if (pruned > 0) {
    spdlog::warn("msg=\"trail: carried records older than what retention deleted are not appended\" records={}",
                 pruned);
  }
  // Queued, then synced once with the last (a change's own sync takes the
  // whole queue): one sync for all, not one each.
  for (size_t i = 0; i < missing.size(); ++i) appendText(*missing[i], /*changed=*/i + 1 == missing.size());
  return missing.size();
}

void TrailWriter::chainLocked(std::string_view text) {
  uint64_t sequence = nextSequence_++;
  std::string hash = trail::recordHash(lastHash_, sequence, text);
  trail::appendRecord(line_, sequence, hash, text);
  lastHash_ = std::move(hash);
  PendingFile& current = unsealed_.back();
  current.lastSequence = sequence;
  current.records++;
  current.lastHash = lastHash_;
}

void TrailWriter::loseLocked(uint64_t records, const std::string& reason) {
  SystemTime now = clock_->now();
  if (!gapPending_) {
    firstLost_ = now;
    spdlog::error("msg=\"trail: cannot write; records are lost until the disk takes them (a gap record will say how "
                  "many)\" error=\"{}\"",
                  reason);
    StoreHealth::global().failing("trail", reason == "no space left on device" ? "disk full: trail"
                                                                               : "cannot write the trail: " + reason);
  }
  lostRecords_ += records;
  gapPending_ = true;
  lastLost_ = now;
  lostReason_ = reason;
}

std::string TrailWriter::gapEventLocked() const {
  Json gap = {{"records", lostRecords_},
              {"firstLostTime", formatIso8601(firstLost_)},
              {"lastLostTime", formatIso8601(lastLost_)},
              {"reason", lostReason_},
              {"recordedTime", formatIso8601(clock_->now())}};
  Json event = {{"kuraTrailGap", gap}, {"signature", base64Encode(signer_->sign(gap.dump()))}};
  return event.dump();  // keys sorted: it starts with trail::kGapEventPrefix
}

void TrailWriter::writeBatchLocked(const Batch& batch) {
  size_t count = batch.ends.size(), done = 0, begin = 0;
  size_t carriedAt = 0;  // batch.carried before this are written
  // An empty batch writes the gap record alone, if records were lost.
  while (done < count || lostRecords_ > 0) {
    // What the file and the chain were before this chunk: a chunk the disk
    // refuses is cut off and the chain goes on from here.
    // (Kept without allocating: this runs for every change.)
    size_t chunkStart = done;
    uint64_t sequenceBefore = nextSequence_;
    hashBefore_.assign(lastHash_);
    uint64_t fileLastBefore = 0, fileRecordsBefore = 0;
    bool opened = false;  // the current file's counts above are taken
    try {
      if (fd_ < 0) openFileLocked();
      fileLastBefore = unsealed_.back().lastSequence;
      fileRecordsBefore = unsealed_.back().records;
      opened = true;
      line_.clear();
      uint64_t gapRecords = lostRecords_;
      if (gapRecords > 0) chainLocked(gapEventLocked());
      // One write per chunk; a file is closed once it reaches maxFileBytes.
      while (done < count && fileBytes_ + line_.size() < options_.maxFileBytes) {
        size_t end = batch.ends[done];
        chainLocked(std::string_view(batch.text.data() + begin, end - begin));
        begin = end;
        ++done;
      }
      if (!writeAll(fd_, line_)) {
        int error = errno;
        // A torn record is cut at once (shrinking needs no space).
        if (::ftruncate(fd_, static_cast<off_t>(fileBytes_)) != 0) {
          ::close(fd_);
          fd_ = -1;
        }
        throw std::system_error(error, std::generic_category(), "cannot append to the trail");
      }
      fileBytes_ += line_.size();
      horizon_.store(nextSequence_);
      for (; carriedAt < batch.carried.size() && batch.carried[carriedAt].first < done; ++carriedAt) {
        writtenCarried_.push_back(batch.carried[carriedAt].second);
      }
      if (gapRecords > 0) {
        spdlog::warn("msg=\"trail: writing again; the records lost are recorded as a gap\" records={} from={} to={} "
                     "reason=\"{}\"",
                     gapRecords, formatIso8601(firstLost_), formatIso8601(lastLost_), lostReason_);
        lostRecords_ = 0;
      }
      if (gapPending_ && lostRecords_ == 0) {
        if (lostCarried_.empty()) gapPending_ = false;  // else once they are written again
        StoreHealth::global().recovered("trail");
      }
      if (fileBytes_ >= options_.maxFileBytes) {
        // Full: the next record opens a new file. This one is synced (then
        // closed) with the batch, by syncLocked.
        closing_.push_back(fd_);
        fd_ = -1;
      }
    } catch (const std::system_error& error) {
      nextSequence_ = sequenceBefore;
      lastHash_.assign(hashBefore_);
      if (opened) {
        PendingFile& current = unsealed_.back();
        current.lastSequence = fileLastBefore;
        current.records = fileRecordsBefore;
        current.lastHash = fileRecordsBefore > 0 ? hashBefore_ : std::string();
      }
      // Carried records are kept by their carriers and written again once
      // the disk takes them: not counted in the gap.
      size_t carriedLost = batch.carried.size() - carriedAt;
      for (; carriedAt < batch.carried.size(); ++carriedAt) lostCarried_.push_back(batch.carried[carriedAt].second);
      loseLocked(count - chunkStart - carriedLost, reasonOf(error.code().value()));
      throw;
    }
  }
}

void TrailWriter::startWriting() {
  {
    std::lock_guard lock(queueMutex_);
    writing_ = true;
  }
  writer_ = std::thread([this] {
    Batch batch;
    auto lastGapAttempt = std::chrono::steady_clock::time_point{};
    auto lastSync = std::chrono::steady_clock::now();
    bool unsynced = false;  // reads' records written and not synced yet
    for (;;) {
      bool due = false;  // readSyncInterval passed since the last sync
      {
        std::unique_lock lock(queueMutex_);
        queued_.wait_for(lock, options_.flushInterval, [this] { return stopWriting_; });
        if (stopWriting_) break;  // stop() flushes what is queued
        due = std::chrono::steady_clock::now() - lastSync >= options_.readSyncInterval;
        if (queue_.empty() && !gapPending_ && !(unsynced && due)) continue;
      }
      if (due) lastSync = std::chrono::steady_clock::now();
      try {
        // The queue is taken with mutex_ held until it is written: a
        // flush() (LookupEvents) that comes meanwhile waits for it.
        std::lock_guard writing(mutex_);
        uint64_t through = takeQueueLocked(batch);
        if (!batch.empty() || (unsynced && due && !gapPending_)) {
          // Reads' records are synced at most once per readSyncInterval
          // (a change's caller syncs what it finds written sooner).
          unsynced = !due;
          writeAndSyncLocked(batch, through, due);
        } else if (gapPending_ && std::chrono::steady_clock::now() - lastGapAttempt >= std::chrono::seconds(1)) {
          // Without calls, the gap is recorded once the disk takes it.
          lastGapAttempt = std::chrono::steady_clock::now();
          writeAndSyncLocked(batch, through);
        }
      } catch (const std::exception&) {
        // Counted as lost (loseLocked logs the start of an outage once).
      }
      batch.clear();
    }
    std::lock_guard lock(queueMutex_);
    writing_ = false;
  });
}

void TrailWriter::seal() {
  std::lock_guard sealing(sealMutex_);
  sealHeld();
}

void TrailWriter::sealHeld() {
  // The files are taken under the writers' lock (the current one is closed:
  // the next record opens a new file); the disk is waited for outside it,
  // so that calls are never held up by a digest's fsyncs.
  std::vector<PendingFile> files;
  SystemTime takenAt = clock_->now();
  {
    std::lock_guard lock(mutex_);
    if (!writtenCarried_.empty()) {
      // Carried records written and not synced yet: synced before their
      // files are closed (a later sync would not cover a closed file), and
      // their carriers told.
      try {
        syncLocked();
        settleCarriedLocked();
      } catch (const std::exception&) {
        writtenCarried_.clear();  // kept by their carriers, for the next start
      }
    }
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    // Left by a sync that failed: the digest syncs every file it names.
    for (int fd : closing_) ::close(fd);
    closing_.clear();
    // A file whose every write failed holds nothing: it goes.
    std::error_code ec;
    for (const PendingFile& f : unsealed_) {
      if (f.records == 0) fs::remove(options_.dir / "logs" / f.name, ec);
    }
    std::erase_if(unsealed_, [](const PendingFile& f) { return f.records == 0; });
    files.swap(unsealed_);
  }
  SystemTime now = clock_->now();
  if (files.empty()) {
    lastSealTime_ = now;
    return;
  }
  try {
    writeDigest(files, now);
    StoreHealth::global().recovered("trail digests");
    if (sealObserver_) sealObserver_(takenAt, now);
  } catch (const std::exception& error) {
    // Sealed by the next seal: they go back before any file opened since.
    {
      std::lock_guard lock(mutex_);
      unsealed_.insert(unsealed_.begin(), files.begin(), files.end());
    }
    std::string reason = describeStorageFailure(error.what());
    StoreHealth::global().failing("trail digests", reason == "no space left on device"
                                                       ? "disk full: trail digests"
                                                       : "cannot seal the trail: " + reason);
    throw;
  }
}

void TrailWriter::writeDigest(const std::vector<PendingFile>& files, SystemTime now) {
  // Every file a digest names is on disk before the digest is.
  for (const PendingFile& f : files) fsyncPath(options_.dir / "logs" / f.name);
  fsyncPath(options_.dir / "logs");
  Json list = Json::array();
  for (const PendingFile& f : files) {
    list.push_back({{"file", f.name},
                    {"firstSequence", f.firstSequence},
                    {"lastSequence", f.lastSequence},
                    {"records", f.records},
                    {"previousHash", f.previousHash},
                    {"lastHash", f.lastHash}});
  }
  Json digest = {{"digestSequence", nextDigest_},
                 {"digestStartTime", lastSealTime_ == SystemTime{} ? nullptr : Json(formatIso8601(lastSealTime_))},
                 {"digestEndTime", formatIso8601(now)},
                 {"previousDigestFile", previousDigestFile_.empty() ? nullptr : Json(previousDigestFile_)},
                 {"previousDigestHash", previousDigestHash_.empty() ? nullptr : Json(previousDigestHash_)},
                 {"publicKeyFingerprint", signer_->fingerprint()},
                 {"logFiles", list}};
  digest["signature"] = base64Encode(signer_->sign(digest.dump()));
  std::string text = digest.dump(2) + "\n";
  std::string name = trail::digestFileName(nextDigest_);
  writeDurably(options_.dir / "digests" / name, text);
  previousDigestFile_ = name;
  previousDigestHash_ = sha256Hex(text);
  nextDigest_++;
  lastSealTime_ = now;
}

void TrailWriter::prune() {
  std::lock_guard sealing(sealMutex_);
  pruneHeld();
}

void TrailWriter::pruneHeld() {
  lastPrune_ = std::chrono::steady_clock::now();
  if (options_.retention.count() <= 0) return;
  SystemTime cutoff = clock_->now() - options_.retention;
  auto digests = trail::listTrailFiles(options_.dir / "digests", ".json");
  if (digests.size() < 2) return;  // the newest digest stays
  digests.erase(std::prev(digests.end()));
  Json mark;
  std::vector<fs::path> doomed;
  for (const auto& [sequence, path] : digests) {
    std::string text = trail::readTrailFile(path);
    Json digest = Json::parse(text, nullptr, false);
    if (!digest.is_object()) break;
    auto end = parseTimestamp(digest.value("digestEndTime", ""));
    const Json& files = digest.value("logFiles", Json::array());
    if (!end || *end >= cutoff || files.empty()) break;
    mark = {{"throughDigestSequence", sequence},
            {"throughDigestFile", path.filename().string()},
            {"throughDigestHash", sha256Hex(text)},
            {"lastSequence", files.back().value("lastSequence", uint64_t{0})},
            {"lastHash", files.back().value("lastHash", "")},
            {"prunedAt", formatIso8601(clock_->now())},
            {"publicKeyFingerprint", signer_->fingerprint()}};
    for (const auto& file : files) doomed.push_back(options_.dir / "logs" / file.value("file", ""));
    doomed.push_back(path);
  }
  if (mark.is_null()) return;
  // The mark is on disk before anything goes: a crash between leaves files
  // the mark already covers, which the next pass deletes.
  mark["signature"] = base64Encode(signer_->sign(mark.dump()));
  writeDurably(options_.dir / trail::kPrunedMark, mark.dump(2) + "\n");
  std::error_code ec;
  for (const fs::path& path : doomed) fs::remove(path, ec);
  fsyncPath(options_.dir / "logs");
  fsyncPath(options_.dir / "digests");
  spdlog::info("msg=\"trail: deleted what is older than the retention\" through_digest={} files={}",
               mark["throughDigestSequence"].get<uint64_t>(), doomed.size());
}

void TrailWriter::startSealing() {
  sealer_ = std::thread([this] {
    std::unique_lock lock(sealMutex_);
    auto nextSeal = std::chrono::steady_clock::now() + options_.digestInterval;
    bool sealFailing = false;  // logged once an outage, not at every retry
    while (!stopping_) {
      wake_.wait_until(lock, nextSeal, [this] { return stopping_; });
      try {
        if (std::chrono::steady_clock::now() >= nextSeal) {
          // A seal that fails (a full disk) is retried a second later, not
          // at once: the loop spun on it.
          nextSeal = std::chrono::steady_clock::now() +
                     std::min<std::chrono::steady_clock::duration>(options_.digestInterval, std::chrono::seconds(1));
          try {
            sealHeld();
          } catch (const std::exception& error) {
            if (!sealFailing) spdlog::error("msg=\"trail: sealing failed; retried every second\" error=\"{}\"", error.what());
            sealFailing = true;
            continue;
          }
          if (sealFailing) spdlog::info("msg=\"trail: sealing again\"");
          sealFailing = false;
          nextSeal = std::chrono::steady_clock::now() + options_.digestInterval;
        }
        if (std::chrono::steady_clock::now() - lastPrune_ >= std::chrono::hours(1)) pruneHeld();
      } catch (const std::exception& error) {
        spdlog::error("msg=\"trail: pruning failed\" error=\"{}\"", error.what());
      }
    }
  });
}

void TrailWriter::stop() {
  setCarriedRecordSink({});
  {
    // What is queued is written first.
    std::lock_guard lock(queueMutex_);
    stopWriting_ = true;
  }
  queued_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard writing(mutex_);
    try {
      // What the writer thread had not taken yet, written and synced: the
      // carriers are told, and drop their copies.
      Batch batch;
      uint64_t through = takeQueueLocked(batch);
      writeAndSyncLocked(batch, through);
    } catch (const std::exception& error) {
      spdlog::error("msg=\"trail: cannot write\" error=\"{}\"", error.what());
    }
    if (!lostCarried_.empty() && !carriersGone_) {
      spdlog::warn("msg=\"trail: stopped with carried records the disk refused; their store keeps them for the next "
                   "start\" records={}",
                   lostCarried_.size());
    }
    // The carriers may go after this: they are told nothing more.
    carriersGone_ = true;
    writtenCarried_.clear();
    lostCarried_.clear();
  }
  {
    // The count of records lost lives in memory until a gap record holds
    // it: stopped before the disk took one, Kura says it here, the only
    // place left (the trail itself will not show the gap).
    std::lock_guard lock(mutex_);
    if (lostRecords_ > 0) {
      spdlog::error("msg=\"trail: stopped with records lost and no gap record written; kura trail verify will not "
                    "show this gap\" records={} first_lost={} last_lost={} reason=\"{}\"",
                    lostRecords_, formatIso8601(firstLost_), formatIso8601(lastLost_), lostReason_);
    }
  }
  {
    std::lock_guard lock(sealMutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (sealer_.joinable()) sealer_.join();
  try {
    seal();
  } catch (const std::exception& error) {
    spdlog::error("msg=\"trail: final seal failed\" error=\"{}\"", error.what());
  }
}

}  // namespace kura
