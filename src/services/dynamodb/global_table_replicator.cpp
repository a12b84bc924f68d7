#include "services/dynamodb/global_table_replicator.h"

#include <spdlog/spdlog.h>

#include "common/deferred_syncs.h"

#include <set>
#include <utility>
#include <vector>

namespace kura::ddb {
namespace {

constexpr size_t kRecordsPerRead = 500;

// The stored key of the item a stream record names, by the table's schema.
std::optional<std::string> keyOfRecord(const Json& table, const Json& keys) {
  const Json* hash = nullptr;
  const Json* range = nullptr;
  for (const Json& element : table["KeySchema"]) {
    auto it = keys.find(element.value("AttributeName", ""));
    if (it == keys.end()) return std::nullopt;
    (element.value("KeyType", "") == "HASH" ? hash : range) = &*it;
  }
  if (hash == nullptr) return std::nullopt;
  return TableStore::encodeKey(*hash, range);
}

}  // namespace

GlobalTableReplicator::GlobalTableReplicator(GlobalTables& tables, std::chrono::milliseconds interval)
    : tables_(tables), task_("global table replication", interval, [this] {
        // Catch up before resting: a pass reads at most kRecordsPerRead of each link.
        for (int round = 0; round < 20 && replicateOnce() > 0; ++round) {
        }
        if (linksLastPass_ == 0) task_.waitLongerOnce(std::chrono::milliseconds(200));
        if (std::chrono::steady_clock::now() - lastPrune_ > std::chrono::minutes(1)) pruneTombstones();
      }) {}

void GlobalTableReplicator::pruneTombstones() {
  lastPrune_ = std::chrono::steady_clock::now();
  TableStore& store = tables_.store();
  std::set<std::string> tables;  // each replica that sends changes
  store.listMeta("gc|", [&](const std::string&, Json link) { tables.insert(link.value("SourceId", "")); });
  int64_t cutoff = std::chrono::duration_cast<std::chrono::microseconds>(
                       (std::chrono::system_clock::now() - std::chrono::hours(25)).time_since_epoch())
                       .count();
  for (const std::string& table : tables) {
    if (!table.empty()) store.pruneTombstones(table, cutoff);
  }
}

size_t GlobalTableReplicator::replicateOnce() {
  TableStore& store = tables_.store();
  std::vector<std::pair<std::string, Json>> links;
  store.listMeta("gc|", [&](const std::string& key, Json link) { links.emplace_back(key, std::move(link)); });
  linksLastPass_ = links.size();
  size_t applied = 0;
  for (auto& [key, link] : links) {
    std::string account = link.value("Account", ""), name = link.value("Table", "");
    auto source = store.tableShared({account, link.value("Region", ""), name});
    auto target = store.tableShared({account, link.value("Target", ""), name});
    // A replica being deleted, or a table of the same name that is not the one linked.
    if (!source || !target || !source->contains("_stream") ||
        (*source)["_id"] != link.value("SourceId", "") || (*target)["_id"] != link.value("TargetId", "")) {
      continue;
    }
    if (link.value("Backfill", false)) {
      if (!backfill(link, *source, *target)) continue;
      link["Backfill"] = false;
      store.putMeta(key, link);
      tables_.markActive(link.value("Account", ""), link.value("Table", ""), link.value("Target", ""));
    }
    std::string streamId = link.value("StreamId", "");
    std::string targetId = (*target)["_id"];
    uint64_t cursor = link.value("Sequence", uint64_t{0});
    uint64_t last = store.lastStreamSequence(streamId);
    if (last <= cursor) continue;
    auto records = store.streamRecords(streamId, cursor + 1, last, kRecordsPerRead);
    // The changes' WAL syncs run beside each other; the cursor moves once
    // they have all ended.
    DeferredSyncs syncs;
    for (const auto& [sequence, text] : records) {
      cursor = sequence;
      auto stamp = store.recordStamp(streamId, sequence);
      // Only the source's own changes: one that came from another replica
      // reached this target from there.
      if (!stamp || stamp->replicated) continue;
      Json record = Json::parse(text, nullptr, false);
      if (!record.is_object() || !record.contains("dynamodb")) continue;
      const Json& change = record["dynamodb"];
      auto itemKey = keyOfRecord(*target, change.value("Keys", Json::object()));
      if (!itemKey) continue;
      std::optional<Json> item;
      if (record.value("eventName", "") != "REMOVE" && change.contains("NewImage")) item = change["NewImage"];
      auto done = store.applyReplicated(targetId, *itemKey, item, *stamp);
      if (!done) {
        spdlog::warn("msg=\"a global table change could not be replicated\" table={} target={} error=\"{}\"", name,
                     link.value("Target", ""), done.error().message);
        cursor = sequence - 1;  // tried again on the next pass
        break;
      }
      ++applied;
    }
    if (std::string error = syncs.waitAll(); !error.empty()) {
      spdlog::warn("msg=\"replicated changes could not be synced\" table={} error=\"{}\"", name, error);
      continue;
    }
    if (cursor != link.value("Sequence", uint64_t{0})) {
      link["Sequence"] = cursor;
      store.putMeta(key, link);
    }
  }
  return applied;
}

bool GlobalTableReplicator::backfill(const Json& link, const Json& source, const Json& target) {
  TableStore& store = tables_.store();
  std::string sourceId = source["_id"], targetId = target["_id"];
  std::string region = link.value("Region", "");
  bool ok = true;
  DeferredSyncs syncs;  // one sync latency for the whole copy, not one per item
  store.scanItems(sourceId, "", "", [&](const std::string& key, Json item) {
    // The item with its stamp: a later change to it, here or anywhere,
    // wins over the copy (an item never stamped is older than any change).
    TableStore::ReplicaStamp stamp = store.itemStamp(sourceId, key).value_or(TableStore::ReplicaStamp{0, region});
    if (auto done = store.applyReplicated(targetId, key, item, stamp); !done) {
      ok = false;
      return false;
    }
    return true;
  });
  return syncs.waitAll().empty() && ok;
}

}  // namespace kura::ddb
