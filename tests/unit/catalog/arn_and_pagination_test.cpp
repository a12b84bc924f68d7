#include <gtest/gtest.h>

#include "catalog/arn.h"
#include "catalog/pagination.h"
#include "common/crypto.h"

namespace kura {
namespace {

TEST(ArnTest, MakesArnsAsAwsWritesThem) {
  EXPECT_EQ(makeArn("rds", "ap-northeast-1", "000000000000", "db:app"),
            "arn:aws:rds:ap-northeast-1:000000000000:db:app");
  EXPECT_EQ(makeArn("dynamodb", "us-east-1", "000000000000", "table/user-table"),
            "arn:aws:dynamodb:us-east-1:000000000000:table/user-table");
}

TEST(ArnTest, ParsesArnsWithColonsInTheResource) {
  auto arn = parseArn("arn:aws:rds:ap-northeast-1:000000000000:db:app");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "rds");
  EXPECT_EQ(arn->region, "ap-northeast-1");
  EXPECT_EQ(arn->account, "000000000000");
  EXPECT_EQ(arn->resource, "db:app");

  auto global = parseArn("arn:aws:iam::000000000000:user/alice");
  ASSERT_TRUE(global.has_value());
  EXPECT_EQ(global->region, "");
  EXPECT_EQ(global->resource, "user/alice");
}

TEST(ArnTest, RejectsWhatIsNotAnArn) {
  EXPECT_FALSE(parseArn("").has_value());
  EXPECT_FALSE(parseArn("app").has_value());
  EXPECT_FALSE(parseArn("arn:aws:rds:ap-northeast-1:000000000000").has_value());
  EXPECT_FALSE(parseArn("arn:aws:rds:ap-northeast-1:000000000000:").has_value());
  EXPECT_FALSE(parseArn("urn:aws:rds:r:a:db:x").has_value());
  EXPECT_FALSE(parseArn("arn::rds:r:a:db:x").has_value());
}

TEST(PaginationTest, TokensRoundTrip) {
  nlohmann::json position = {{"after", "db-042"}, {"id", 7}};
  auto token = encodePageToken(position);
  auto decoded = decodePageToken(token, "InvalidParameterValue");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, position);

  auto name = decodeAfterName(encodeAfterName("db-042"), "InvalidParameterValue");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "db-042");
}

TEST(PaginationTest, GarbageTokensGetTheCallersCode) {
  for (const std::string& garbage :
       {std::string(""), std::string("!!!not base64!!!"), base64Encode("not json"), base64Encode("[1,2]"),
        base64Encode("\"text\"")}) {
    auto decoded = decodePageToken(garbage, "ValidationException");
    ASSERT_FALSE(decoded.ok()) << garbage;
    EXPECT_EQ(decoded.error().code, "ValidationException");
    EXPECT_EQ(decoded.error().httpStatus, 400);
  }
  auto wrongShape = decodeAfterName(encodePageToken({{"id", 3}}), "InvalidParameterValue");
  ASSERT_FALSE(wrongShape.ok());
  EXPECT_EQ(wrongShape.error().code, "InvalidParameterValue");
}

TEST(PaginationTest, ClampsPageSizes) {
  EXPECT_EQ(clampPageSize(std::nullopt, kRdsMaxRecords), 100u);
  EXPECT_EQ(clampPageSize(5, kRdsMaxRecords), 20u);
  EXPECT_EQ(clampPageSize(-1, kRdsMaxRecords), 20u);
  EXPECT_EQ(clampPageSize(50, kRdsMaxRecords), 50u);
  EXPECT_EQ(clampPageSize(1000, kRdsMaxRecords), 100u);
}

}  // namespace
}  // namespace kura
