#pragma once
// A thin RAII layer over SQLite's C API for Kura's small stores (logs,
// service state): WAL, synchronous=FULL, foreign keys, prepared statements.
// Not thread-safe by itself: each store guards its SqliteDb with a mutex.
// Prepared statements are kept for the next prepare() of the same SQL
// (compiling a statement cost more than running most of the catalog's).
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kura {

class SqliteError : public std::runtime_error {
 public:
  explicit SqliteError(const std::string& message, int code = SQLITE_ERROR)
      : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }  // SQLite's primary result code (SQLITE_FULL, ...)

 private:
  int code_;
};

// Marks the store failing in StoreHealth while its writes fail for a full
// disk or an I/O error, and recovered at its next write that succeeds.
class SqliteHealth {
 public:
  explicit SqliteHealth(std::string store) : store_(std::move(store)) {}
  void failed(int code, const std::string& message);
  void wrote() {
    if (failing_.load(std::memory_order_relaxed)) recovered();
  }
  const std::string& store() const { return store_; }

 private:
  void recovered();
  std::string store_;
  std::atomic<bool> failing_{false};
};

class SqliteStatement {
 public:
  // `nesting`: the owning SqliteDb's transaction depth, if any (see step()).
  SqliteStatement(sqlite3* db, std::string_view sql, SqliteHealth* health = nullptr, const int* nesting = nullptr);
  // A statement prepared before, kept in `home` (a list of free statements
  // of the same SQL), where it goes back, reset, when this one ends.
  SqliteStatement(sqlite3* db, sqlite3_stmt* prepared, std::vector<sqlite3_stmt*>* home, SqliteHealth* health,
                  const int* nesting);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bindReal(int index, double value);  // named apart: an int would match both
  SqliteStatement& bindNull(int index);
  SqliteStatement& bind(int index, const std::optional<int64_t>& value);
  // Steps once: true while a row is available.
  bool step();
  void run();  // steps to completion
  void reset();  // ready to bind and run again
  int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  friend class SqliteDb;
  // Free statements kept per SQL: more than one when a statement is used
  // while another of the same SQL runs.
  static constexpr size_t kKeptPerSql = 4;

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  std::vector<sqlite3_stmt*>* home_ = nullptr;  // where it is kept when this one ends; null: finalized
  SqliteHealth* health_;
  const int* nesting_;
};

class SqliteDb {
 public:
  // Opens (creating) the database, in WAL mode with full sync.
  explicit SqliteDb(const std::filesystem::path& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(std::string_view sql);
  // A statement of `sql`: one kept from an earlier prepare() of the same
  // SQL when one is free (reset, no values bound), else a new one, kept
  // when it ends. At most kCachedSqlLimit distinct SQL texts are kept (SQL
  // built from values is compiled and finalized each time beyond that).
  SqliteStatement prepare(std::string_view sql);
  int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

  // Whether a transaction is open, as SQLite knows it: after SQLITE_FULL,
  // SQLITE_IOERR, SQLITE_NOMEM (and BUSY in some cases) SQLite may have
  // rolled the transaction back by itself, so no counter of ours can say.
  bool inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Ends the open transaction, if any, ignoring failures (a rollback is
  // what happens anyway when the connection is closed).
  void rollbackQuietly();

  // BEGIN IMMEDIATE ... COMMIT (a savepoint when nested), rolled back if
  // `work` throws.
  template <typename F>
  auto transaction(F&& work) {
    beginNested();
    if constexpr (std::is_void_v<decltype(work())>) {
      try {
        work();
      } catch (...) {
        rollbackNested();
        throw;
      }
      commitNested();
    } else {
      auto result = [&] {
        try {
          return work();
        } catch (...) {
          rollbackNested();
          throw;
        }
      }();
      commitNested();
      return result;
    }
  }

  // Nested transactions: the outermost is BEGIN IMMEDIATE ... COMMIT, the
  // inner ones savepoints named by their depth. The depth follows what
  // SQLite says: a transaction SQLite rolled back on its own fails the
  // COMMIT (or RELEASE) that would have ended it, and a failed COMMIT
  // ends the transaction, so the next begin starts clean. Each begin is
  // matched by exactly one commit or rollback; both always end their
  // level, even when they throw.
  void beginNested();
  void commitNested();
  void rollbackNested();  // never throws
  int nesting() const { return nesting_; }

 private:
  static constexpr size_t kCachedSqlLimit = 512;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>()(sql); }
  };

  sqlite3* db_ = nullptr;
  SqliteHealth health_;
  int nesting_ = 0;
  // Free prepared statements by their SQL; a node's list stays where it is
  // (an unordered_map does not move its values), so statements can point
  // back to it.
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>, SqlHash, std::equal_to<>> cached_;
};

}  // namespace kura
