// DescribeDBInstances' kept records and views: by id and version only, the
// least recently used going first.
#include "services/rds/rendered_instances.h"

#include <gtest/gtest.h>

#include <memory>

namespace kura::rds {
namespace {

std::shared_ptr<const Resource> record(int64_t id, int64_t version, const std::string& status) {
  Resource r;
  r.id = id;
  r.version = version;
  r.name = "db-" + std::to_string(id);
  r.status = status;
  return std::make_shared<const Resource>(std::move(r));
}

int renders = 0;
nlohmann::json render(const Resource& r) {
  ++renders;
  return {{"DBInstanceIdentifier", r.name}, {"DBInstanceStatus", r.status}};
}

Resource row(int64_t id, int64_t version) {
  Resource r;
  r.id = id;
  r.version = version;
  return r;
}

TEST(RenderedInstances, AViewIsKeptForItsRecordsVersionOnly) {
  RenderedInstances kept(8);
  renders = 0;
  auto v1 = record(1, 1, "stopped");
  EXPECT_EQ(kept.record(row(1, 1)), nullptr);
  EXPECT_EQ((*kept.view(v1, render))["DBInstanceStatus"], "stopped");
  EXPECT_EQ(kept.record(row(1, 1)).get(), v1.get());
  EXPECT_EQ((*kept.view(v1, render))["DBInstanceStatus"], "stopped");
  EXPECT_EQ(renders, 1);
  // A write moved the record on: neither the old record nor its view is used.
  EXPECT_EQ(kept.record(row(1, 2)), nullptr);
  auto v2 = record(1, 2, "starting");
  EXPECT_EQ((*kept.view(v2, render))["DBInstanceStatus"], "starting");
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(kept.record(row(1, 2)).get(), v2.get());
  EXPECT_EQ(kept.record(row(1, 1)), nullptr);
  // A late answer of the older version does not put it back.
  EXPECT_EQ((*kept.view(v1, render))["DBInstanceStatus"], "stopped");
  EXPECT_EQ(kept.record(row(1, 2)).get(), v2.get());
  EXPECT_EQ(kept.size(), 1u);
}

TEST(RenderedInstances, TheLeastRecentlyUsedGivesWayOnceIdle) {
  RenderedInstances kept(3, std::chrono::seconds(0));  // idle at once
  for (int64_t id = 1; id <= 3; ++id) kept.view(record(id, 1, "stopped"), render);
  ASSERT_NE(kept.record(row(1, 1)), nullptr);  // 1 used last: 2 is the oldest now
  EXPECT_NE(kept.view(record(4, 1, "stopped"), render), nullptr);
  EXPECT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.record(row(2, 1)), nullptr);
  EXPECT_NE(kept.record(row(1, 1)), nullptr);
  EXPECT_NE(kept.record(row(3, 1)), nullptr);
  EXPECT_NE(kept.record(row(4, 1)), nullptr);
}

TEST(RenderedInstances, AWalkBeyondTheCapacityKeepsTheFirstAndRendersNoMore) {
  RenderedInstances kept(2, std::chrono::hours(1));
  renders = 0;
  EXPECT_NE(kept.view(record(1, 1, "stopped"), render), nullptr);
  EXPECT_NE(kept.view(record(2, 1, "stopped"), render), nullptr);
  EXPECT_EQ(kept.view(record(3, 1, "stopped"), render), nullptr);  // no room: the caller renders it
  EXPECT_EQ(renders, 2);
  EXPECT_EQ(kept.size(), 2u);
  EXPECT_NE(kept.record(row(1, 1)), nullptr);
  EXPECT_NE(kept.record(row(2, 1)), nullptr);
  // A kept record's new version takes its own room.
  EXPECT_EQ((*kept.view(record(2, 2, "starting"), render))["DBInstanceStatus"], "starting");
  EXPECT_EQ(kept.size(), 2u);
}

TEST(RenderedInstances, NothingIsKeptWithoutCapacity) {
  RenderedInstances kept(0);
  renders = 0;
  EXPECT_EQ(kept.view(record(1, 1, "stopped"), render), nullptr);
  EXPECT_EQ(renders, 0);
  EXPECT_EQ(kept.size(), 0u);
  EXPECT_EQ(kept.record(row(1, 1)), nullptr);
}

}  // namespace
}  // namespace kura::rds
