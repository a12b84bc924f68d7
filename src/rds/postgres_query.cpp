#include "rds/postgres_query.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <memory>

#include "common/descriptor_shortage.h"

namespace kura::rds {
namespace {

struct ConnectionFree {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct ResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Connection = std::unique_ptr<PGconn, ConnectionFree>;
using Answer = std::unique_ptr<PGresult, ResultFree>;
using Deadline = std::chrono::steady_clock::time_point;

void ignoreNotice(void*, const char*) {}

// Waits for the connection's socket until the deadline; false once it passed.
bool waitFor(PGconn* connection, short events, Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd entry{PQsocket(connection), events, 0};
  return ::poll(&entry, 1, static_cast<int>(left.count())) == 1;
}

Connection connect(const PostgresTarget& target, Deadline deadline) {
  const std::string host = target.socketDir.string(), port = std::to_string(target.port);
  const char* keys[] = {"host", "port", "user", "dbname", "options", "application_name", nullptr};
  const char* values[] = {host.c_str(),           port.c_str(), target.user.c_str(), target.database.c_str(),
                          kKuraSessionOptions, "kura",       nullptr};
  Connection connection(PQconnectStartParams(keys, values, 0));
  if (!connection || PQstatus(connection.get()) == CONNECTION_BAD) {
    if (errno == EMFILE || errno == ENFILE) noteDescriptorError(errno);
    return nullptr;
  }
  PQsetNoticeProcessor(connection.get(), ignoreNotice, nullptr);  // a tenant's notices never reach Kura's log
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return nullptr;
    if (!waitFor(connection.get(), state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) return nullptr;
    state = PQconnectPoll(connection.get());
  }
  return connection;
}

}  // namespace

std::optional<std::vector<std::string>> firstRow(const PostgresTarget& target, const std::string& statement,
                                                 std::chrono::milliseconds timeout) {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  Connection connection = connect(target, deadline);
  // One row at a time, and none after the first: libpq holds a whole
  // answer in memory before handing it over, and the server is the
  // tenant's (a row is still held whole: PostgreSQL's own bound, 1 GB a
  // field, is all there is).
  if (!connection || PQsetnonblocking(connection.get(), 1) != 0 ||
      PQsendQuery(connection.get(), statement.c_str()) != 1 || PQsetSingleRowMode(connection.get()) != 1) {
    return std::nullopt;
  }
  // The query is short: it is sent whole before its answer is read.
  while (true) {
    int flushed = PQflush(connection.get());
    if (flushed == 0) break;
    if (flushed < 0 || !waitFor(connection.get(), POLLOUT, deadline)) return std::nullopt;
  }
  while (PQisBusy(connection.get())) {
    if (!waitFor(connection.get(), POLLIN, deadline) || PQconsumeInput(connection.get()) != 1) return std::nullopt;
  }
  Answer answer(PQgetResult(connection.get()));
  // The first row (what is left of the answer goes with the connection),
  // or none: an error, or an empty answer (PGRES_TUPLES_OK).
  if (!answer || PQresultStatus(answer.get()) != PGRES_SINGLE_TUPLE) return std::nullopt;
  std::vector<std::string> row;
  for (int field = 0; field < PQnfields(answer.get()); ++field) {
    row.emplace_back(PQgetisnull(answer.get(), 0, field) ? "" : PQgetvalue(answer.get(), 0, field));
  }
  return row;
}

}  // namespace kura::rds
