// A full disk: records the trail cannot write become one signed gap record,
// reported by the verifier as an outage; a forged gap and a changed record
// are still caught. The disk is "full" through RLIMIT_FSIZE: a write past
// the limit fails (EFBIG) as one past a full disk does (ENOSPC).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "trail/trail_format.h"
#include "trail/trail_verifier.h"
#include "trail/trail_writer.h"

namespace kura {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class TrailGapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails instead of killing the test
    dir_ = fs::temp_directory_path() / ("kura-trail-gap-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    roomAgain();
    fs::remove_all(dir_);
  }

  std::unique_ptr<TrailWriter> open() {
    // Neither the flush interval nor the digest interval runs in a test.
    auto writer = TrailWriter::open({dir_, std::chrono::seconds(3600), 1 << 20, std::chrono::hours(1)}, clock_);
    EXPECT_TRUE(writer.ok());
    return std::move(*writer);
  }
  // No file may grow past `bytes`.
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
  static void change(TrailWriter& writer, const std::string& name) {
    writer.appendText(Json{{"eventName", name}}.dump(), /*changed=*/true);
  }
  fs::path onlyLogFile() {
    auto files = trail::listTrailFiles(dir_ / "logs", ".log");
    EXPECT_EQ(files.size(), 1u);
    return files.begin()->second;
  }
  // The events of the trail, in order (a gap record as "gap:<records>").
  std::vector<std::string> events() {
    std::vector<std::string> out;
    for (const auto& [first, path] : trail::listTrailFiles(dir_ / "logs", ".log")) {
      std::istringstream lines(trail::readTrailFile(path));
      for (std::string line; std::getline(lines, line);) {
        auto record = trail::parseRecord(line);
        if (!record) {
          out.push_back("torn");
          continue;
        }
        Json event = Json::parse(record->event);
        out.push_back(event.contains("kuraTrailGap")
                          ? "gap:" + std::to_string(event["kuraTrailGap"]["records"].get<uint64_t>())
                          : event.value("eventName", ""));
      }
    }
    return out;
  }
  TrailReport verify() { return verifyTrail({dir_, std::nullopt, clock_->now(), std::chrono::seconds(180)}); }
  static std::string kinds(const TrailReport& report) {
    std::string out;
    for (const auto& f : report.findings) out += f.kind + "(" + f.file + ": " + f.detail + ") ";
    return out;
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  // Two records written, three lost to a full disk, two written after.
  void writeThroughAnOutage(TrailWriter& writer) {
    change(writer, "Before1");
    change(writer, "Before2");
    fillDisk(fs::file_size(onlyLogFile()) + 10);  // room for part of a record: it must be cut off
    for (const char* name : {"Lost1", "Lost2", "Lost3"}) EXPECT_THROW(change(writer, name), std::exception);
    roomAgain();
    change(writer, "After1");
    change(writer, "After2");
  }

  fs::path dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(std::chrono::system_clock::now());
};

TEST_F(TrailGapTest, RecordsLostToAFullDiskBecomeOneSignedGapTheVerifierReports) {
  auto writer = open();
  writeThroughAnOutage(*writer);
  // No torn record and no hole in the chain: the gap stands where the
  // lost records would have been.
  EXPECT_EQ(events(), (std::vector<std::string>{"Before1", "Before2", "gap:3", "After1", "After2"}));
  writer->stop();
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].records, 3u);
  EXPECT_EQ(report.gaps[0].sequence, 3u);
  EXPECT_EQ(report.gaps[0].reason, "file too large");  // EFBIG here; ENOSPC says "no space left on device"
  EXPECT_FALSE(report.gaps[0].firstLostTime.empty());
  EXPECT_EQ(report.records, 5u);
}

TEST_F(TrailGapTest, TheGapIsRecordedWithoutAnyCallOnceTheDiskTakesIt) {
  auto writer = open();
  change(*writer, "Before");
  writer->stop();  // sealed; the next record opens a new file
  writer = open();
  fillDisk(0);  // not even an empty file may grow
  EXPECT_THROW(change(*writer, "Lost"), std::exception);
  EXPECT_NO_THROW(writer->flush());  // LookupEvents reads on through the outage
  roomAgain();
  writer->flush();  // an empty batch: the gap record alone
  writer->stop();
  EXPECT_EQ(events(), (std::vector<std::string>{"Before", "gap:1"}));
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.gaps.size(), 1u);
}

TEST_F(TrailGapTest, ADigestIsNeverRenamedIntoPlaceUnwritten) {
  auto writer = open();
  change(*writer, "One");
  fillDisk(64);  // the digest (about 700 bytes) cannot be written
  EXPECT_THROW(writer->seal(), std::exception);
  roomAgain();
  for (const auto& entry : fs::directory_iterator(dir_ / "digests")) {
    ADD_FAILURE() << "left in the digests: " << entry.path().filename();
  }
  // The next seal covers what the failed one did not.
  writer->seal();
  change(*writer, "Two");
  writer->stop();
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.digests, 2u);
  EXPECT_EQ(report.records, 2u);
}

TEST_F(TrailGapTest, AChangedRecordAfterAnOutageIsStillCaught) {
  auto writer = open();
  writeThroughAnOutage(*writer);
  writer->stop();
  fs::path file = onlyLogFile();
  std::string text = read(file);
  size_t at = text.find("After1");
  ASSERT_NE(at, std::string::npos);
  text[at] = 'X';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("modified-record"), std::string::npos) << kinds(report);
}

TEST_F(TrailGapTest, AChangedGapRecordIsCaught) {
  auto writer = open();
  writeThroughAnOutage(*writer);
  writer->stop();
  fs::path file = onlyLogFile();
  std::string text = read(file);
  size_t at = text.find(R"("records":3)");
  ASSERT_NE(at, std::string::npos);
  text[at + 10] = '1';  // "1 record lost"
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("modified-record"), std::string::npos) << kinds(report);
  EXPECT_NE(kinds(report).find("forged-gap"), std::string::npos) << kinds(report);
}

TEST_F(TrailGapTest, AGapNotSignedByTheDigestKeyIsForged) {
  // Someone who rewrites the chain itself (and no digest yet covers it)
  // still cannot claim an outage: the gap's signature is the digest key's.
  auto writer = open();
  change(*writer, "Real");
  writer->flush();
  fs::path file = onlyLogFile();
  std::string text = read(file);
  auto first = trail::parseRecord(std::string_view(text).substr(0, text.find('\n')));
  ASSERT_TRUE(first);
  Json gap = {{"records", 5}, {"firstLostTime", "2026-01-01T00:00:00.000Z"}, {"lastLostTime", "2026-01-01T00:01:00.000Z"},
              {"reason", "no space left on device"}, {"recordedTime", "2026-01-01T00:02:00.000Z"}};
  std::string forged = Json{{"kuraTrailGap", gap}, {"signature", "AAAA"}}.dump();
  text += trail::formatRecord(2, trail::recordHash(first->hash, 2, forged), forged);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  TrailReport report = verifyTrail({dir_, std::nullopt, clock_->now(), std::chrono::hours(1)});
  EXPECT_NE(kinds(report).find("forged-gap"), std::string::npos) << kinds(report);
  EXPECT_TRUE(report.gaps.empty());
}

TEST_F(TrailGapTest, AnEmptyDigestLeftByAnOlderKuraDoesNotKeepItDown) {
  {
    auto writer = open();
    change(*writer, "One");
    writer->stop();
  }
  auto digests = trail::listTrailFiles(dir_ / "digests", ".json");
  ASSERT_EQ(digests.size(), 1u);
  fs::resize_file(digests.begin()->second, 0);  // renamed into place unwritten
  auto reopened = TrailWriter::open({dir_, std::chrono::seconds(3600), 1 << 20, std::chrono::hours(1)}, clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  change(**reopened, "Two");
  (*reopened)->stop();
  // The damage is reported, and only it: the chain goes on after it and
  // the file it sealed is sealed again.
  TrailReport report = verify();
  ASSERT_EQ(report.findings.size(), 1u) << kinds(report);
  EXPECT_EQ(report.findings[0].kind, "modified-digest");
  EXPECT_EQ(report.records, 2u);
}

}  // namespace
}  // namespace kura
