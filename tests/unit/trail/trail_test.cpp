#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "trail/trail_event.h"
#include "trail/trail_format.h"
#include "trail/trail_reader.h"
#include "trail/trail_verifier.h"
#include "trail/trail_writer.h"

namespace kura {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

class TrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-trail-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<TrailWriter> open() {
    auto writer = TrailWriter::open({dir_, std::chrono::seconds(3600), 1 << 20}, clock_);
    EXPECT_TRUE(writer.ok());
    return std::move(*writer);
  }

  void write(TrailWriter& writer, int count, int from = 0) {
    for (int i = from; i < from + count; ++i) writer.append(Json{{"eventName", "Op" + std::to_string(i)}});
  }

  TrailReport verify() { return verifyTrail({dir_, std::nullopt, clock_->now(), std::chrono::seconds(180)}); }

  static std::string kinds(const TrailReport& report) {
    std::string out;
    for (const auto& f : report.findings) out += f.kind + "(" + f.file + ": " + f.detail + ") ";
    return out;
  }

  // Writes `count` records in a child process that then dies without any
  // cleanup, as a killed server would: nothing is sealed.
  void writeAndDie(int count) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto writer = TrailWriter::open({dir_, std::chrono::seconds(3600), 1 << 20}, clock_);
      if (!writer.ok()) ::_exit(1);
      write(**writer, count);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  fs::path logFile(int index = 0) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir_ / "logs")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files.at(static_cast<size_t>(index));
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }
  static void overwrite(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }

  fs::path dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(std::chrono::system_clock::now());
};

// The records in the trail files, in order.
std::vector<std::string> eventNames(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& [first, path] : trail::listTrailFiles(dir / "logs", ".log")) {
    (void)first;
    std::istringstream lines(trail::readTrailFile(path));
    for (std::string line; std::getline(lines, line);) {
      auto record = trail::parseRecord(line);
      if (record) names.push_back(Json::parse(record->event).value("eventName", ""));
    }
  }
  return names;
}

TEST_F(TrailTest, AChangeIsWrittenAtOnceWithTheReadsQueuedBeforeIt) {
  // A flush interval no test waits for: only a change, flush() and stop() write.
  auto writer = TrailWriter::open({dir_, std::chrono::seconds(3600), 1 << 20, std::chrono::hours(1)}, clock_);
  ASSERT_TRUE(writer.ok());
  (*writer)->appendText(R"({"eventName":"Read1"})", /*changed=*/false);
  (*writer)->appendText(R"({"eventName":"Change"})", /*changed=*/true);
  // The change is written, with the read queued before it, in order.
  EXPECT_EQ(eventNames(dir_), (std::vector<std::string>{"Read1", "Change"}));
  (*writer)->appendText(R"({"eventName":"Read2"})", /*changed=*/false);
  (*writer)->flush();  // what LookupEvents does before it reads
  EXPECT_EQ(eventNames(dir_), (std::vector<std::string>{"Read1", "Change", "Read2"}));
  (*writer)->appendText(R"({"eventName":"Read3"})", /*changed=*/false);
  (*writer)->stop();  // writes what is queued, then seals
  EXPECT_EQ(eventNames(dir_), (std::vector<std::string>{"Read1", "Change", "Read2", "Read3"}));
  auto report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
}

TEST_F(TrailTest, FlushWaitsForTheBatchTheWriterThreadHasTaken) {
  // The writer thread takes the queue at any moment (here, all the time):
  // a record it has taken but not yet written is still one flush() must
  // wait for, or LookupEvents misses calls answered before it. (Missed
  // once in a few thousand tries before; a sanitizer build, ten times
  // slower, tries fewer.)
#ifdef __SANITIZE_ADDRESS__
  constexpr int kTries = 2000;
#else
  constexpr int kTries = 20000;
#endif
  auto writer = TrailWriter::open({dir_, std::chrono::seconds(3600), 64 << 10, std::chrono::milliseconds(0)}, clock_);
  ASSERT_TRUE(writer.ok());
  int missed = 0;
  for (int i = 0; i < kTries; ++i) {
    std::string name = "Read" + std::to_string(i);
    (*writer)->appendText(R"({"eventName":")" + name + R"("})", /*changed=*/false);
    (*writer)->flush();
    std::string newest;
    readTrailNewestFirst(dir_, std::nullopt, [&](uint64_t, const Json& event) {
      newest = event.value("eventName", "");
      return false;
    });
    if (newest != name) ++missed;
  }
  EXPECT_EQ(missed, 0);
}

TEST_F(TrailTest, ASealedTrailVerifiesClean) {
  auto writer = open();
  write(*writer, 10);
  writer->seal();
  write(*writer, 5, 10);
  writer->stop();
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.records, 15u);
  EXPECT_EQ(report.digests, 2u);
}

TEST_F(TrailTest, EditingOneByteIsCaught) {
  auto writer = open();
  write(*writer, 5);
  writer->stop();
  std::string text = read(logFile());
  size_t at = text.find("Op2");
  text[at + 2] = '7';
  overwrite(logFile(), text);
  TrailReport report = verify();
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].kind, "modified-record") << kinds(report);
}

TEST_F(TrailTest, ReorderingTwoRecordsIsCaught) {
  auto writer = open();
  write(*writer, 5);
  writer->stop();
  std::string text = read(logFile());
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  std::swap(lines[1], lines[2]);
  std::string joined;
  for (const auto& line : lines) joined += line + "\n";
  overwrite(logFile(), joined);
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("out-of-order"), std::string::npos) << kinds(report);
}

TEST_F(TrailTest, DeletingARecordOrAFileIsCaught) {
  auto writer = open();
  write(*writer, 5);
  writer->seal();
  write(*writer, 5, 5);
  writer->stop();
  std::string text = read(logFile(0));
  size_t second = text.find('\n') + 1;
  size_t third = text.find('\n', second) + 1;
  overwrite(logFile(0), text.substr(0, second) + text.substr(third));
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("missing-records"), std::string::npos) << kinds(report);
  fs::remove(logFile(0));
  report = verify();
  EXPECT_NE(kinds(report).find("deleted-file"), std::string::npos) << kinds(report);
}

TEST_F(TrailTest, InsertingARecordIsCaught) {
  auto writer = open();
  write(*writer, 3);
  writer->stop();
  std::string text = read(logFile());
  std::string forged = trail::formatRecord(2, std::string(64, 'a'), R"({"eventName":"Forged"})");
  size_t second = text.find('\n') + 1;
  overwrite(logFile(), text.substr(0, second) + forged + text.substr(second));
  EXPECT_FALSE(verify().findings.empty());
}

TEST_F(TrailTest, AMissingOrAlteredDigestIsCaught) {
  auto writer = open();
  write(*writer, 2);
  writer->seal();
  write(*writer, 2, 2);
  writer->seal();
  write(*writer, 2, 4);
  writer->stop();
  fs::remove(dir_ / "digests" / trail::digestFileName(2));
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("missing-digest"), std::string::npos) << kinds(report);
  std::string text = read(dir_ / "digests" / trail::digestFileName(3));
  text.replace(text.find("\"records\": 2"), 12, "\"records\": 3");
  overwrite(dir_ / "digests" / trail::digestFileName(3), text);
  report = verify();
  EXPECT_NE(kinds(report).find("modified-digest"), std::string::npos) << kinds(report);
}

TEST_F(TrailTest, AnOldUnsealedFileIsReported) {
  writeAndDie(2);
  clock_->advance(std::chrono::hours(1));
  TrailReport report = verify();
  EXPECT_NE(kinds(report).find("missing-digest"), std::string::npos) << kinds(report);
}

TEST_F(TrailTest, ReopeningRepairsATornRecordAndSealsTheRest) {
  writeAndDie(3);
  std::ofstream(logFile(), std::ios::app) << "4\tabc";  // a torn write
  auto writer = open();
  write(*writer, 2, 3);
  writer->stop();
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.records, 5u);
}

TEST_F(TrailTest, ReadsNewestFirst) {
  auto writer = open();
  write(*writer, 4);
  std::vector<std::string> names;
  readTrailNewestFirst(dir_, std::nullopt, [&](uint64_t, const Json& event) {
    names.push_back(event["eventName"]);
    return names.size() < 3;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"Op3", "Op2", "Op1"}));
  names.clear();
  readTrailNewestFirst(dir_, 3, [&](uint64_t, const Json& event) {
    names.push_back(event["eventName"]);
    return true;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"Op1", "Op0"}));
}

TEST(TrailEvent, RedactsSecretsAndKeepsTheShape) {
  RequestContext context;
  context.requestId = "r";
  context.service = "rds";
  context.operation = "CreateDBInstance";
  context.region = "ap-northeast-1";
  context.accessKeyId = "test";
  Json input = {{"DBInstanceIdentifier", "app"}, {"MasterUserPassword", "S3cret-pass"}};
  Json event = makeTrailEvent(context, &input, nullptr, nullptr, "e");
  EXPECT_EQ(event["eventSource"], "rds.amazonaws.com");
  EXPECT_EQ(event["requestParameters"]["dBInstanceIdentifier"], "app");
  EXPECT_EQ(event["requestParameters"]["masterUserPassword"], "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(event.dump().find("S3cret"), std::string::npos);
  EXPECT_EQ(event["readOnly"], false);
  context.service = "dynamodb";
  context.operation = "PutItem";
  Json put = {{"TableName", "t"}, {"Item", {{"k", {{"S", "private"}}}}}};
  event = makeTrailEvent(context, &put, nullptr, nullptr, "e");
  EXPECT_EQ(event.dump().find("private"), std::string::npos);
  EXPECT_EQ(event["eventCategory"], "Data");
}

TEST_F(TrailTest, RetentionDeletesOldDigestsAndTheChainsStillVerify) {
  using std::chrono::hours;
  TrailOptions options{dir_, std::chrono::seconds(3600), 1 << 20};
  options.retention = hours(24);
  {
    auto writer = TrailWriter::open(options, clock_);
    ASSERT_TRUE(writer.ok());
    write(**writer, 5);
    (*writer)->seal();
    clock_->advance(hours(1));
    write(**writer, 5, 5);
    (*writer)->seal();
    clock_->advance(hours(48));
    write(**writer, 5, 10);
    (*writer)->seal();
    (*writer)->prune();
  }
  // The two digests older than a day went with their files; the newest stays.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "digests"), fs::directory_iterator{}), 1);
  EXPECT_TRUE(fs::exists(dir_ / "pruned.json"));
  TrailReport report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.prunedThrough, 10u);
  EXPECT_EQ(report.records, 5u);
  // A restart goes on from the mark, and what it writes verifies too.
  {
    auto writer = TrailWriter::open(options, clock_);
    ASSERT_TRUE(writer.ok());
    write(**writer, 3, 15);
  }
  report = verify();
  EXPECT_TRUE(report.findings.empty()) << kinds(report);
  EXPECT_EQ(report.records, 8u);
  // A file deleted by hand is still caught, and so is a forged mark.
  fs::path first = logFile(0);
  std::string kept = read(first);
  fs::remove(first);
  EXPECT_NE(kinds(verify()).find("deleted-file"), std::string::npos);
  overwrite(first, kept);
  Json mark = Json::parse(read(dir_ / "pruned.json"));
  mark["lastSequence"] = 12;
  overwrite(dir_ / "pruned.json", mark.dump());
  EXPECT_NE(kinds(verify()).find("modified-digest"), std::string::npos);
}

TEST_F(TrailTest, NoRetentionKeepsEverything) {
  {
    auto writer = open();
    write(*writer, 3);
    writer->seal();
    clock_->advance(std::chrono::hours(24 * 400));
    write(*writer, 3, 3);
    writer->seal();
    writer->prune();
  }
  EXPECT_FALSE(fs::exists(dir_ / "pruned.json"));
  EXPECT_EQ(verify().records, 6u);
}

}  // namespace
}  // namespace kura
