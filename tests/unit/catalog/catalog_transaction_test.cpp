// The catalog's transactions after a COMMIT that fails: SQLite may end the
// transaction by itself, and the depth of nesting must stay right whatever
// happens (it once went to -1, and every later call failed with
// `near "-": syntax error` until a restart).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "catalog_test_support.h"

namespace kura {
namespace {

constexpr const char* kArn = "arn:aws:rds:ap-northeast-1:000000000000:pg:test";

// Makes every COMMIT that follows a tag named "fail" fail: the tag's
// trigger breaks a deferred foreign key, checked at COMMIT.
void failCommitsOfTagFail(const std::filesystem::path& dataDir) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dataDir / "catalog.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db,
                        "CREATE TABLE test_parent (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE test_child (parent INTEGER REFERENCES test_parent(id) DEFERRABLE INITIALLY "
                        "DEFERRED);"
                        "CREATE TRIGGER test_fail AFTER INSERT ON tags WHEN NEW.key = 'fail' "
                        "BEGIN INSERT INTO test_child VALUES (42); END;",
                        nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(CatalogTransactions, AFailedCommitLeavesTheCatalogWorking) {
  testing::ScopedTestDir scoped("catalog");
  const auto& dir = scoped.path;
  Catalog catalog(dir);
  failCommitsOfTagFail(dir);
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_THROW(catalog.addTags(kArn, {{"fail", "v"}}), SqliteError);
  }
  catalog.addTags(kArn, {{"one", "v"}});
  EXPECT_EQ(catalog.listTags(kArn), (std::vector<Tag>{{"one", "v"}}));
}

TEST(CatalogTransactions, AFailedCommitOfNestedCallsUndoesThemAll) {
  testing::ScopedTestDir scoped("catalog");
  const auto& dir = scoped.path;
  Catalog catalog(dir);
  failCommitsOfTagFail(dir);
  EXPECT_THROW(catalog.transact([&] {
    catalog.addTags(kArn, {{"kept-not", "v"}});
    catalog.addTags(kArn, {{"fail", "v"}});
  }),
               SqliteError);
  EXPECT_TRUE(catalog.listTags(kArn).empty());
  // Nested calls work afterwards: no savepoint named from a wrong depth.
  catalog.transact([&] {
    catalog.addTags(kArn, {{"a", "v"}});
    catalog.transact([&] { catalog.addTags(kArn, {{"b", "v"}}); });
  });
  EXPECT_EQ(catalog.listTags(kArn), (std::vector<Tag>{{"a", "v"}, {"b", "v"}}));
}

TEST(CatalogTransactions, ARollbackSqliteAlreadyMadeLeavesTheCatalogWorking) {
  // RAISE(ROLLBACK) ends the whole transaction inside a statement, as
  // SQLite does by itself after some SQLITE_FULL and SQLITE_IOERR failures.
  testing::ScopedTestDir scoped("catalog");
  const auto& dir = scoped.path;
  Catalog catalog(dir);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "catalog.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER test_abort BEFORE INSERT ON tags WHEN NEW.key = 'abort' "
                         "BEGIN SELECT RAISE(ROLLBACK, 'rolled back by SQLite'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_THROW(catalog.transact([&] {
      catalog.addTags(kArn, {{"lost", "v"}});
      catalog.addTags(kArn, {{"abort", "v"}});
    }),
                 SqliteError);
  }
  EXPECT_TRUE(catalog.listTags(kArn).empty());
  catalog.transact([&] {
    catalog.addTags(kArn, {{"a", "v"}});
    catalog.transact([&] { catalog.addTags(kArn, {{"b", "v"}}); });
  });
  EXPECT_EQ(catalog.listTags(kArn).size(), 2u);
}

}  // namespace
}  // namespace kura
