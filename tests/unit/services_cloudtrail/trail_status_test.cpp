// GetTrailStatus tells each account its own records' delivery times, and
// the time of the digest that sealed them: never when another account was
// last active (the trail's files, and their times, are shared).
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "services/cloudtrail/trail_description.h"

namespace kura {
namespace {

using namespace std::chrono_literals;

SystemTime at(int seconds) { return SystemTime(std::chrono::hours(24 * 365 * 56) + std::chrono::seconds(seconds)); }

class TrailStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    addTrailDescriptionHandlers(handlers_, {std::filesystem::temp_directory_path(), true, at(0), 0, &activity_});
  }

  nlohmann::json status(const std::string& account) {
    RequestContext context;
    context.accountId = account;
    context.region = "ap-northeast-1";
    const Handler* handler = handlers_.find("GetTrailStatus");
    EXPECT_NE(handler, nullptr);
    auto answer = (*handler)(context, {{"Name", "kura"}});
    EXPECT_TRUE(answer.ok());
    return *answer;
  }

  AccountTrailActivity activity_;
  HandlerTable handlers_;
};

TEST_F(TrailStatusTest, AnAccountSeesItsOwnDeliveriesAndDigestsOnly) {
  EXPECT_FALSE(status("111111111111").contains("LatestDeliveryTime"));
  activity_.delivered("111111111111", at(10));
  activity_.sealed(at(11), at(12));  // the digest after A's record
  activity_.delivered("222222222222", at(20));
  activity_.sealed(at(21), at(22));  // after B's alone

  auto first = status("111111111111");
  EXPECT_EQ(first["LatestDeliveryTime"], toEpochSeconds(at(10)));
  EXPECT_EQ(first["LatestDigestDeliveryTime"], toEpochSeconds(at(12)));
  EXPECT_TRUE(first["IsLogging"].get<bool>());
  auto second = status("222222222222");
  EXPECT_EQ(second["LatestDeliveryTime"], toEpochSeconds(at(20)));
  EXPECT_EQ(second["LatestDigestDeliveryTime"], toEpochSeconds(at(22)));

  // B goes on; A's answer does not move.
  for (int i = 30; i < 100; i += 10) {
    activity_.delivered("222222222222", at(i));
    activity_.sealed(at(i + 1), at(i + 2));
  }
  EXPECT_EQ(status("111111111111"), first);
  EXPECT_EQ(status("222222222222")["LatestDigestDeliveryTime"], toEpochSeconds(at(92)));
  // An account that never called sees no times at all.
  auto stranger = status("333333333333");
  EXPECT_FALSE(stranger.contains("LatestDeliveryTime"));
  EXPECT_FALSE(stranger.contains("LatestDigestDeliveryTime"));
}

TEST_F(TrailStatusTest, ARecordNotYetSealedKeepsTheDigestThatSealedTheOneBefore) {
  activity_.delivered("111111111111", at(10));
  activity_.sealed(at(11), at(12));
  activity_.delivered("111111111111", at(15));
  activity_.sealed(at(14), at(16));  // taken before the record was written: it does not seal it
  EXPECT_EQ(status("111111111111")["LatestDeliveryTime"], toEpochSeconds(at(15)));
  EXPECT_EQ(status("111111111111")["LatestDigestDeliveryTime"], toEpochSeconds(at(12)));
  activity_.sealed(at(17), at(18));
  EXPECT_EQ(status("111111111111")["LatestDigestDeliveryTime"], toEpochSeconds(at(18)));
}

}  // namespace
}  // namespace kura
