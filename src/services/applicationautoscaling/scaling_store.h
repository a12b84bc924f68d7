#pragma once
// Application Auto Scaling's state, per account and region, in SQLite
// (<data-dir>/application-autoscaling/scaling.db): scalable targets,
// scaling policies, scheduled actions and scaling activities. Each is kept
// as the structure its Describe call returns (JSON), with Kura's own fields
// (cooldown clocks) under names that start with "_", dropped when shown.
// Every change is one SQLite transaction (WAL, synchronous=FULL): a kill at
// any point leaves a policy with its target, or neither.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/core/handler_table.h"
#include "sql/sqlite_db.h"

namespace kura {

// What a target is named by: namespace, resource id, scalable dimension.
struct TargetKey {
  std::string account, region, nameSpace, resourceId, dimension;
};

class ScalingStore {
 public:
  explicit ScalingStore(const std::filesystem::path& dataDir);

  std::optional<Json> target(const TargetKey& key);
  void putTarget(const TargetKey& key, const Json& target);
  // Removes the target with its policies and scheduled actions; returns
  // the policies removed (their alarms are the caller's to delete).
  std::vector<Json> removeTarget(const TargetKey& key);
  // The targets of a namespace (every account's when `account` is empty).
  std::vector<std::pair<TargetKey, Json>> targets(const std::string& account, const std::string& region,
                                                  const std::string& nameSpace);

  std::optional<Json> policy(const TargetKey& key, const std::string& name);
  void putPolicy(const TargetKey& key, const std::string& name, const Json& policy);
  bool removePolicy(const TargetKey& key, const std::string& name);
  // Policies of a namespace (every account's and region's when `account` is empty).
  std::vector<std::pair<TargetKey, Json>> policies(const std::string& account, const std::string& region,
                                                   const std::string& nameSpace);

  std::optional<Json> scheduledAction(const TargetKey& key, const std::string& name);
  void putScheduledAction(const TargetKey& key, const std::string& name, const Json& action);
  bool removeScheduledAction(const TargetKey& key, const std::string& name);
  std::vector<std::pair<TargetKey, Json>> scheduledActions(const std::string& account, const std::string& region,
                                                           const std::string& nameSpace);

  // A new activity, or a recorded one changed (by its ActivityId). A target
  // keeps its newest 1000 activities; older ones are dropped.
  void putActivity(const TargetKey& key, const Json& activity);
  // Newest first.
  std::vector<Json> activities(const std::string& account, const std::string& region, const std::string& nameSpace,
                               const std::string& resourceId, const std::string& dimension, size_t limit);

 private:
  std::mutex mutex_;
  SqliteDb db_;  // guarded by mutex_
};

}  // namespace kura
