#pragma once
// The durable control-plane state of Kura: one SQLite database,
// <data-dir>/catalog.db, in WAL mode with synchronous=FULL and foreign keys.
// API handlers record desired state here in one transaction and return; the
// reconciler reads what is pending and records every step it takes.
//
// Thread-safe: one connection behind a recursive mutex. Every mutator is
// atomic on its own; transact() groups several calls into one transaction:
//
//   auto created = catalog.transact([&]() -> Result<Resource> {
//     auto resource = catalog.createResource(std::move(draft));
//     if (!resource) return resource;          // rolls back
//     catalog.addTags(resource->arn, tags);
//     catalog.addEvent(creationEvent);
//     return resource;                          // commits
//   });
//
// Expected failures (not found, already exists, version conflict) come back
// as ApiError with the codes below; callers map them to their service's
// codes (DBInstanceNotFound, TableAlreadyExists, ...). A failing database
// (disk full, corruption) throws SqliteError: the request path's outer
// handler turns it into an internal error.
#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "catalog/records.h"
#include "common/api_error.h"
#include "common/clock.h"
#include "common/counted_mutex.h"
#include "sql/sqlite_db.h"

namespace kura {

namespace catalog_errors {
inline constexpr const char* kAlreadyExists = "ResourceAlreadyExists";  // 409
inline constexpr const char* kNotFound = "ResourceNotFound";            // 404
inline constexpr const char* kVersionConflict = "VersionConflict";      // 409
}  // namespace catalog_errors

// One page of resources, ordered by name.
struct ResourcePage {
  std::vector<Resource> items;
  bool truncated = false;  // more after the last item
};

// The same, its records shared (some of them a caller's own copies).
struct SharedResourcePage {
  std::vector<std::shared_ptr<const Resource>> items;
  bool truncated = false;  // more after the last item
  // Read outside any transaction, so every record is committed (inside one,
  // a record may be rolled back, and its version written again otherwise).
  bool committed = true;
};

struct EventQuery {
  std::optional<std::string> sourceType;
  std::optional<std::string> sourceId;
  std::optional<SystemTime> startTime;  // inclusive
  std::optional<SystemTime> endTime;    // inclusive
  std::vector<std::string> categories;  // any of them; empty: all
  int64_t afterId = 0;                  // pagination: the last id of the page before
  size_t limit = 100;
};

struct EventPage {
  std::vector<Event> items;  // oldest first
  bool truncated = false;
};

class Catalog {
 public:
  // Opens (creating) <dataDir>/catalog.db and applies pending migrations,
  // each in its own transaction. Throws SqliteError if the database cannot
  // be opened or was written by a newer Kura.
  explicit Catalog(const std::filesystem::path& dataDir, ClockPtr clock = realClock());
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  const ClockPtr& clock() const { return clock_; }
  // Versions of the applied migrations, ascending.
  std::vector<int> appliedMigrations();
  // Grows after every committed write: a view cached from the catalog is
  // current while the generation it was read at still is (read the
  // generation first, then the catalog).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Grows after every committed write to a resource (or its tags) of
  // `service` ("iam", "sts"): a cache of one service's records is not
  // dropped when another's change (a table created, a snapshot taken).
  // Services share a few counters by hash: a write may move another
  // service's too, never too few.
  uint64_t serviceGeneration(std::string_view service) const {
    return serviceGenerations_[serviceSlot(service)].load(std::memory_order_acquire);
  }

  // Runs f() in one transaction (BEGIN IMMEDIATE ... COMMIT), holding the
  // catalog for the caller's thread. Rolls back if f throws or returns a
  // Result that holds an ApiError. Nested calls become savepoints.
  template <typename F>
  auto transact(F&& f) -> std::invoke_result_t<F&> {
    std::lock_guard lock(mutex_);
    begin();
    // commit() ends its level even when it throws: only f's failures roll back.
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      try {
        f();
      } catch (...) {
        rollback();
        throw;
      }
      commit();
    } else {
      auto result = [&] {
        try {
          return f();
        } catch (...) {
          rollback();
          throw;
        }
      }();
      if (isFailure(result)) {
        rollback();
      } else {
        commit();
      }
      return result;
    }
  }

  // --- Resources -----------------------------------------------------------
  // Stores a new resource (id, createdAt, updatedAt and version are set
  // here). kAlreadyExists if (account, region, kind, name) or the ARN is
  // taken.
  Result<Resource> createResource(Resource resource);
  Result<Resource> getResource(const std::string& accountId, const std::string& region, const std::string& kind,
                               const std::string& name);
  Result<Resource> getResourceByArn(const std::string& arn);
  Result<Resource> getResourceById(int64_t id);
  // Resources of one kind, ordered by name, after the name `afterName`
  // (exclusive; empty for the first page).
  ResourcePage listResources(const std::string& accountId, const std::string& region, const std::string& kind,
                             const std::string& afterName, size_t limit);
  // The same, but a row for which `known` (given the row without its spec
  // and state) answers a record is not read further nor parsed: that record
  // takes its place. For a caller that keeps records it parsed before, by id
  // and version (ids are never reused; every committed write moves the
  // version on): it keeps only a page's records that are `committed`.
  // `known` is called with the catalog held: it must not wait for another
  // thread's catalog call.
  using KnownRecord = std::function<std::shared_ptr<const Resource>(const Resource& row)>;
  SharedResourcePage listResources(const std::string& accountId, const std::string& region, const std::string& kind,
                                   const std::string& afterName, size_t limit, const KnownRecord& known);
  // Writes every field but id and createdAt if the stored version equals
  // resource.version (kVersionConflict otherwise); returns the stored
  // record with its new version. A new name or ARN must be free.
  Result<Resource> updateResource(const Resource& resource);
  // Removes a resource with its tags and journal (its events stay, as
  // AWS's do). With expectedVersion, kVersionConflict if it moved on.
  Result<bool> removeResource(int64_t id, std::optional<int64_t> expectedVersion = std::nullopt);
  // Every resource whose status differs from its goal, in every account and
  // region, oldest first.
  std::vector<Resource> listPending();
  // Every resource of a kind, in every account and region (supervisors).
  std::vector<Resource> listAllOfKind(const std::string& kind);
  // The same, but a record's spec and state are read and parsed only when
  // `wanted` says so of the rest of it (id, names, status, goal, version:
  // `wanted` sees them with spec and state empty). A supervisor passes over
  // the records it has nothing to do for at the cost of their columns,
  // not of parsing them. `wanted` is called for every record, in id order,
  // with the catalog held: it must not wait for another thread's catalog call.
  std::vector<Resource> listAllOfKind(const std::string& kind, const std::function<bool(const Resource&)>& wanted);
  // The resources whose spec names `sourceArn` as its ReadReplicaSourceArn,
  // by id (an index keeps them: no scan of the fleet).
  std::vector<Resource> listReadReplicasOf(const std::string& sourceArn);
  // The same for several sources at once (a Describe page's), by id.
  std::vector<Resource> listReadReplicasOfAny(const std::vector<std::string>& sourceArns);

  // --- Events ----------------------------------------------------------------
  Event addEvent(Event event);
  EventPage listEvents(const std::string& accountId, const std::string& region, const EventQuery& query);
  // Deletes events dated before `cutoff` (RDS keeps 14 days); returns how many.
  size_t pruneEvents(SystemTime cutoff);

  // --- Tags, per ARN -------------------------------------------------------
  void addTags(const std::string& arn, const std::vector<Tag>& tags);  // overwrites values
  void removeTags(const std::string& arn, const std::vector<std::string>& keys);
  std::vector<Tag> listTags(const std::string& arn);  // ordered by key
  // The tags of several ARNs in one read (a Describe page's), each ARN's
  // ordered by key; an ARN without tags has no entry.
  std::map<std::string, std::vector<Tag>> listTagsOf(const std::vector<std::string>& arns);
  void deleteAllTags(const std::string& arn);

  // --- The reconciler's journal ----------------------------------------------
  void recordStep(int64_t resourceId, const std::string& step, const std::string& detail);
  std::vector<OperationStep> listSteps(int64_t resourceId);  // oldest first

  // --- Idempotency tokens ------------------------------------------------------
  // Remembers (replacing) what a client token stood for until expiresAt.
  void rememberToken(const std::string& accountId, const std::string& scope, const std::string& token,
                     const std::string& requestHash, const std::string& responseJson, SystemTime expiresAt);
  // The remembered request hash and response, unless expired.
  std::optional<StoredToken> findToken(const std::string& accountId, const std::string& scope,
                                       const std::string& token);
  size_t pruneExpiredTokens();  // returns how many were removed

  // --- Server settings -------------------------------------------------------
  std::optional<std::string> getSetting(const std::string& key);
  void putSetting(const std::string& key, const std::string& value);

 private:
  template <typename T>
  static bool isFailure(const Result<T>& result) {
    return !result.ok();
  }
  template <typename T>
  static bool isFailure(const T&) {
    return false;
  }

  static size_t serviceSlot(std::string_view service);
  void noteWrite(std::string_view service);  // mutex_ held: counted at the next commit
  void begin();
  void commit();
  void rollback();
  void migrate();
  int64_t nowMillis() const;
  // The free-ness of a resource's (account, region, kind, name) and ARN,
  // ignoring the resource with id exceptId.
  bool resourceKeyTaken(const Resource& resource, int64_t exceptId);

  ClockPtr clock_;
  CountedRecursiveMutex mutex_;
  SqliteDb db_;           // guarded by mutex_ (with its depth of nested transactions)
  std::atomic<uint64_t> generation_{0};
  static constexpr size_t kServiceSlots = 32;
  std::array<std::atomic<uint64_t>, kServiceSlots> serviceGenerations_{};
  uint32_t touchedSlots_ = 0;  // bits of serviceGenerations_ written since the last commit; guarded by mutex_
};

}  // namespace kura
