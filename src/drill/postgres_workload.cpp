// The SQL workload on PostgreSQL, through libpq.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include "drill/sql_workload.h"

namespace kura::drill {
namespace {

using Clock = std::chrono::steady_clock;

std::string oneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

class PostgresWorkload final : public Workload {
 public:
  PostgresWorkload(DatabaseTarget target, std::string table) : target_(std::move(target)), table_(std::move(table)) {}
  ~PostgresWorkload() override { disconnect(); }

  std::string describe() const override {
    return fmt::format("PostgreSQL table {} in {} at {}:{}, one INSERT per write (libpq)", table_, target_.dbName,
                       target_.host, target_.port);
  }

  std::optional<std::string> prepare() override {
    return execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, ts timestamptz NOT NULL "
                               "DEFAULT now())",
                               table_),
                   std::chrono::seconds(10), nullptr);
  }

  std::optional<std::string> write(int64_t id, std::chrono::milliseconds timeout) override {
    return execute(fmt::format("INSERT INTO {} (id) VALUES ({})", table_, id), timeout, nullptr);
  }

  std::optional<std::set<int64_t>> readBack(std::string& error) override {
    disconnect();  // a new connection: the one of the workload may be to the old primary
    std::set<int64_t> ids;
    if (auto failed = execute(fmt::format("SELECT id FROM {}", table_), std::chrono::seconds(30), &ids)) {
      error = *failed;
      return std::nullopt;
    }
    return ids;
  }

  std::optional<std::string> eraseAll() override {
    return execute(fmt::format("DELETE FROM {}", table_), std::chrono::seconds(10), nullptr);
  }

  void cleanup() override {
    execute(fmt::format("DROP TABLE IF EXISTS {}", table_), std::chrono::seconds(10), nullptr);
  }

 private:
  void disconnect() {
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
  }

  std::optional<std::string> connect() {
    std::string port = std::to_string(target_.port);
    const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", "application_name", nullptr};
    const char* values[] = {target_.host.c_str(),   port.c_str(), target_.user.c_str(), target_.password.c_str(),
                            target_.dbName.c_str(), "2",          "kura-drill",         nullptr};
    connection_ = PQconnectdbParams(keys, values, 0);
    if (PQstatus(connection_) == CONNECTION_OK) return std::nullopt;
    std::string error = oneLine(PQerrorMessage(connection_));
    disconnect();
    return error.empty() ? "cannot connect" : error;
  }

  // Runs one statement within `timeout`; a statement not answered in time
  // drops its connection (the next write opens a new one).
  std::optional<std::string> execute(const std::string& sql, std::chrono::milliseconds timeout,
                                     std::set<int64_t>* ids) {
    auto deadline = Clock::now() + timeout;
    if (connection_ == nullptr) {
      if (auto failed = connect()) return failed;
    }
    if (PQsendQuery(connection_, sql.c_str()) != 1) {
      std::string error = oneLine(PQerrorMessage(connection_));
      disconnect();
      return error;
    }
    while (PQisBusy(connection_)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        disconnect();
        return "no answer within " + std::to_string(timeout.count()) + " ms";
      }
      pollfd socket{PQsocket(connection_), POLLIN, 0};
      if (::poll(&socket, 1, static_cast<int>(left)) < 0 || PQconsumeInput(connection_) != 1) {
        std::string error = oneLine(PQerrorMessage(connection_));
        disconnect();
        return error;
      }
    }
    std::optional<std::string> error;
    while (PGresult* result = PQgetResult(connection_)) {
      ExecStatusType status = PQresultStatus(result);
      if (status == PGRES_TUPLES_OK && ids != nullptr) {
        for (int row = 0; row < PQntuples(result); ++row) ids->insert(std::stoll(PQgetvalue(result, row, 0)));
      } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !error) {
        error = oneLine(PQresultErrorMessage(result));
      }
      PQclear(result);
    }
    if (PQstatus(connection_) != CONNECTION_OK) {
      disconnect();
      if (!error) error = "the connection was lost";
    }
    return error;
  }

  DatabaseTarget target_;
  std::string table_;
  PGconn* connection_ = nullptr;
};

}  // namespace

WorkloadPtr makePostgresWorkload(const DatabaseTarget& target, const std::string& table) {
  return std::make_unique<PostgresWorkload>(target, table);
}

}  // namespace kura::drill
