#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/store_health.h"
#include "sql/sqlite_db.h"

namespace kura {
namespace {

namespace fs = std::filesystem;

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-sql-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = std::make_unique<SqliteDb>(dir_ / "test.db");
    db_->exec("CREATE TABLE t (v TEXT NOT NULL)");
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  int64_t rows() {
    auto count = db_->prepare("SELECT COUNT(*) FROM t");
    count.step();
    return count.integer(0);
  }
  void insert(const std::string& value) { db_->prepare("INSERT INTO t (v) VALUES (?)").bind(1, value).run(); }
  // Caps the database at its current size: the next growth fails with
  // SQLITE_FULL, as a full disk does.
  void capAtCurrentSize() {
    auto pages = db_->prepare("PRAGMA page_count");
    pages.step();
    db_->exec("PRAGMA max_page_count = " + std::to_string(pages.integer(0)));
  }

  fs::path dir_;
  std::unique_ptr<SqliteDb> db_;
};

// Work that catches an error SQLite answered by rolling the transaction back
// cannot go on writing: its next write would be committed alone.
TEST_F(SqliteDbTest, NoWriteRunsAloneAfterSQLiteRolledTheTransactionBack) {
  db_->exec("CREATE TABLE guard (v TEXT)");
  db_->exec("CREATE TRIGGER undo BEFORE INSERT ON guard BEGIN SELECT RAISE(ROLLBACK, 'rolled back'); END");
  EXPECT_THROW(db_->transaction([&] {
    insert("first");
    try {
      db_->prepare("INSERT INTO guard (v) VALUES ('x')").run();
    } catch (const SqliteError&) {
      // swallowed by careless work
    }
    insert("second");
  }),
               SqliteError);
  EXPECT_EQ(rows(), 0);
  EXPECT_EQ(db_->nesting(), 0);
  insert("after");
  EXPECT_EQ(rows(), 1);
}

TEST_F(SqliteDbTest, AFullDatabaseFailsTheTransactionAndTheNextOneWorks) {
  insert("before");
  capAtCurrentSize();
  std::string big(64 * 1024, 'x');
  try {
    db_->transaction([&] {
      for (int i = 0; i < 8; ++i) insert(big);
    });
    FAIL() << "the transaction should not fit";
  } catch (const SqliteError& error) {
    EXPECT_EQ(error.code(), SQLITE_FULL) << error.what();
  }
  EXPECT_EQ(db_->nesting(), 0);
  EXPECT_FALSE(db_->inTransaction());
  EXPECT_EQ(rows(), 1);
  db_->exec("PRAGMA max_page_count = 1000000");
  db_->transaction([&] { insert("after"); });
  EXPECT_EQ(rows(), 2);
}

TEST_F(SqliteDbTest, ATransactionSqliteRolledBackByItselfLeavesTheDepthRight) {
  // SQLite ends the whole transaction by itself after some SQLITE_FULL or
  // SQLITE_IOERR failures; a ROLLBACK from inside does the same to it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_THROW(db_->transaction([&] {
      insert("outer");
      db_->transaction([&] {
        insert("inner");
        db_->exec("ROLLBACK");
      });
    }),
                 SqliteError);
    EXPECT_EQ(db_->nesting(), 0);
    EXPECT_FALSE(db_->inTransaction());
  }
  EXPECT_EQ(rows(), 0);
  // The next transactions, nested ones too, work: no savepoint is ever
  // named from a depth below zero.
  db_->transaction([&] {
    insert("a");
    db_->transaction([&] { insert("b"); });
  });
  EXPECT_EQ(rows(), 2);
  EXPECT_EQ(db_->nesting(), 0);
}

TEST_F(SqliteDbTest, AFailedCommitEndsTheTransaction) {
  // A deferred foreign key fails the COMMIT itself, which leaves SQLite's
  // transaction open: the commit must end it.
  db_->exec(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)");
  EXPECT_THROW(db_->transaction([&] {
    insert("lost");
    db_->exec("INSERT INTO child (parent) VALUES (42)");
  }),
               SqliteError);
  EXPECT_EQ(db_->nesting(), 0);
  EXPECT_FALSE(db_->inTransaction());
  EXPECT_EQ(rows(), 0);
  db_->transaction([&] { insert("kept"); });
  EXPECT_EQ(rows(), 1);
}

TEST_F(SqliteDbTest, AnInnerFailureRollsBackOnlyItsSavepoint) {
  db_->transaction([&] {
    insert("outer");
    EXPECT_THROW(db_->transaction([&] {
      insert("inner");
      throw SqliteError("refused");
    }),
                 SqliteError);
    EXPECT_EQ(db_->nesting(), 1);
  });
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(db_->nesting(), 0);
}

TEST_F(SqliteDbTest, AFullDiskMarksTheStoreFailingUntilAWriteSucceeds) {
  StoreHealth::global().removeProbe("test.db");  // this machine's disk has room
  capAtCurrentSize();
  std::string big(64 * 1024, 'x');
  EXPECT_THROW(db_->transaction([&] { insert(big); }), SqliteError);
  auto problems = StoreHealth::global().problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].first, "test.db");
  EXPECT_EQ(problems[0].second, "disk full: test.db");
  db_->exec("PRAGMA max_page_count = 1000000");
  db_->transaction([&] { insert(big); });
  EXPECT_TRUE(StoreHealth::global().problems().empty());
}

TEST_F(SqliteDbTest, AKeptStatementComesBackResetAndUnbound) {
  insert("a");
  insert("b");
  {
    // Left mid-way, with a value bound: it must not keep either.
    auto select = db_->prepare("SELECT v FROM t WHERE v >= ? ORDER BY v");
    select.bind(1, "a");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.text(0), "a");
  }
  // Its read ended: a row another connection commits now is seen.
  SqliteDb other(dir_ / "test.db");
  other.prepare("INSERT INTO t (v) VALUES ('c')").run();
  EXPECT_EQ(rows(), 3);
  auto again = db_->prepare("SELECT v FROM t WHERE v >= ? ORDER BY v");
  // Unbound: NULL compares as nothing.
  EXPECT_FALSE(again.step());
  again.reset();
  again.bind(1, "b");
  ASSERT_TRUE(again.step());
  EXPECT_EQ(again.text(0), "b");
}

TEST_F(SqliteDbTest, TheSameSqlRunsNestedInItself) {
  insert("a");
  insert("b");
  auto outer = db_->prepare("SELECT v FROM t ORDER BY v");
  std::string seen;
  while (outer.step()) {
    seen += outer.text(0);
    auto inner = db_->prepare("SELECT v FROM t ORDER BY v");
    while (inner.step()) seen += inner.text(0);
    seen += "|";
  }
  EXPECT_EQ(seen, "aab|bab|");
}

TEST_F(SqliteDbTest, SqlBuiltFromValuesIsNotKeptWithoutBound) {
  // More distinct texts than are kept: each still runs.
  for (int i = 0; i < 600; ++i) {
    auto select = db_->prepare("SELECT " + std::to_string(i));
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.integer(0), i);
  }
  EXPECT_EQ(rows(), 0);
}

TEST_F(SqliteDbTest, AKeptStatementSeesTheSchemaChangedUnderIt) {
  insert("a");
  EXPECT_EQ(rows(), 1);
  db_->exec("ALTER TABLE t ADD COLUMN w INTEGER");
  db_->exec("DROP TABLE t");
  db_->exec("CREATE TABLE t (v TEXT NOT NULL)");
  EXPECT_EQ(rows(), 0);
}

}  // namespace
}  // namespace kura
