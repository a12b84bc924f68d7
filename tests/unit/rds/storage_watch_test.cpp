// An RDS instance's storage against its AllocatedStorage: what its files
// take, what FreeStorageSpace says, RDS's low storage events and storage
// autoscaling up to MaxAllocatedStorage.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "rds/storage_use.h"
#include "services/rds/rds_validation.h"
#include "supervisor_rig.h"
#include "../within.h"

namespace kura::rds {
namespace {

using namespace std::chrono_literals;

TEST(StorageUse, FreeStorageIsWhatTheFilesLeaveOfTheAllocationAndNoMoreThanTheDiskHas) {
  EXPECT_EQ(freeStorageBytes(20, 5 * kGiB, 100 * kGiB), 15 * kGiB);
  EXPECT_EQ(freeStorageBytes(20, 5 * kGiB, 2 * kGiB), 2 * kGiB);  // the file system is fuller
  EXPECT_EQ(freeStorageBytes(20, 25 * kGiB, 100 * kGiB), 0u);     // past the allocation: none, not negative
  EXPECT_EQ(storageLevel(20, 17 * kGiB), StorageLevel::kNormal);
  EXPECT_EQ(storageLevel(20, 18 * kGiB), StorageLevel::kLow);  // 90%
  EXPECT_EQ(storageLevel(20, 20 * kGiB), StorageLevel::kFull);
  EXPECT_EQ(storageLevel(20, 30 * kGiB), StorageLevel::kFull);
}

TEST(StorageUse, AutoscalingGrowsByTenGiBOrTenPercentAfterFiveLowMinutesUpToTheMaximum) {
  const uint64_t low = 19 * kGiB;  // 5% of 20 GiB free
  EXPECT_EQ(autoscaledStorageGiB(20, 100, low, 5min, 24h), 30);    // 10 GiB more than 10%
  EXPECT_EQ(autoscaledStorageGiB(200, 1000, 190 * kGiB, 5min, 24h), 220);  // 10% more than 10 GiB
  EXPECT_EQ(autoscaledStorageGiB(20, 25, low, 5min, 24h), 25);     // at most the maximum
  EXPECT_EQ(autoscaledStorageGiB(20, 100, low, 4min, 24h), std::nullopt);   // not low for long enough
  EXPECT_EQ(autoscaledStorageGiB(20, 100, low, 5min, 5h), std::nullopt);    // changed less than 6 h ago
  EXPECT_EQ(autoscaledStorageGiB(20, 100, 17 * kGiB, 5min, 24h), std::nullopt);  // 15% free
  EXPECT_EQ(autoscaledStorageGiB(20, 20, low, 5min, 24h), std::nullopt);    // no room above
  EXPECT_EQ(autoscaledStorageGiB(20, 0, low, 5min, 24h), std::nullopt);     // autoscaling off
}

// A file of `size` bytes, synced: its blocks are allocated on any file system.
void writeSynced(const std::filesystem::path& path, size_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::string bytes(size, 'x');
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
}

TEST(StorageUse, TheFilesUnderAFolderCountByTheirBlocksAndLinksAsThemselves) {
  testing::TempDir temp;
  std::filesystem::create_directories(temp.path / "data" / "base");
  writeSynced(temp.path / "data" / "base" / "1", 256 * 1024);
  uint64_t used = diskBytesUnder(temp.path / "data").value_or(0);
  EXPECT_GE(used, 256u * 1024);
  EXPECT_LT(used, 1024u * 1024);
  // A link to a large file elsewhere counts as the link.
  writeSynced(temp.path / "outside", 1024 * 1024);
  std::filesystem::create_symlink(temp.path / "outside", temp.path / "data" / "link");
  EXPECT_LT(diskBytesUnder(temp.path / "data").value_or(1u << 30), 1024u * 1024);
  EXPECT_EQ(diskBytesUnder(temp.path / "missing"), 0u);
  // A folder that goes while others are walked is skipped, not a failure;
  // one not readable is skipped too.
  std::filesystem::create_directories(temp.path / "data" / "locked" / "inner");
  std::filesystem::permissions(temp.path / "data" / "locked", std::filesystem::perms::none);
  EXPECT_TRUE(diskBytesUnder(temp.path / "data").has_value());
  std::filesystem::permissions(temp.path / "data" / "locked", std::filesystem::perms::owner_all);
}

TEST(StorageUse, TheAllocationAndItsMaximumAreCheckedAsRdsChecksThem) {
  nlohmann::json spec = {{"AllocatedStorage", 100}};
  auto code = [&](const nlohmann::json& in) {
    auto error = checkStorageChange(spec, in);
    return error ? error->code : std::string("ok");
  };
  EXPECT_EQ(code({{"AllocatedStorage", 110}}), "ok");
  EXPECT_EQ(code({{"AllocatedStorage", 100}}), "ok");
  EXPECT_EQ(code({{"AllocatedStorage", 90}}), "InvalidParameterCombination");   // never smaller
  EXPECT_EQ(code({{"AllocatedStorage", 105}}), "InvalidParameterCombination");  // less than 10% more
  EXPECT_EQ(code({{"AllocatedStorage", 70000}}), "InvalidParameterValue");
  EXPECT_EQ(code({{"MaxAllocatedStorage", 110}}), "ok");
  EXPECT_EQ(code({{"MaxAllocatedStorage", 100}}), "ok");  // autoscaling off
  EXPECT_EQ(code({{"MaxAllocatedStorage", 105}}), "InvalidParameterCombination");
  EXPECT_EQ(code({{"MaxAllocatedStorage", 50}}), "InvalidParameterCombination");
  EXPECT_EQ(code({{"AllocatedStorage", 200}, {"MaxAllocatedStorage", 300}}), "ok");
  spec["MaxAllocatedStorage"] = 150;
  EXPECT_EQ(code({{"AllocatedStorage", 200}}), "InvalidParameterCombination");  // above the maximum kept
  EXPECT_FALSE(checkMaxAllocatedStorage(20, 22, false));
  EXPECT_EQ(checkMaxAllocatedStorage(20, 20, false)->code, "InvalidParameterCombination");  // a new instance
  EXPECT_EQ(checkMaxAllocatedStorage(20, 70000, false)->code, "InvalidParameterValue");
}

TEST(StorageUse, ARestoreOrAReplicaTakesItsSourcesAllocationOrMore) {
  nlohmann::json spec = {{"AllocatedStorage", 100}};
  EXPECT_FALSE(takeStorageRequest(spec, nlohmann::json::object()));
  EXPECT_EQ(spec["AllocatedStorage"], 100);
  EXPECT_EQ(takeStorageRequest(spec, {{"AllocatedStorage", 50}})->code, "InvalidParameterCombination");
  EXPECT_EQ(takeStorageRequest(spec, {{"MaxAllocatedStorage", 105}})->code, "InvalidParameterCombination");
  EXPECT_EQ(spec["AllocatedStorage"], 100);  // a refused request changes nothing
  EXPECT_FALSE(spec.contains("MaxAllocatedStorage"));
  EXPECT_FALSE(takeStorageRequest(spec, {{"AllocatedStorage", 200}, {"MaxAllocatedStorage", 300}}));
  EXPECT_EQ(spec["AllocatedStorage"], 200);
  EXPECT_EQ(spec["MaxAllocatedStorage"], 300);
}

// The supervisor with a figure of the test's own for what the files take.
struct StorageRig : testing::SupervisorRig {
  StorageRig() {
    supervisor.setStorageMeter([this](const std::filesystem::path&) -> std::optional<uint64_t> {
      ++walks;
      if (failing) return std::nullopt;
      return used.load();
    });
  }
  std::atomic<uint64_t> used{0};
  std::atomic<bool> failing{false};
  std::atomic<int> walks{0};
  // A pass that asks for a measurement, the measurement (off the pass's
  // thread), then a pass that acts on it.
  void measure(const std::string& arn) {
    clock->advance(31s);
    supervisor.checkOnce();
    ASSERT_TRUE(test_support::within(5s, [&] { return supervisor.measuredStorage(arn) == used.load(); }));
    supervisor.checkOnce();
  }
  std::vector<std::string> events(const std::string& name) {
    EventQuery query;
    query.sourceId = name;
    std::vector<std::string> messages;
    for (const Event& event : catalog.listEvents("000000000000", "ap-northeast-1", query).items) {
      messages.push_back(event.message);
    }
    return messages;
  }
  Resource record(const std::string& arn) { return *catalog.getResourceByArn(arn); }
  // An available instance of `allocated` GiB, autoscaling up to `max` (0: none).
  Resource addSized(const std::string& name, int64_t allocated, int64_t max) {
    Resource instance = addInstance(name, kAvailable);
    update(instance.arn, [&](Resource& record) {
      record.spec["AllocatedStorage"] = allocated;
      if (max > 0) record.spec["MaxAllocatedStorage"] = max;
    });
    return record(instance.arn);
  }
};

TEST(StorageWatch, LowStorageIsAnEventOnceAndAutoscalingGrowsTheAllocationAfterFiveMinutes) {
  StorageRig rig;
  Resource instance = rig.addSized("growing", 20, 100);
  rig.used = 10 * kGiB;
  rig.measure(instance.arn);
  EXPECT_FALSE(rig.record(instance.arn).state.contains("StorageLevel"));
  EXPECT_TRUE(rig.events("growing").empty());

  rig.used = 19 * kGiB;  // 95%
  rig.measure(instance.arn);
  EXPECT_EQ(rig.record(instance.arn).state.value("StorageLevel", ""), "low");
  rig.supervisor.checkOnce();
  ASSERT_EQ(rig.events("growing").size(), 1u);  // once
  EXPECT_NE(rig.events("growing")[0].find("more than 90% of its allocated storage"), std::string::npos);
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 20);  // not yet: low for five minutes first

  rig.clock->advance(5min);
  rig.supervisor.checkOnce();
  Resource grown = rig.record(instance.arn);
  EXPECT_EQ(grown.spec.value("AllocatedStorage", 0), 30);
  EXPECT_TRUE(grown.state.contains("StorageChangedAt"));
  rig.supervisor.checkOnce();  // 19 of 30 GiB: normal again
  EXPECT_FALSE(rig.record(instance.arn).state.contains("StorageLevel"));
  auto messages = rig.events("growing");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1], "Applying autoscaling-initiated modification to allocated storage.");
  EXPECT_NE(messages[2].find("20 GiB to 30 GiB"), std::string::npos);

  // Full again within six hours of the change: the event, but no growth yet.
  rig.used = 30 * kGiB;
  rig.measure(instance.arn);
  rig.clock->advance(10min);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.record(instance.arn).state.value("StorageLevel", ""), "full");
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 30);
  EXPECT_EQ(rig.events("growing").back(),
            "Allocated storage has been exhausted. Allocate additional storage to resolve the issue.");
  rig.clock->advance(6h);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 40);
}

TEST(StorageWatch, UseHoveringAtNinetyPercentIsOneEventAndAStopStartsTheLowTimeAgain) {
  StorageRig rig;
  Resource instance = rig.addSized("hovering", 100, 200);
  for (uint64_t gib : {91, 88, 91, 86, 92}) {  // never below 85% once low
    rig.used = gib * kGiB;
    rig.measure(instance.arn);
  }
  EXPECT_EQ(rig.events("hovering").size(), 1u);
  rig.used = 80 * kGiB;
  rig.measure(instance.arn);
  EXPECT_FALSE(rig.record(instance.arn).state.contains("StorageLevel"));

  // At most 10% free, then stopped before five minutes: once started again
  // the low time counts from then, not from before the stop.
  rig.used = 95 * kGiB;
  rig.measure(instance.arn);
  rig.setStatus(instance.arn, kStopped);
  rig.supervisor.checkOnce();
  rig.clock->advance(1h);
  rig.setStatus(instance.arn, kAvailable);
  rig.measure(instance.arn);
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 100);
  rig.clock->advance(5min);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 110);
}

TEST(StorageWatch, WithoutAMaximumTheAllocationStaysAsItIs) {
  StorageRig rig;
  Resource instance = rig.addSized("fixed", 20, 0);
  rig.used = 20 * kGiB;
  rig.measure(instance.arn);
  rig.clock->advance(24h);
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.record(instance.arn).spec.value("AllocatedStorage", 0), 20);
  EXPECT_EQ(rig.record(instance.arn).state.value("StorageLevel", ""), "full");
  EXPECT_EQ(rig.events("fixed").size(), 1u);
}

TEST(StorageWatch, TheMaintenanceWindowNeverShrinksWhatAutoscalingGrew) {
  StorageRig rig;
  Resource instance = rig.addInstance("held", kAvailable);
  auto hold = [&](int64_t gib) {
    rig.update(instance.arn, [&](Resource& record) {
      record.spec["AllocatedStorage"] = 30;  // what autoscaling made it meanwhile
      record.spec["PreferredMaintenanceWindow"] = "sun:00:00-sat:23:59";  // open now, whatever the day
      record.state["PendingMaintenance"] = {{"AllocatedStorage", gib}};
      record.state.erase("StorageChangedAt");
    });
    rig.supervisor.checkOnce();
    return rig.record(instance.arn);
  };
  Resource passed = hold(25);  // asked for before autoscaling grew it to 30
  EXPECT_EQ(passed.spec.value("AllocatedStorage", 0), 30);
  EXPECT_FALSE(passed.state.contains("PendingMaintenance"));
  EXPECT_FALSE(passed.state.contains("StorageChangedAt"));
  Resource grown = hold(40);
  EXPECT_EQ(grown.spec.value("AllocatedStorage", 0), 40);
  EXPECT_TRUE(grown.state.contains("StorageChangedAt"));  // autoscaling waits six hours from here
}

TEST(StorageWatch, AWalkThatFailsLeavesTheLastFigure) {
  StorageRig rig;
  Resource instance = rig.addInstance("unreadable", kAvailable);
  rig.used = 3 * kGiB;
  rig.measure(instance.arn);
  rig.failing = true;
  rig.used = 1 * kGiB;
  int walks = rig.walks;
  rig.clock->advance(31s);
  rig.supervisor.checkOnce();
  ASSERT_TRUE(test_support::within(5s, [&] { return rig.walks > walks; }));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.supervisor.measuredStorage(instance.arn), 3 * kGiB);
  // diskBytesUnder's own failures (a folder nested too deep) give no figure.
  testing::TempDir temp;
  std::filesystem::path deep = temp.path;
  for (int level = 0; level < 40; ++level) deep /= "d";
  std::filesystem::create_directories(deep);
  EXPECT_EQ(diskBytesUnder(temp.path), std::nullopt);
  EXPECT_EQ(rig.supervisor.measuredStorage(instance.arn), 3 * kGiB);
}

}  // namespace
}  // namespace kura::rds
