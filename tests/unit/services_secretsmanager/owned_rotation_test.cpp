// Scheduled rotation of an owned secret (owned_rotation.h), on a clock the
// test moves: nothing before the period, a rotation started once it is due,
// completed only once the owner has the password in place (by a fresh
// OwnedRotation, as after a restart), and undone when the owner refuses it.
#include "services/secretsmanager/owned_rotation.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/crypto.h"
#include "common/aes_gcm.h"
#include "kms/envelope.h"
#include "services/secretsmanager/rotation_schedule.h"
#include "services/secretsmanager/secrets_service.h"
#include "sql/sqlite_db.h"

namespace kura::secrets {
namespace {

using namespace std::chrono_literals;

class OwnedRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kura-rotation-test-" + toHex(randomBytes(6)));
    clock_ = std::make_shared<ManualClock>(SystemTime(std::chrono::hours(24 * 365 * 56)));
    keyStore_ = std::make_unique<kms::KeyStore>(dir_, randomBytes(kAesKeyBytes));
    keys_ = std::make_unique<kms::KeyManager>(*keyStore_, clock_);
    store_ = std::make_unique<SecretStore>(dir_);
    service_ = makeSecretsManagerService(*store_, *keys_, clock_);
    context_.accountId = "123456789012";
    context_.region = "ap-northeast-1";
    arn_ = service_->createOwnedSecret(context_, "rds", "rds!db-test", "admin", "first-password", "").value();
    rotators_["rds"] = [this](const RequestContext&, const std::string& arn, const std::string& password) -> Result<bool> {
      EXPECT_EQ(arn, arn_);
      asked_.push_back(password);
      if (refuse_) return ApiError::sender("InvalidDBInstanceState", "DB instance test is stopped");
      return inPlace_;
    };
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    keys_.reset();
    keyStore_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string passwordAt(const std::string& stage) {
    SecretRecord secret = *store_->byArn(arn_);
    SecretVersion* version = secret.versionWithStage(stage);
    if (version == nullptr) return "";
    auto plain = kms::openEnvelope(*keys_, {secret.account, secret.region}, version->sealed,
                                   {{"SecretARN", secret.arn}, {"SecretVersionId", version->versionId}});
    return nlohmann::json::parse(plain.value())["password"];
  }
  void pass() {
    OwnedRotation rotation(*store_, *keys_, clock_, rotators_);  // a fresh one: its state is the store's
    rotation.rotateDue(mutex_);
  }

  std::filesystem::path dir_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<kms::KeyStore> keyStore_;
  std::unique_ptr<kms::KeyManager> keys_;
  std::unique_ptr<SecretStore> store_;
  std::unique_ptr<SecretsManagerModule> service_;
  RequestContext context_;
  std::string arn_;
  OwnedRotation::Rotators rotators_;
  std::mutex mutex_;
  std::vector<std::string> asked_;
  bool inPlace_ = false, refuse_ = false;
};

TEST_F(OwnedRotationTest, RotatesWhenDueAndCompletesOnceThePasswordIsInPlace) {
  SecretRecord created = *store_->byArn(arn_);
  ASSERT_TRUE(created.rotationEnabled);
  EXPECT_EQ(nextRotationMs(created), created.createdMs + 7LL * 86400 * 1000);

  clock_->advance(std::chrono::hours(24 * 7) - 1s);
  pass();
  EXPECT_TRUE(asked_.empty());  // not due yet

  clock_->advance(2s);
  pass();  // due: AWSPENDING made, the owner asked to put it in place
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(passwordAt("AWSPENDING"), asked_[0]);
  EXPECT_EQ(passwordAt("AWSCURRENT"), "first-password");

  pass();  // still being applied: asked again with the same password, nothing moves
  ASSERT_EQ(asked_.size(), 2u);
  EXPECT_EQ(asked_[1], asked_[0]);
  EXPECT_EQ(passwordAt("AWSCURRENT"), "first-password");

  inPlace_ = true;
  pass();  // in place: AWSPENDING becomes AWSCURRENT
  EXPECT_EQ(passwordAt("AWSCURRENT"), asked_[0]);
  EXPECT_EQ(passwordAt("AWSPREVIOUS"), "first-password");
  EXPECT_EQ(passwordAt("AWSPENDING"), "");
  SecretRecord rotated = *store_->byArn(arn_);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now().time_since_epoch()).count();
  EXPECT_EQ(rotated.lastRotatedMs, now);
  EXPECT_EQ(nextRotationMs(rotated), now + 7LL * 86400 * 1000);

  size_t asked = asked_.size();
  pass();
  EXPECT_EQ(asked_.size(), asked);  // nothing due any more
}

TEST_F(OwnedRotationTest, RefusedByTheOwnerNothingChanges) {
  refuse_ = true;
  clock_->advance(std::chrono::hours(24 * 8));
  pass();
  ASSERT_EQ(asked_.size(), 1u);
  EXPECT_EQ(passwordAt("AWSPENDING"), "");
  EXPECT_EQ(passwordAt("AWSCURRENT"), "first-password");
  EXPECT_EQ(store_->byArn(arn_)->versions.size(), 1u);

  refuse_ = false;
  inPlace_ = true;  // the owner can again, and applies at once
  pass();
  EXPECT_EQ(passwordAt("AWSCURRENT"), asked_.back());
  EXPECT_EQ(passwordAt("AWSPREVIOUS"), "first-password");
}

TEST_F(OwnedRotationTest, RefusedRotationIsTriedAgainAMinuteLater) {
  refuse_ = true;
  clock_->advance(std::chrono::hours(24 * 8));
  OwnedRotation rotation(*store_, *keys_, clock_, rotators_);
  rotation.rotateDue(mutex_);
  rotation.rotateDue(mutex_);  // not at every pass
  EXPECT_EQ(asked_.size(), 1u);
  clock_->advance(61s);
  rotation.rotateDue(mutex_);
  EXPECT_EQ(asked_.size(), 2u);
}

TEST_F(OwnedRotationTest, ADeletedSecretsRetryIsForgotten) {
  refuse_ = true;
  clock_->advance(std::chrono::hours(24 * 8));
  OwnedRotation rotation(*store_, *keys_, clock_, rotators_);
  rotation.rotateDue(mutex_);
  EXPECT_EQ(rotation.retriesWaiting(), 1u);
  service_->deleteOwnedSecret(context_, arn_);  // its instance deleted
  rotation.rotateDue(mutex_);
  EXPECT_EQ(rotation.retriesWaiting(), 0u);
}

TEST_F(OwnedRotationTest, CancelledRotationIsNotStarted) {
  OwnedRotation rotation(*store_, *keys_, clock_, rotators_);
  SecretRecord secret = *store_->byArn(arn_);
  rotation.cancel(secret);
  clock_->advance(std::chrono::hours(24 * 30));
  pass();
  EXPECT_TRUE(asked_.empty());
  EXPECT_FALSE(nextRotationMs(*store_->byArn(arn_)).has_value());
}

// The pass runs every two seconds under the store's lock: it finds the
// owned secrets by an index of them, not by reading every secret's metadata.
TEST_F(OwnedRotationTest, OwnedSecretsAreFoundByAnIndexNotByReadingEverySecret) {
  EXPECT_EQ(store_->ownedArns(), std::vector<std::string>{arn_});
  SqliteDb db(dir_ / "secretsmanager" / "secrets.db");
  auto plan = db.prepare(
      "EXPLAIN QUERY PLAN SELECT arn FROM secrets WHERE json_extract(meta, '$.owningService') <> ''");
  std::string details;
  while (plan.step()) details += plan.text(3) + "\n";
  EXPECT_NE(details.find("INDEX secrets_owned"), std::string::npos) << details;
}

TEST(RotationScheduleTest, RulesAreCheckedAsSecretsManagerChecksThem) {
  EXPECT_TRUE(checkRotationRules({{"AutomaticallyAfterDays", 30}}));
  EXPECT_EQ(rotationPeriodMs(*checkRotationRules({{"ScheduleExpression", "rate(4 hours)"}})), 4 * 3600 * 1000LL);
  EXPECT_EQ(rotationPeriodMs(*checkRotationRules({{"ScheduleExpression", "rate(10 days)"}})), 10 * 86400 * 1000LL);
  EXPECT_FALSE(checkRotationRules({{"ScheduleExpression", "rate(3 hours)"}}));
  EXPECT_FALSE(checkRotationRules({{"ScheduleExpression", "cron(0 12 * * ? *)"}}));
  EXPECT_FALSE(checkRotationRules({{"AutomaticallyAfterDays", 1001}}));
  EXPECT_FALSE(checkRotationRules({{"AutomaticallyAfterDays", 2}, {"ScheduleExpression", "rate(2 days)"}}));
  EXPECT_FALSE(checkRotationRules(nlohmann::json::object()));
}

}  // namespace
}  // namespace kura::secrets
