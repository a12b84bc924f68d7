#pragma once
// Kura's own trail (src/trail/) as CloudTrail's trail API describes a
// trail: DescribeTrails, GetTrail, ListTrails, GetTrailStatus and
// GetEventSelectors answer with what the trail really is (always on,
// every region's calls, log files validated by signed digests, no S3
// bucket); the calls that would make, change or stop a trail are refused
// with UnsupportedOperationException, since Kura keeps exactly one and it
// is never stopped. StartLogging on it succeeds: it is logging.
//
// Where its events are kept, and how long (--trail-retention-days), is
// described as an event data store (ListEventDataStores,
// GetEventDataStore): the same events, queried by LookupEvents; Lake's SQL
// queries (StartQuery) are not offered. Kept forever is reported as the
// longest retention the model allows (2557 days), a lower bound.
#include <filesystem>

#include "common/clock.h"
#include "services/core/handler_table.h"
#include "trail/account_trail_activity.h"

namespace kura {

struct OwnTrail {
  std::filesystem::path dir;  // <data-dir>/trail
  bool logging = true;        // false when the server runs with --trail off
  SystemTime startedAt{};     // when this server started writing it
  int retentionDays = 0;      // 0: kept forever
  // Each account's own delivery times (GetTrailStatus); none: not shown.
  const AccountTrailActivity* activity = nullptr;
};

void addTrailDescriptionHandlers(HandlerTable& handlers, OwnTrail trail);

}  // namespace kura
