#include "sql/sqlite_db.h"

#include <sys/statvfs.h>

#include "common/store_health.h"

namespace kura {
namespace {

// Free space under which a store marked failing for a full disk stays so
// until one of its writes succeeds: a small transaction and its WAL frames
// fit in much less.
constexpr uint64_t kRecoveredFreeBytes = 4u << 20;

bool hasRoom(const std::filesystem::path& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize >= kRecoveredFreeBytes;
}

}  // namespace

void SqliteHealth::failed(int code, const std::string& message) {
  int primary = code & 0xff;
  if (primary != SQLITE_FULL && primary != SQLITE_IOERR) return;
  failing_.store(true, std::memory_order_relaxed);
  StoreHealth::global().failing(store_, primary == SQLITE_FULL ? "disk full: " + store_
                                                               : "I/O error: " + store_ + ": " + message);
}

void SqliteHealth::recovered() {
  failing_.store(false, std::memory_order_relaxed);
  StoreHealth::global().recovered(store_);
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql, SqliteHealth* health, const int* nesting)
    : db_(db), health_(health), nesting_(nesting) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    int code = sqlite3_extended_errcode(db);
    std::string message = sqlite3_errmsg(db);
    if (health_ != nullptr) health_->failed(code, message);
    throw SqliteError("prepare failed: " + message + " in " + std::string(sql), code & 0xff);
  }
}

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* prepared, std::vector<sqlite3_stmt*>* home,
                                 SqliteHealth* health, const int* nesting)
    : db_(db), statement_(prepared), home_(home), health_(health), nesting_(nesting) {}

SqliteStatement::~SqliteStatement() {
  if (home_ == nullptr || home_->size() >= kKeptPerSql) {
    sqlite3_finalize(statement_);
    return;
  }
  // Kept for the next prepare() of its SQL: ended (a read statement left
  // mid-way would hold its snapshot of the database open) and unbound.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  home_->push_back(statement_);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bindReal(int index, double value) {
  sqlite3_bind_double(statement_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<int64_t>& value) {
  return value ? bind(index, *value) : bindNull(index);
}

bool SqliteStatement::step() {
  // Inside a transaction SQLite has rolled back on its own (a full disk):
  // a write now would be committed alone, outside the work it belongs to.
  if (nesting_ != nullptr && *nesting_ > 0 && sqlite3_get_autocommit(db_) != 0) {
    throw SqliteError("sqlite: the transaction was rolled back after an error", SQLITE_ABORT);
  }
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    // A write outside a transaction is committed: the store writes again.
    if (health_ != nullptr && !sqlite3_stmt_readonly(statement_) && sqlite3_get_autocommit(db_) != 0) {
      health_->wrote();
    }
    return false;
  }
  int code = sqlite3_extended_errcode(db_);
  std::string message = sqlite3_errmsg(db_);
  if (health_ != nullptr) health_->failed(code, message);
  throw SqliteError("step failed: " + message, code & 0xff);
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

double SqliteStatement::real(int column) const { return sqlite3_column_double(statement_, column); }

std::string SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

bool SqliteStatement::isNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

SqliteDb::SqliteDb(const std::filesystem::path& path) : health_(path.filename().string()) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw SqliteError("cannot open " + path.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  } catch (const SqliteError& error) {
    // The WAL's files cannot be made (a full disk): the file is named.
    sqlite3_close(db_);
    throw SqliteError("cannot open " + path.string() + ": " + error.what(), error.code());
  }
  // Marked failing for a full disk, the store is healthy again once there
  // is room, even before its next write.
  StoreHealth::global().setProbe(health_.store(), [dir = path.parent_path()] { return hasRoom(dir); });
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, statements] : cached_) {
    for (sqlite3_stmt* statement : statements) sqlite3_finalize(statement);
  }
  sqlite3_close(db_);
}

SqliteStatement SqliteDb::prepare(std::string_view sql) {
  auto found = cached_.find(sql);
  if (found == cached_.end()) {
    if (cached_.size() >= kCachedSqlLimit) return SqliteStatement(db_, sql, &health_, &nesting_);
    found = cached_.emplace(std::string(sql), std::vector<sqlite3_stmt*>()).first;
  }
  std::vector<sqlite3_stmt*>& free = found->second;
  if (!free.empty()) {
    sqlite3_stmt* statement = free.back();
    free.pop_back();
    return SqliteStatement(db_, statement, &free, &health_, &nesting_);
  }
  SqliteStatement fresh(db_, sql, &health_, &nesting_);
  // Handed over to a statement that goes back to `free` when it ends.
  sqlite3_stmt* statement = std::exchange(fresh.statement_, nullptr);
  return SqliteStatement(db_, statement, &free, &health_, &nesting_);
}

void SqliteDb::exec(std::string_view sql) {
  if (nesting_ > 0 && !inTransaction()) {  // as in SqliteStatement::step
    throw SqliteError("sqlite: the transaction was rolled back after an error", SQLITE_ABORT);
  }
  char* error = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    int code = sqlite3_extended_errcode(db_);
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    health_.failed(code, message);
    throw SqliteError("sqlite: " + message, rc & 0xff);
  }
  if (sqlite3_get_autocommit(db_) != 0) health_.wrote();
}

void SqliteDb::rollbackQuietly() {
  if (inTransaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteDb::beginNested() {
  if (nesting_ == 0) {
    // A transaction nobody ended (a failure between BEGIN and the end of
    // its level) must not swallow the next one.
    rollbackQuietly();
    exec("BEGIN IMMEDIATE");
  } else {
    if (!inTransaction()) {
      throw SqliteError("sqlite: the enclosing transaction was rolled back after an error", SQLITE_ABORT);
    }
    exec("SAVEPOINT nested_" + std::to_string(nesting_));
  }
  ++nesting_;
}

void SqliteDb::commitNested() {
  if (nesting_ <= 0) throw SqliteError("sqlite: commit without a transaction", SQLITE_MISUSE);
  int level = --nesting_;
  if (!inTransaction()) {
    // SQLite rolled the whole transaction back on its own (SQLITE_FULL,
    // SQLITE_IOERR, ...): nothing of this level was kept.
    throw SqliteError("sqlite: the transaction was rolled back after an error", SQLITE_ABORT);
  }
  if (level == 0) {
    try {
      exec("COMMIT");
    } catch (...) {
      rollbackQuietly();  // a failed COMMIT may leave the transaction open
      throw;
    }
  } else {
    std::string name = "nested_" + std::to_string(level);
    try {
      exec("RELEASE " + name);
    } catch (...) {
      sqlite3_exec(db_, ("ROLLBACK TO " + name + "; RELEASE " + name).c_str(), nullptr, nullptr, nullptr);
      throw;
    }
  }
}

void SqliteDb::rollbackNested() {
  if (nesting_ <= 0) return;
  int level = --nesting_;
  if (!inTransaction()) return;  // SQLite has already undone everything
  if (level == 0) {
    rollbackQuietly();
  } else {
    std::string name = "nested_" + std::to_string(level);
    sqlite3_exec(db_, ("ROLLBACK TO " + name + "; RELEASE " + name).c_str(), nullptr, nullptr, nullptr);
  }
}

}  // namespace kura
