// IAM's caches (credentials, compiled policies and the decisions they
// remember) are read at IAM's own generation: a write to another service's
// records keeps them; a write to IAM's drops them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "iam/iam_principals.h"
#include "iam/iam_records.h"

namespace kura::iam {
namespace {

constexpr const char* kAccount = "000000000000";

class IamCacheGeneration : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kura-iam-cache-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    catalog_ = std::make_unique<Catalog>(dir_);
    auto box = SecretBox::openOrCreate(dir_ / "secrets.key");
    ASSERT_TRUE(box.ok());
    secrets_ = *box;
  }
  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  Resource make(const std::string& service, const std::string& kind, const std::string& name, nlohmann::json spec) {
    Resource draft;
    draft.accountId = kAccount;
    draft.region = service == kService ? kRegion : "us-east-1";
    draft.service = service;
    draft.kind = kind;
    draft.name = name;
    draft.arn = "arn:aws:" + service + "::" + kAccount + ":" + kind + "/" + name;
    draft.status = draft.goal = "active";
    draft.spec = std::move(spec);
    auto created = catalog_->createResource(draft);
    EXPECT_TRUE(created.ok());
    return *created;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Catalog> catalog_;
  SecretBoxPtr secrets_;
};

TEST_F(IamCacheGeneration, AnUnrelatedWriteKeepsTheCachesAnIamWriteDropsThem) {
  const std::string allow = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]})";
  Resource user = make(kService, kUser, "alice",
                       {{"UserName", "alice"}, {"InlinePolicies", {{"p", allow}}}, {"AttachedPolicies", nlohmann::json::array()}});
  IamPrincipals principals(*catalog_, *secrets_, kAccount);
  auto first = principals.policiesOf("alice");
  ASSERT_NE(first, nullptr);
  first->remember("dynamodb:GetItem\n*", auth::Decision::Allow, "");
  uint64_t iamBefore = principals.iamGeneration();
  uint64_t allBefore = catalog_->generation();

  // Another service's writes: a table, its tags, its removal.
  Resource table = make("dynamodb", "table", "orders", nlohmann::json::object());
  catalog_->addTags(table.arn, {{"team", "blue"}});
  ASSERT_TRUE(catalog_->removeResource(table.id).ok());
  // ... and every other service Kura serves (they share no counter with IAM's).
  for (const char* service : {"rds", "elasticache", "kms", "secretsmanager", "ec2", "logs", "cloudtrail",
                              "monitoring"}) {
    make(service, "thing", std::string("one-") + service, nlohmann::json::object());
  }
  EXPECT_GT(catalog_->generation(), allBefore);
  EXPECT_EQ(principals.iamGeneration(), iamBefore);
  auto kept = principals.policiesOf("alice");
  EXPECT_EQ(kept.get(), first.get());  // the same compiled policies...
  std::string denied;
  EXPECT_EQ(kept->recalled("dynamodb:GetItem\n*", &denied), auth::Decision::Allow);  // ...with their decisions

  // An IAM write: the user's policy changes.
  user.spec["InlinePolicies"]["p"] =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";
  ASSERT_TRUE(catalog_->updateResource(user).ok());
  EXPECT_GT(principals.iamGeneration(), iamBefore);
  auto fresh = principals.policiesOf("alice");
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(fresh.get(), first.get());
  EXPECT_FALSE(fresh->recalled("dynamodb:GetItem\n*", &denied).has_value());
  ASSERT_EQ(fresh->documents.size(), 1u);
  EXPECT_FALSE(fresh->documents[0].statements[0].allow);

  // An STS write (a session) moves it too.
  uint64_t beforeSession = principals.iamGeneration();
  make("sts", kSession, "ASIAEXAMPLE", nlohmann::json::object());
  EXPECT_GT(principals.iamGeneration(), beforeSession);
}

TEST_F(IamCacheGeneration, ARolledBackWriteCountsNoLessThanNothing) {
  IamPrincipals principals(*catalog_, *secrets_, kAccount);
  uint64_t before = principals.iamGeneration();
  auto failed = catalog_->transact([&]() -> Result<bool> {
    Resource draft;
    draft.accountId = kAccount;
    draft.region = kRegion;
    draft.service = kService;
    draft.kind = kUser;
    draft.name = "ghost";
    draft.arn = "arn:aws:iam::000000000000:user/ghost";
    draft.status = draft.goal = "active";
    if (auto made = catalog_->createResource(draft); !made) return made.error();
    return ApiError::sender("Nope", "rolled back", 400);
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(catalog_->getResource(kAccount, kRegion, kUser, "ghost").ok());
  EXPECT_GE(principals.iamGeneration(), before);
}

}  // namespace
}  // namespace kura::iam
