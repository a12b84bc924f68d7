#pragma once
// DynamoDB global tables: one table replicated in several regions of the
// same Kura (a region is a namespace of the store: m|<account>|<region>|...).
//
// Every replica is a table of its own, with the same name, key schema and
// indexes, and a stream of NEW_AND_OLD_IMAGES. Its description carries
//   "_global": {"Version": "2019.11.21" | "2017.11.29",
//               "Replicas": [{"RegionName", "ReplicaStatus", "KMSMasterKeyId"?}]}
// listing every region of the table (its own included), the same in each
// replica. Replication is one link per ordered pair of replicas: a durable
// cursor (gc|<source table id>|<target region>) into the source's stream;
// the replicator (global_table_replicator.h) applies the source's own
// changes after the cursor to the target, last writer wins
// (TableStore::applyReplicated). A new replica's link starts with a
// backfill of the source's items (ReplicaStatus CREATING, then ACTIVE).
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/clock.h"
#include "ddb/table_store.h"
#include "kms/key_manager.h"
#include "services/core/handler_table.h"
#include "services/core/request_context.h"

namespace kura::ddb {

inline constexpr const char* kCurrentVersion = "2019.11.21";
inline constexpr const char* kLegacyVersion = "2017.11.29";

// The regions of a table's replicas, its own included (empty: not global).
std::vector<std::string> replicaRegions(const Json& table);
bool isGlobal(const Json& table);

// DescribeTable's view: GlobalTableVersion and Replicas (the other regions).
void addReplicaView(const Json& table, Json& out);
// UpdateTable may not turn off or change the stream of a replica.
std::optional<ApiError> checkReplicaStreamChange(const Json& table, const Json& in);

class GlobalTables {
 public:
  GlobalTables(TableStore& store, ClockPtr clock, kms::KeyManager* keys);

  // UpdateTable's ReplicaUpdates (version 2019.11.21).
  Result<Json> updateReplicas(const RequestContext& c, const Json& in);
  // The regions of the table's other replicas (none: not a global table).
  std::vector<std::string> otherRegions(const RequestContext& c, const std::string& name);
  // A replica's Time to Live setting is every replica's.
  void shareTimeToLive(const RequestContext& c, const Json& table);
  // So are its billing mode and provisioned write capacity (read capacity
  // is each replica's own), as DynamoDB keeps them.
  void shareWriteCapacity(const RequestContext& c, const Json& table);
  // DeleteTable of a replica: the other replicas drop it.
  void replicaDeleted(const RequestContext& c, const Json& table);
  // The legacy API (version 2017.11.29), legacy_global_tables.cpp.
  void registerLegacyHandlers(HandlerTable& handlers);
  // A legacy global table's member table was deleted: it leaves the record.
  void dropLegacyMember(const std::string& account, const std::string& name, const std::string& region);

  // Shared by both versions.
  // Writes `replicas` into the "_global" of every replica named there
  // (a region whose table is gone is skipped), with `version`.
  void writeReplicaSet(const std::string& account, const std::string& name, const Json& replicas,
                       const std::string& version);
  // The links every ordered pair of the regions lacks: a cursor at the
  // source stream's end. With `created` (a replica's table as it is being
  // created in `backfillTo`, not stored yet), the new replica's links:
  // the first region's fills it first (its backfill).
  std::vector<std::pair<std::string, std::string>> newLinks(const std::string& account, const std::string& name,
                                                            const std::vector<std::string>& regions,
                                                            const std::string& backfillTo, const Json* created);
  void linkRegions(const std::string& account, const std::string& name, const std::vector<std::string>& regions);
  // Removes every link from or to `region`'s replica (table id `tableId`).
  void unlinkRegion(const std::string& account, const std::string& name, const std::string& region,
                    const std::string& tableId);

  // A new replica's backfill is done: it is ACTIVE in every replica's set.
  void markActive(const std::string& account, const std::string& name, const std::string& region);

  TableStore& store() { return store_; }
  SystemTime now() const { return clock_->now(); }

 private:
  Result<Json> createReplica(const RequestContext& c, const Json& source, const Json& action);
  Result<Json> deleteReplica(const RequestContext& c, const Json& source, const std::string& region);
  // Legacy handlers.
  Result<Json> createGlobalTable(const RequestContext& c, const Json& in);
  Result<Json> describeGlobalTable(const RequestContext& c, const Json& in);
  Result<Json> updateGlobalTable(const RequestContext& c, const Json& in);
  Result<Json> listGlobalTables(const RequestContext& c, const Json& in);
  Result<Json> describeGlobalTableSettings(const RequestContext& c, const Json& in);
  Result<Json> updateGlobalTableSettings(const RequestContext& c, const Json& in);
  Result<Json> legacyDescription(const RequestContext& c, const std::string& name);
  std::optional<ApiError> checkLegacyMember(const RequestContext& c, const std::string& name,
                                            const std::string& region, bool mustBeEmpty);

  TableStore& store_;
  ClockPtr clock_;
  kms::KeyManager* keys_;
  // One change of a replica set at a time (it is written into every
  // replica's description): both APIs, deletions and the replicator's.
  std::recursive_mutex setMutex_;
};

// The cursor key of one link, and the prefix of a source's links.
std::string replicationCursorKey(const std::string& sourceTableId, const std::string& targetRegion);

}  // namespace kura::ddb
