// The SQL workload on MySQL and MariaDB, through libmariadb.
#include <fmt/format.h>
#include <mysql.h>

#include "drill/sql_workload.h"

namespace kura::drill {
namespace {

class MariaDbWorkload final : public Workload {
 public:
  MariaDbWorkload(DatabaseTarget target, std::string table)
      : target_(std::move(target)),
        table_((target_.dbName.empty() ? std::string("kura_drill") : target_.dbName) + "." + table) {}
  ~MariaDbWorkload() override { disconnect(); }

  std::string describe() const override {
    return fmt::format("MySQL table {} at {}:{}, one INSERT per write (libmariadb)", table_, target_.host,
                       target_.port);
  }

  std::optional<std::string> prepare() override {
    if (target_.dbName.empty()) {
      if (auto failed = execute("CREATE DATABASE IF NOT EXISTS kura_drill", 10, nullptr)) return failed;
    }
    return execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, ts timestamp(6) NOT NULL "
                               "DEFAULT current_timestamp(6)) ENGINE=InnoDB",
                               table_),
                   10, nullptr);
  }

  std::optional<std::string> write(int64_t id, std::chrono::milliseconds timeout) override {
    unsigned seconds = static_cast<unsigned>(std::max<int64_t>(1, (timeout.count() + 999) / 1000));
    return execute(fmt::format("INSERT INTO {} (id) VALUES ({})", table_, id), seconds, nullptr);
  }

  std::optional<std::set<int64_t>> readBack(std::string& error) override {
    disconnect();
    std::set<int64_t> ids;
    if (auto failed = execute(fmt::format("SELECT id FROM {}", table_), 30, &ids)) {
      error = *failed;
      return std::nullopt;
    }
    return ids;
  }

  std::optional<std::string> eraseAll() override { return execute(fmt::format("DELETE FROM {}", table_), 10, nullptr); }

  void cleanup() override { execute(fmt::format("DROP TABLE IF EXISTS {}", table_), 10, nullptr); }

 private:
  void disconnect() {
    if (connection_ != nullptr) mysql_close(connection_);
    connection_ = nullptr;
  }

  std::optional<std::string> connect(unsigned timeoutSeconds) {
    connection_ = mysql_init(nullptr);
    unsigned connectTimeout = 2;
    mysql_options(connection_, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
    mysql_options(connection_, MYSQL_OPT_READ_TIMEOUT, &timeoutSeconds);
    mysql_options(connection_, MYSQL_OPT_WRITE_TIMEOUT, &timeoutSeconds);
    if (mysql_real_connect(connection_, target_.host.c_str(), target_.user.c_str(), target_.password.c_str(), nullptr,
                           static_cast<unsigned>(target_.port), nullptr, 0) == nullptr) {
      std::string error = mysql_error(connection_);
      disconnect();
      return error.empty() ? "cannot connect" : error;
    }
    timeout_ = timeoutSeconds;
    return std::nullopt;
  }

  std::optional<std::string> execute(const std::string& sql, unsigned timeoutSeconds, std::set<int64_t>* ids) {
    if (connection_ != nullptr && timeout_ != timeoutSeconds) disconnect();  // the timeouts are set at connect
    if (connection_ == nullptr) {
      if (auto failed = connect(timeoutSeconds)) return failed;
    }
    if (mysql_real_query(connection_, sql.data(), sql.size()) != 0) {
      std::string error = mysql_error(connection_);
      disconnect();
      return error;
    }
    MYSQL_RES* result = mysql_store_result(connection_);
    if (result != nullptr) {
      while (MYSQL_ROW row = mysql_fetch_row(result)) {
        if (ids != nullptr && row[0] != nullptr) ids->insert(std::stoll(row[0]));
      }
      mysql_free_result(result);
    } else if (mysql_field_count(connection_) != 0) {
      std::string error = mysql_error(connection_);
      disconnect();
      return error;
    }
    return std::nullopt;
  }

  DatabaseTarget target_;
  std::string table_;
  MYSQL* connection_ = nullptr;
  unsigned timeout_ = 0;
};

}  // namespace

WorkloadPtr makeMariaDbWorkload(const DatabaseTarget& target, const std::string& table) {
  return std::make_unique<MariaDbWorkload>(target, table);
}

}  // namespace kura::drill
