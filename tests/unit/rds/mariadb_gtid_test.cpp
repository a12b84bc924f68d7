// The GTID positions MariaDB reports, as the replication and the
// binary log replay read them.
#include <gtest/gtest.h>

#include "rds/mariadb_files.h"

namespace kura::rds::mariadb {
namespace {

TEST(MariaDbGtid, TheSequenceOfDomainZeroIsRead) {
  EXPECT_EQ(gtidSequence("0-1-57"), 57u);
  EXPECT_EQ(gtidSequence("0-30814-7087\n"), 7087u);
  EXPECT_EQ(gtidSequence("1-2-3,0-20354-8486"), 8486u);
  EXPECT_EQ(gtidSequence("1-2-3, 0-5-9"), 9u);
}

TEST(MariaDbGtid, NoDomainZeroOrNoPositionIsZero) {
  EXPECT_EQ(gtidSequence(""), 0u);
  EXPECT_EQ(gtidSequence("1-2-3"), 0u);
  EXPECT_EQ(gtidSequence("10-2-3"), 0u);
  EXPECT_EQ(gtidSequence("garbage"), 0u);
  EXPECT_EQ(gtidSequence("0-1-99999999999999999999999"), 0u);  // out of range
}

}  // namespace
}  // namespace kura::rds::mariadb
