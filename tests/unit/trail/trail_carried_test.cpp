// Records a store carries for the trail (common/trail_carrier.h): the
// carrier is told once the trail has synced them (after each sync, and at
// stop), a record the disk refused is kept and written again instead of
// being counted in a gap, and at start the trail appends exactly the
// carried records its files lack, reading them from each record's horizon
// on (not a window of its newest bytes), and none retention has pruned.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "common/deferred_syncs.h"
#include "common/trail_carrier.h"
#include "trail/trail_format.h"
#include "trail/trail_verifier.h"
#include "trail/trail_writer.h"

namespace kura {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Keeps what it carries in memory, as the DynamoDB store keeps it in its WAL.
class MemoryCarrier : public TrailCarrier {
 public:
  uint64_t carry(std::string_view record, std::string_view eventId, uint64_t horizon) override {
    std::lock_guard lock(mutex_);
    uint64_t id = next_++;
    held_[id] = std::string(record);
    eventIds_.emplace_back(eventId);
    horizons_.push_back(horizon);
    return id;
  }
  void settled(const std::vector<uint64_t>& ids) override {
    std::lock_guard lock(mutex_);
    for (uint64_t id : ids) {
      EXPECT_EQ(held_.erase(id), 1u) << "settled twice, or never carried: " << id;
      settled_.insert(id);
    }
  }
  std::optional<std::string> carriedRecord(uint64_t id) override {
    std::lock_guard lock(mutex_);
    auto it = held_.find(id);
    if (it == held_.end()) return std::nullopt;
    return it->second;
  }
  size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  std::vector<std::string> eventIds() {
    std::lock_guard lock(mutex_);
    return eventIds_;
  }
  std::vector<uint64_t> horizons() {
    std::lock_guard lock(mutex_);
    return horizons_;
  }

 private:
  std::mutex mutex_;
  uint64_t next_ = 1;
  std::map<uint64_t, std::string> held_;
  std::set<uint64_t> settled_;
  std::vector<std::string> eventIds_;
  std::vector<uint64_t> horizons_;
};

class TrailCarriedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGXFSZ, SIG_IGN);
    dir_ = fs::temp_directory_path() / ("kura-trail-carried-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    roomAgain();
    fs::remove_all(dir_);
  }
  std::unique_ptr<TrailWriter> open(TrailOptions options) {
    options.dir = dir_;
    auto writer = TrailWriter::open(options, clock_);
    EXPECT_TRUE(writer.ok());
    return std::move(*writer);
  }
  static std::string event(const std::string& id, const std::string& name = "PutItem") {
    // The eventID after requestParameters, as trail_event.cpp writes it;
    // the parameters may hold a member of that name too.
    return R"({"eventName":")" + name + R"(","requestParameters":{"eventID":"not-)" + id + R"("},"eventID":")" + id +
           R"(","readOnly":false})";
  }
  // Appends `text` as a change made in a call whose store carries it.
  static void carried(TrailWriter& writer, MemoryCarrier& carrier, const std::string& text) {
    DeferredSyncs scope;
    scope.setCarrier(&carrier);
    writer.appendText(text, /*changed=*/true);
  }
  // How many times each eventID is in the trail.
  std::map<std::string, int> counts() {
    std::map<std::string, int> out;
    for (const auto& [first, path] : trail::listTrailFiles(dir_ / "logs", ".log")) {
      std::istringstream lines(trail::readTrailFile(path));
      for (std::string line; std::getline(lines, line);) {
        auto record = trail::parseRecord(line);
        if (!record) continue;
        Json parsed = Json::parse(record->event);
        out[parsed.contains("kuraTrailGap") ? "gap" : parsed.value("eventID", "")]++;
      }
    }
    return out;
  }
  static void fillDisk(rlim_t bytes) {
    struct rlimit limit {};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = bytes;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  static void roomAgain() {
    struct rlimit limit {};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  TrailReport verify() { return verifyTrail({dir_, std::nullopt, clock_->now(), std::chrono::seconds(180)}); }

  fs::path dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(std::chrono::system_clock::now());
};

TEST_F(TrailCarriedTest, TheCarrierIsToldAfterTheTrailsSyncAndAtStop) {
  MemoryCarrier carrier;
  auto writer = open({{}, std::chrono::seconds(3600), 1 << 20, std::chrono::milliseconds(5),
                      std::chrono::milliseconds(50)});
  writer->appendText(event("plain-1"), true);
  writer->appendText(event("plain-2"), true);
  carried(*writer, carrier, event("carried-1"));
  // The top-level eventID, not the parameter's; the horizon is the next
  // sequence (two records were written before).
  EXPECT_EQ(carrier.eventIds(), (std::vector<std::string>{"carried-1"}));
  EXPECT_EQ(carrier.horizons(), (std::vector<uint64_t>{3}));
  EXPECT_EQ(carrier.held(), 1u);
  // The writer thread writes it and syncs it within readSyncInterval: the
  // copy goes then, without any other call.
  for (int i = 0; i < 200 && carrier.held() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(carrier.held(), 0u);
  // At stop, what is left is synced and settled.
  carried(*writer, carrier, event("carried-2"));
  writer->stop();
  EXPECT_EQ(carrier.held(), 0u);
  auto in = counts();
  EXPECT_EQ(in["carried-1"], 1);
  EXPECT_EQ(in["carried-2"], 1);
  EXPECT_EQ(in["not-carried-1"], 0);
}

TEST_F(TrailCarriedTest, AppendMissingReadsTheFilesFromTheHorizonOnNotTheNewestBytes) {
  auto writer = open({{}, std::chrono::seconds(3600), 2048, std::chrono::hours(1)});
  for (int i = 1; i <= 400; ++i) writer->appendText(event("id-" + std::to_string(i), "GetItem"), false);
  writer->flush();
  ASSERT_GT(trail::listTrailFiles(dir_ / "logs", ".log").size(), 20u);  // many files after the old ones
  std::vector<CarriedRecord> records = {
      {event("id-5"), "id-5", 5},        // in the first file, at its horizon
      {event("id-7"), "id-7", 1},        // in the first file, after its horizon
      {event("id-390"), "id-390", 100},  // in a newer file
      {event("lost-1"), "lost-1", 300},  // never written
      // Its eventID is in a record's parameters only: not held.
      {event("not-id-9"), "not-id-9", 1},
  };
  EXPECT_EQ(writer->appendMissing(records), 2u);
  writer->stop();
  auto in = counts();
  EXPECT_EQ(in["id-5"], 1);
  EXPECT_EQ(in["id-7"], 1);
  EXPECT_EQ(in["id-390"], 1);
  EXPECT_EQ(in["lost-1"], 1);
  EXPECT_EQ(in["not-id-9"], 1);
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty());
}

TEST_F(TrailCarriedTest, ARecordWhoseHorizonRetentionPrunedIsNotAppendedAgain) {
  auto writer = open({{}, std::chrono::seconds(3600), 1 << 20, std::chrono::hours(1)});
  for (int i = 1; i <= 10; ++i) writer->appendText(event("id-" + std::to_string(i)), true);
  // As if retention had deleted the files through sequence 5.
  std::ofstream(dir_ / trail::kPrunedMark) << Json{{"lastSequence", 5}}.dump();
  std::vector<CarriedRecord> records = {
      {event("old-1"), "old-1", 4},    // may have been in a deleted file
      {event("new-1"), "new-1", 6},    // would be in a file still there
      {event("id-8"), "id-8", 6},      // is
  };
  EXPECT_EQ(writer->appendMissing(records), 1u);
  writer->stop();
  auto in = counts();
  EXPECT_EQ(in["old-1"], 0);
  EXPECT_EQ(in["new-1"], 1);
  EXPECT_EQ(in["id-8"], 1);
}

TEST_F(TrailCarriedTest, ACarriedRecordTheDiskRefusedIsKeptAndWrittenAgainNotCountedLost) {
  MemoryCarrier carrier;
  auto writer = open({{}, std::chrono::seconds(3600), 1 << 20, std::chrono::hours(1)});
  writer->appendText(event("before"), true);
  auto log = trail::listTrailFiles(dir_ / "logs", ".log").begin()->second;
  fillDisk(fs::file_size(log) + 10);
  carried(*writer, carrier, event("carried-1"));
  writer->flush();  // refused: not settled, the carrier keeps it
  EXPECT_THROW(writer->appendText(event("lost-1"), true), std::exception);
  EXPECT_EQ(carrier.held(), 1u);
  roomAgain();
  writer->appendText(event("after"), true);  // written and synced: the refused carried record with it
  EXPECT_EQ(carrier.held(), 0u);
  writer->stop();
  auto in = counts();
  EXPECT_EQ(in["before"], 1);
  EXPECT_EQ(in["carried-1"], 1);
  EXPECT_EQ(in["lost-1"], 0);
  EXPECT_EQ(in["after"], 1);
  EXPECT_EQ(in["gap"], 1);
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty());
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].records, 1u);  // lost-1 only
}

}  // namespace
}  // namespace kura
