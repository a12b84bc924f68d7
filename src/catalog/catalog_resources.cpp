// The resources table of the Catalog.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"

namespace kura {
namespace {

using catalog_internal::fromMillis;
using catalog_internal::toMillis;

constexpr const char* kColumns =
    "SELECT id, account_id, region, service, kind, name, arn, status, goal, spec, state, created_at, updated_at, "
    "version FROM resources ";

// A row's columns as stored, spec and state still text: read under the
// catalog's lock, parsed after it (parsing is most of a read's cost, and a
// list of many records held every other caller that long).
struct StoredRow {
  Resource resource;  // every field but spec and state
  std::string spec, state;
};

// Spec and state, which readStoredRow(row, false) left out.
void readStoredBodies(const SqliteStatement& row, StoredRow& stored) {
  stored.spec = row.text(9);
  stored.state = row.text(10);
}

StoredRow readStoredRow(const SqliteStatement& row, bool bodies = true) {
  StoredRow stored;
  Resource& resource = stored.resource;
  resource.id = row.integer(0);
  resource.accountId = row.text(1);
  resource.region = row.text(2);
  resource.service = row.text(3);
  resource.kind = row.text(4);
  resource.name = row.text(5);
  resource.arn = row.text(6);
  resource.status = row.text(7);
  resource.goal = row.text(8);
  if (bodies) readStoredBodies(row, stored);
  resource.createdAt = fromMillis(row.integer(11));
  resource.updatedAt = fromMillis(row.integer(12));
  resource.version = row.integer(13);
  return stored;
}

// Parses what readStoredRow read, outside the lock.
void appendParsed(std::vector<StoredRow>& rows, std::vector<Resource>& into) {
  into.reserve(into.size() + rows.size());
  for (StoredRow& row : rows) {
    // Written by this class from nlohmann::json::dump(): see readResource.
    row.resource.spec = nlohmann::json::parse(row.spec);
    row.resource.state = nlohmann::json::parse(row.state);
    into.push_back(std::move(row.resource));
  }
  rows.clear();
}

Resource readResource(const SqliteStatement& row) {
  StoredRow stored = readStoredRow(row);
  // Written by this class from nlohmann::json::dump(); a parse failure means
  // the file was damaged, which must not pass silently.
  stored.resource.spec = nlohmann::json::parse(stored.spec);
  stored.resource.state = nlohmann::json::parse(stored.state);
  return std::move(stored.resource);
}

// A page of one kind's records by name after a name: bindPage asks one
// more than the page's size, which tells whether another page follows.
constexpr const char* kPageWhere =
    "WHERE account_id = ? AND region = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?";

void bindPage(SqliteStatement& statement, const std::string& accountId, const std::string& region,
              const std::string& kind, const std::string& afterName, size_t limit) {
  statement.bind(1, accountId).bind(2, region).bind(3, kind).bind(4, afterName).bind(5, static_cast<int64_t>(limit) + 1);
}

ApiError notFound(const std::string& what) {
  return ApiError::sender(catalog_errors::kNotFound, what + " was not found in the catalog", 404);
}

}  // namespace

bool Catalog::resourceKeyTaken(const Resource& resource, int64_t exceptId) {
  auto statement = db_.prepare(
      "SELECT 1 FROM resources WHERE id <> ? AND "
      "((account_id = ? AND region = ? AND kind = ? AND name = ?) OR arn = ?)");
  statement.bind(1, exceptId)
      .bind(2, resource.accountId)
      .bind(3, resource.region)
      .bind(4, resource.kind)
      .bind(5, resource.name)
      .bind(6, resource.arn);
  return statement.step();
}

Result<Resource> Catalog::createResource(Resource resource) {
  return transact([&]() -> Result<Resource> {
    if (resourceKeyTaken(resource, 0)) {
      return ApiError::sender(catalog_errors::kAlreadyExists,
                              "a " + resource.kind + " named " + resource.name + " already exists in " +
                                  resource.region + " (or its ARN " + resource.arn + " is taken)",
                              409);
    }
    noteWrite(resource.service);
    int64_t now = nowMillis();
    db_.prepare(
           "INSERT INTO resources (account_id, region, service, kind, name, arn, status, goal, spec, state, "
           "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
        .bind(1, resource.accountId)
        .bind(2, resource.region)
        .bind(3, resource.service)
        .bind(4, resource.kind)
        .bind(5, resource.name)
        .bind(6, resource.arn)
        .bind(7, resource.status)
        .bind(8, resource.goal)
        .bind(9, resource.spec.dump())
        .bind(10, resource.state.dump())
        .bind(11, now)
        .bind(12, now)
        .run();
    resource.id = db_.lastInsertId();
    resource.createdAt = resource.updatedAt = fromMillis(now);
    resource.version = 1;
    return resource;
  });
}

Result<Resource> Catalog::getResource(const std::string& accountId, const std::string& region,
                                      const std::string& kind, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto statement =
      db_.prepare(std::string(kColumns) + "WHERE account_id = ? AND region = ? AND kind = ? AND name = ?");
  statement.bind(1, accountId).bind(2, region).bind(3, kind).bind(4, name);
  if (!statement.step()) return notFound(kind + " " + name);
  return readResource(statement);
}

Result<Resource> Catalog::getResourceByArn(const std::string& arn) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(std::string(kColumns) + "WHERE arn = ?");
  statement.bind(1, arn);
  if (!statement.step()) return notFound(arn);
  return readResource(statement);
}

Result<Resource> Catalog::getResourceById(int64_t id) {
  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(std::string(kColumns) + "WHERE id = ?");
  statement.bind(1, id);
  if (!statement.step()) return notFound("resource " + std::to_string(id));
  return readResource(statement);
}

ResourcePage Catalog::listResources(const std::string& accountId, const std::string& region,
                                    const std::string& kind, const std::string& afterName, size_t limit) {
  ResourcePage page;
  std::vector<StoredRow> rows;
  {
    std::lock_guard lock(mutex_);
    auto statement = db_.prepare(std::string(kColumns) + kPageWhere);
    bindPage(statement, accountId, region, kind, afterName, limit);
    while (statement.step()) rows.push_back(readStoredRow(statement));
  }
  appendParsed(rows, page.items);
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.truncated = true;
  }
  return page;
}

SharedResourcePage Catalog::listResources(const std::string& accountId, const std::string& region,
                                          const std::string& kind, const std::string& afterName, size_t limit,
                                          const KnownRecord& known) {
  SharedResourcePage page;
  std::vector<StoredRow> rows;
  std::vector<std::shared_ptr<const Resource>> slots;  // in order; empty where a row of `rows` goes
  {
    std::lock_guard lock(mutex_);
    page.committed = !db_.inTransaction();
    auto statement = db_.prepare(std::string(kColumns) + kPageWhere);
    bindPage(statement, accountId, region, kind, afterName, limit);
    while (statement.step()) {
      StoredRow row = readStoredRow(statement, false);
      std::shared_ptr<const Resource> kept = known && page.committed ? known(row.resource) : nullptr;
      if (kept && kept->id == row.resource.id && kept->version == row.resource.version) {
        slots.push_back(std::move(kept));
        continue;
      }
      readStoredBodies(statement, row);
      rows.push_back(std::move(row));
      slots.emplace_back();
    }
  }
  std::vector<Resource> parsed;
  appendParsed(rows, parsed);
  auto next = parsed.begin();
  page.items.reserve(slots.size());
  for (auto& slot : slots) {
    page.items.push_back(slot ? std::move(slot) : std::make_shared<const Resource>(std::move(*next++)));
  }
  if (page.items.size() > limit) {
    page.items.resize(limit);
    page.truncated = true;
  }
  return page;
}

Result<Resource> Catalog::updateResource(const Resource& resource) {
  return transact([&]() -> Result<Resource> {
    auto current = db_.prepare("SELECT version, service FROM resources WHERE id = ?");
    current.bind(1, resource.id);
    if (!current.step()) return notFound(resource.kind + " " + resource.name);
    noteWrite(current.text(1));
    noteWrite(resource.service);
    if (current.integer(0) != resource.version) {
      return ApiError::sender(catalog_errors::kVersionConflict,
                              resource.kind + " " + resource.name + " changed since it was read (version " +
                                  std::to_string(resource.version) + ", now " + std::to_string(current.integer(0)) +
                                  "); read it again and retry",
                              409);
    }
    if (resourceKeyTaken(resource, resource.id)) {
      return ApiError::sender(catalog_errors::kAlreadyExists,
                              "a " + resource.kind + " named " + resource.name + " already exists in " +
                                  resource.region + " (or its ARN " + resource.arn + " is taken)",
                              409);
    }
    int64_t now = nowMillis();
    db_.prepare(
           "UPDATE resources SET account_id = ?, region = ?, service = ?, kind = ?, name = ?, arn = ?, status = ?, "
           "goal = ?, spec = ?, state = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(1, resource.accountId)
        .bind(2, resource.region)
        .bind(3, resource.service)
        .bind(4, resource.kind)
        .bind(5, resource.name)
        .bind(6, resource.arn)
        .bind(7, resource.status)
        .bind(8, resource.goal)
        .bind(9, resource.spec.dump())
        .bind(10, resource.state.dump())
        .bind(11, now)
        .bind(12, resource.id)
        .run();
    Resource updated = resource;
    updated.updatedAt = fromMillis(now);
    updated.version = resource.version + 1;
    return updated;
  });
}

Result<bool> Catalog::removeResource(int64_t id, std::optional<int64_t> expectedVersion) {
  return transact([&]() -> Result<bool> {
    auto current = db_.prepare("SELECT version, arn, kind, name, service FROM resources WHERE id = ?");
    current.bind(1, id);
    if (!current.step()) return notFound("resource " + std::to_string(id));
    noteWrite(current.text(4));
    if (expectedVersion && current.integer(0) != *expectedVersion) {
      return ApiError::sender(catalog_errors::kVersionConflict,
                              current.text(2) + " " + current.text(3) + " changed since it was read; read it again",
                              409);
    }
    db_.prepare("DELETE FROM tags WHERE arn = ?").bind(1, current.text(1)).run();
    db_.prepare("DELETE FROM resources WHERE id = ?").bind(1, id).run();  // the journal goes by cascade
    return true;
  });
}

std::vector<Resource> Catalog::listPending() {
  std::lock_guard lock(mutex_);
  std::vector<Resource> pending;
  auto statement = db_.prepare(std::string(kColumns) + "WHERE status <> goal ORDER BY id");
  while (statement.step()) pending.push_back(readResource(statement));
  return pending;
}

std::vector<Resource> Catalog::listAllOfKind(const std::string& kind) {
  return listAllOfKind(kind, [](const Resource&) { return true; });
}

std::vector<Resource> Catalog::listAllOfKind(const std::string& kind,
                                             const std::function<bool(const Resource&)>& wanted) {
  // Read a chunk at a time, the catalog free for other callers between
  // chunks: the supervisors read every instance twice a second, and at
  // 10,000 of them one read held every API call for about 100 ms. A caller
  // inside a transaction keeps the lock throughout (it is recursive). The
  // records are parsed with the lock free: a chunk holds it for the rows'
  // bytes only (about a tenth of a parsed read), and an unwanted row's spec
  // and state are not even copied out of SQLite. Between chunks the callers
  // that waited go first: else this thread takes the catalog back before
  // they wake, and a page of DescribeDBInstances waited for the whole scan
  // (20 to 40 ms at 10,000 instances, twice a second). A scan lets them go
  // first for at most 5 ms in all.
  constexpr int64_t kChunk = 64;
  std::chrono::steady_clock::duration yieldBudget = std::chrono::milliseconds(5);
  std::vector<Resource> resources;
  std::vector<StoredRow> rows;
  int64_t after = 0;
  for (;;) {
    int64_t read = 0;
    bool heldAcross = false;  // the caller holds the catalog (a transaction): no one gets it between chunks
    {
      std::lock_guard lock(mutex_);
      heldAcross = db_.nesting() > 0;
      auto statement = db_.prepare(std::string(kColumns) + "WHERE kind = ? AND id > ? ORDER BY id LIMIT ?");
      statement.bind(1, kind).bind(2, after).bind(3, kChunk);
      while (statement.step()) {
        ++read;
        StoredRow row = readStoredRow(statement, false);
        after = row.resource.id;
        if (!wanted(row.resource)) continue;
        readStoredBodies(statement, row);
        rows.push_back(std::move(row));
      }
    }
    appendParsed(rows, resources);
    if (read < kChunk) return resources;
    if (!heldAcross) mutex_.yieldToWaiters(yieldBudget);
  }
}

std::vector<Resource> Catalog::listReadReplicasOfAny(const std::vector<std::string>& sourceArns) {
  std::vector<Resource> resources;
  if (sourceArns.empty()) return resources;
  std::vector<StoredRow> rows;
  {
    std::lock_guard lock(mutex_);
    // One statement whatever the count (the ARNs as one JSON array): the
    // expression index answers each of them.
    auto statement = db_.prepare(std::string(kColumns) +
                                 "WHERE json_extract(spec, '$.ReadReplicaSourceArn') IN "
                                 "(SELECT value FROM json_each(?)) ORDER BY id");
    statement.bind(1, nlohmann::json(sourceArns).dump());
    while (statement.step()) rows.push_back(readStoredRow(statement));
  }
  appendParsed(rows, resources);
  return resources;
}

std::vector<Resource> Catalog::listReadReplicasOf(const std::string& sourceArn) {
  std::lock_guard lock(mutex_);
  std::vector<Resource> resources;
  auto statement =
      db_.prepare(std::string(kColumns) + "WHERE json_extract(spec, '$.ReadReplicaSourceArn') = ? ORDER BY id");
  statement.bind(1, sourceArn);
  while (statement.step()) resources.push_back(readResource(statement));
  return resources;
}

}  // namespace kura
