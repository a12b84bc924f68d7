// The events table of the Catalog (RDS and ElastiCache DescribeEvents).
#include <string>

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"

namespace kura {

using catalog_internal::fromMillis;
using catalog_internal::toMillis;

Event Catalog::addEvent(Event event) {
  if (event.date == SystemTime{}) event.date = clock_->now();
  transact([&] {
    db_.prepare(
           "INSERT INTO events (account_id, region, source_type, source_id, source_arn, message, categories, date) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, event.accountId)
        .bind(2, event.region)
        .bind(3, event.sourceType)
        .bind(4, event.sourceId)
        .bind(5, event.sourceArn)
        .bind(6, event.message)
        .bind(7, nlohmann::json(event.categories).dump())
        .bind(8, toMillis(event.date))
        .run();
    event.id = db_.lastInsertId();
  });
  return event;
}

EventPage Catalog::listEvents(const std::string& accountId, const std::string& region, const EventQuery& query) {
  std::string sql =
      "SELECT id, account_id, region, source_type, source_id, source_arn, message, categories, date FROM events "
      "WHERE account_id = ? AND region = ? AND id > ?";
  if (query.sourceType) sql += " AND source_type = ?";
  if (query.sourceId) sql += " AND source_id = ?";
  if (query.startTime) sql += " AND date >= ?";
  if (query.endTime) sql += " AND date <= ?";
  if (!query.categories.empty()) {
    sql += " AND EXISTS (SELECT 1 FROM json_each(events.categories) WHERE json_each.value IN (";
    for (size_t index = 0; index < query.categories.size(); ++index) sql += index == 0 ? "?" : ", ?";
    sql += "))";
  }
  sql += " ORDER BY id LIMIT ?";

  std::lock_guard lock(mutex_);
  auto statement = db_.prepare(sql);
  statement.bind(1, accountId).bind(2, region).bind(3, query.afterId);
  int parameter = 4;
  if (query.sourceType) statement.bind(parameter++, *query.sourceType);
  if (query.sourceId) statement.bind(parameter++, *query.sourceId);
  if (query.startTime) statement.bind(parameter++, toMillis(*query.startTime));
  if (query.endTime) statement.bind(parameter++, toMillis(*query.endTime));
  for (const auto& category : query.categories) statement.bind(parameter++, category);
  statement.bind(parameter, static_cast<int64_t>(query.limit) + 1);

  EventPage page;
  while (statement.step()) {
    Event event;
    event.id = statement.integer(0);
    event.accountId = statement.text(1);
    event.region = statement.text(2);
    event.sourceType = statement.text(3);
    event.sourceId = statement.text(4);
    event.sourceArn = statement.text(5);
    event.message = statement.text(6);
    event.categories = nlohmann::json::parse(statement.text(7)).get<std::vector<std::string>>();
    event.date = fromMillis(statement.integer(8));
    page.items.push_back(std::move(event));
  }
  if (page.items.size() > query.limit) {
    page.items.resize(query.limit);
    page.truncated = true;
  }
  return page;
}

size_t Catalog::pruneEvents(SystemTime cutoff) {
  return transact([&] {
    db_.prepare("DELETE FROM events WHERE date < ?").bind(1, toMillis(cutoff)).run();
    return static_cast<size_t>(db_.changes());
  });
}

}  // namespace kura
