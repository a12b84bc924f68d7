#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>

#include "catalog/arn.h"
#include "catalog_test_support.h"

namespace kura {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kAccount = "000000000000";
constexpr const char* kRegion = "ap-northeast-1";

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::freshTestDir("catalog"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Catalog> open() { return std::make_unique<Catalog>(dir_, clock_); }

  static Resource instance(const std::string& name, const std::string& region = kRegion) {
    Resource resource;
    resource.accountId = kAccount;
    resource.region = region;
    resource.service = "rds";
    resource.kind = "db-instance";
    resource.name = name;
    resource.arn = makeArn("rds", region, kAccount, "db:" + name);
    resource.status = "creating";
    resource.goal = "available";
    resource.spec = {{"engine", "postgres"}, {"allocatedStorage", 20}};
    return resource;
  }

  fs::path dir_;
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(SystemTime(std::chrono::seconds(1'800'000'000)));
};

TEST_F(CatalogTest, MigrationsApplyOnceAndSurviveReopening) {
  {
    auto catalog = open();
    EXPECT_EQ(catalog->appliedMigrations(), (std::vector<int>{1, 2, 3, 4}));
  }
  EXPECT_TRUE(fs::exists(dir_ / "catalog.db"));
  auto catalog = open();
  EXPECT_EQ(catalog->appliedMigrations(), (std::vector<int>{1, 2, 3, 4}));
}

TEST_F(CatalogTest, ListsReadReplicasByTheirSource) {
  auto catalog = open();
  Resource source = instance("source");
  ASSERT_TRUE(catalog->createResource(source).ok());
  for (const char* name : {"replica-b", "replica-a"}) {
    Resource replica = instance(name);
    replica.spec["ReadReplicaSourceArn"] = source.arn;
    ASSERT_TRUE(catalog->createResource(replica).ok());
  }
  Resource other = instance("other-replica");
  other.spec["ReadReplicaSourceArn"] = "arn:aws:rds:" + std::string(kRegion) + ":000000000000:db:elsewhere";
  ASSERT_TRUE(catalog->createResource(other).ok());
  std::vector<std::string> names;
  for (const Resource& r : catalog->listReadReplicasOf(source.arn)) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"replica-b", "replica-a"}));  // by id
  EXPECT_TRUE(catalog->listReadReplicasOf("arn:aws:rds:nowhere").empty());
  // Several sources at once (a Describe page's): the same, by id.
  names.clear();
  std::string elsewhere = other.spec["ReadReplicaSourceArn"];
  for (const Resource& r : catalog->listReadReplicasOfAny({"arn:aws:rds:nowhere", source.arn, elsewhere})) {
    names.push_back(r.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"replica-b", "replica-a", "other-replica"}));
  EXPECT_TRUE(catalog->listReadReplicasOfAny({}).empty());
  EXPECT_TRUE(catalog->listReadReplicasOfAny({"arn:aws:rds:nowhere"}).empty());
}

TEST_F(CatalogTest, ListsAllOfAKindParsingOnlyTheWantedRecords) {
  // More than one chunk of 256, so the chunks' seams are crossed too.
  auto catalog = open();
  for (int i = 0; i < 300; ++i) {
    Resource record = instance("db-" + std::to_string(i), i % 2 == 0 ? kRegion : "us-east-1");
    record.spec["index"] = i;
    ASSERT_TRUE(catalog->createResource(record).ok());
  }
  std::vector<std::string> seen;
  auto wanted = catalog->listAllOfKind("db-instance", [&](const Resource& unparsed) {
    // Everything but spec and state is there to judge by.
    EXPECT_TRUE(unparsed.spec.empty());
    EXPECT_EQ(unparsed.version, 1);
    EXPECT_EQ(unparsed.status, "creating");
    EXPECT_EQ(unparsed.arn, makeArn("rds", unparsed.region, kAccount, "db:" + unparsed.name));
    seen.push_back(unparsed.name);
    return unparsed.name.ends_with("7");
  });
  ASSERT_EQ(seen.size(), 300u);
  EXPECT_EQ(seen.front(), "db-0");
  EXPECT_EQ(seen.back(), "db-299");  // in id order
  ASSERT_EQ(wanted.size(), 30u);
  for (const Resource& record : wanted) {
    EXPECT_TRUE(record.name.ends_with("7"));
    EXPECT_EQ("db-" + std::to_string(record.spec["index"].get<int>()), record.name);  // parsed
  }
  EXPECT_EQ(catalog->listAllOfKind("db-instance").size(), 300u);
  EXPECT_TRUE(catalog->listAllOfKind("db-instance", [](const Resource&) { return false; }).empty());
}

TEST_F(CatalogTest, RefusesACatalogFromANewerKura) {
  {
    auto catalog = open();
    SqliteDb raw(dir_ / "catalog.db");
    raw.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)");
  }
  EXPECT_THROW(open(), SqliteError);
}

TEST_F(CatalogTest, CreatesAndReadsResources) {
  auto catalog = open();
  auto created = catalog->createResource(instance("app"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(created->createdAt, clock_->now());

  auto byName = catalog->getResource(kAccount, kRegion, "db-instance", "app");
  ASSERT_TRUE(byName.ok());
  EXPECT_EQ(byName->spec["allocatedStorage"], 20);
  EXPECT_EQ(byName->status, "creating");
  EXPECT_EQ(byName->goal, "available");
  EXPECT_EQ(byName->arn, "arn:aws:rds:ap-northeast-1:000000000000:db:app");

  auto byArn = catalog->getResourceByArn(created->arn);
  ASSERT_TRUE(byArn.ok());
  EXPECT_EQ(byArn->id, created->id);
  auto byId = catalog->getResourceById(created->id);
  ASSERT_TRUE(byId.ok());
  EXPECT_EQ(byId->name, "app");

  auto missing = catalog->getResource(kAccount, kRegion, "db-instance", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, catalog_errors::kNotFound);
  EXPECT_EQ(missing.error().httpStatus, 404);
}

TEST_F(CatalogTest, DuplicateCreateFailsButOtherRegionsAreSeparate) {
  auto catalog = open();
  ASSERT_TRUE(catalog->createResource(instance("app")).ok());
  auto again = catalog->createResource(instance("app"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, catalog_errors::kAlreadyExists);
  EXPECT_EQ(again.error().httpStatus, 409);

  EXPECT_TRUE(catalog->createResource(instance("app", "us-east-1")).ok());
  EXPECT_FALSE(catalog->getResource(kAccount, "eu-west-1", "db-instance", "app").ok());
  EXPECT_EQ(catalog->listResources(kAccount, "us-east-1", "db-instance", "", 100).items.size(), 1u);

  auto sameNameOtherKind = instance("app");
  sameNameOtherKind.kind = "db-snapshot";
  sameNameOtherKind.arn = makeArn("rds", kRegion, kAccount, "snapshot:app");
  EXPECT_TRUE(catalog->createResource(sameNameOtherKind).ok());
}

TEST_F(CatalogTest, UpdateChecksTheVersion) {
  auto catalog = open();
  auto created = catalog->createResource(instance("app"));
  ASSERT_TRUE(created.ok());

  Resource first = *created;
  first.status = "available";
  first.state["port"] = 4510;
  clock_->advance(5s);
  auto updated = catalog->updateResource(first);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->updatedAt, clock_->now());

  Resource stale = *created;  // still version 1
  stale.goal = "deleted";
  auto conflict = catalog->updateResource(stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, catalog_errors::kVersionConflict);

  auto stored = catalog->getResourceById(created->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->status, "available");
  EXPECT_EQ(stored->goal, "available");
  EXPECT_EQ(stored->state["port"], 4510);
  EXPECT_EQ(stored->createdAt, created->createdAt);

  auto staleRemove = catalog->removeResource(created->id, 1);
  ASSERT_FALSE(staleRemove.ok());
  EXPECT_EQ(staleRemove.error().code, catalog_errors::kVersionConflict);
}

TEST_F(CatalogTest, RenameMustNotCollide) {
  auto catalog = open();
  ASSERT_TRUE(catalog->createResource(instance("one")).ok());
  auto two = catalog->createResource(instance("two"));
  ASSERT_TRUE(two.ok());
  Resource renamed = *two;
  renamed.name = "one";
  renamed.arn = makeArn("rds", kRegion, kAccount, "db:one");
  EXPECT_EQ(catalog->updateResource(renamed).error().code, catalog_errors::kAlreadyExists);
  renamed.name = "three";
  renamed.arn = makeArn("rds", kRegion, kAccount, "db:three");
  EXPECT_TRUE(catalog->updateResource(renamed).ok());
  EXPECT_TRUE(catalog->getResource(kAccount, kRegion, "db-instance", "three").ok());
}

TEST_F(CatalogTest, PaginatesOverManyResourcesInNameOrder) {
  auto catalog = open();
  for (int index = 0; index < 250; ++index) {
    char name[16];
    std::snprintf(name, sizeof name, "db-%03d", (index * 7) % 250);  // inserted out of order
    ASSERT_TRUE(catalog->createResource(instance(name)).ok());
  }
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = catalog->listResources(kAccount, kRegion, "db-instance", after, 100);
    ++pages;
    for (const auto& resource : page.items) seen.push_back(resource.name);
    if (!page.truncated) break;
    after = page.items.back().name;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 250u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 250u);
  EXPECT_EQ(seen.front(), "db-000");
  EXPECT_EQ(seen.back(), "db-249");

  auto exact = catalog->listResources(kAccount, kRegion, "db-instance", "db-149", 100);
  EXPECT_EQ(exact.items.size(), 100u);
  EXPECT_FALSE(exact.truncated);
}

TEST_F(CatalogTest, ASharedPageTakesTheCallersRecordsAtTheirVersionsOnly) {
  auto catalog = open();
  for (const char* name : {"db-a", "db-b", "db-c"}) ASSERT_TRUE(catalog->createResource(instance(name)).ok());
  // The caller's copies of db-a (at its version) and of db-b (at an older one).
  auto first = catalog->listResources(kAccount, kRegion, "db-instance", "", 10,
                                      [](const Resource&) { return std::shared_ptr<const Resource>(); });
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_FALSE(first.truncated);
  EXPECT_EQ(first.items[1]->spec, instance("db-b").spec);  // parsed when not known
  auto keptA = first.items[0];
  auto keptB = first.items[1];
  Resource b = *keptB;
  b.spec["allocatedStorage"] = 40;
  ASSERT_TRUE(catalog->updateResource(b).ok());
  std::vector<std::string> asked;
  auto known = [&](const Resource& row) -> std::shared_ptr<const Resource> {
    asked.push_back(row.name);
    EXPECT_TRUE(row.spec.empty());  // the row comes without its bodies
    if (row.name == "db-a") return keptA;
    if (row.name == "db-b") return keptB;  // version 1, the row's is 2
    return nullptr;
  };
  auto page = catalog->listResources(kAccount, kRegion, "db-instance", "", 2, known);
  EXPECT_EQ(asked, (std::vector<std::string>{"db-a", "db-b", "db-c"}));
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.items[0].get(), keptA.get());
  EXPECT_NE(page.items[1].get(), keptB.get());
  EXPECT_EQ(page.items[1]->version, 2);
  EXPECT_EQ(page.items[1]->spec["allocatedStorage"], 40);
  auto rest = catalog->listResources(kAccount, kRegion, "db-instance", "db-b", 2, known);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0]->name, "db-c");
  EXPECT_FALSE(rest.truncated);
  EXPECT_TRUE(rest.committed);
  // Inside a transaction a record may yet be rolled back: nothing is asked
  // of the caller, and the page says its records are not all committed.
  asked.clear();
  auto inside = catalog->transact([&]() -> Result<SharedResourcePage> {
    return catalog->listResources(kAccount, kRegion, "db-instance", "", 10, known);
  });
  ASSERT_TRUE(inside.ok());
  EXPECT_TRUE(asked.empty());
  EXPECT_FALSE(inside->committed);
  EXPECT_EQ(inside->items.size(), 3u);
  // Another account's page never asks about this one's rows.
  asked.clear();
  EXPECT_TRUE(catalog->listResources("111111111111", kRegion, "db-instance", "", 10, known).items.empty());
  EXPECT_TRUE(asked.empty());
}

TEST_F(CatalogTest, ListsPendingResources) {
  auto catalog = open();
  auto creating = catalog->createResource(instance("creating"));
  auto ready = instance("ready");
  ready.status = "available";
  ASSERT_TRUE(catalog->createResource(ready).ok());
  ASSERT_TRUE(creating.ok());
  auto pending = catalog->listPending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].name, "creating");
}

TEST_F(CatalogTest, RemoveTakesTagsAndJournalButKeepsEvents) {
  auto catalog = open();
  auto created = catalog->createResource(instance("app"));
  ASSERT_TRUE(created.ok());
  catalog->addTags(created->arn, {{"env", "prod"}});
  catalog->recordStep(created->id, "creating -> available", "done");
  catalog->addEvent({0, kAccount, kRegion, "db-instance", "app", created->arn, "DB instance created", {"creation"}, {}});
  ASSERT_TRUE(catalog->removeResource(created->id).ok());
  EXPECT_FALSE(catalog->getResourceById(created->id).ok());
  EXPECT_TRUE(catalog->listTags(created->arn).empty());
  EXPECT_TRUE(catalog->listSteps(created->id).empty());
  EXPECT_EQ(catalog->listEvents(kAccount, kRegion, {}).items.size(), 1u);
  EXPECT_EQ(catalog->removeResource(created->id).error().code, catalog_errors::kNotFound);
}

TEST_F(CatalogTest, TransactRollsBackOnErrorResultAndOnException) {
  auto catalog = open();
  auto failed = catalog->transact([&]() -> Result<Resource> {
    auto created = catalog->createResource(instance("app"));
    if (!created) return created;
    catalog->addTags(created->arn, {{"k", "v"}});
    return ApiError::sender("InvalidParameterCombination", "no");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(catalog->getResource(kAccount, kRegion, "db-instance", "app").ok());
  EXPECT_TRUE(catalog->listTags(makeArn("rds", kRegion, kAccount, "db:app")).empty());

  EXPECT_THROW(catalog->transact([&] {
    catalog->putSetting("port", "4566");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_FALSE(catalog->getSetting("port").has_value());

  // A nested failure undoes only its own part.
  catalog->transact([&] {
    catalog->putSetting("outer", "1");
    auto inner = catalog->transact([&]() -> Result<bool> {
      catalog->putSetting("inner", "1");
      return ApiError::sender("X", "inner fails");
    });
    EXPECT_FALSE(inner.ok());
  });
  EXPECT_EQ(catalog->getSetting("outer"), "1");
  EXPECT_FALSE(catalog->getSetting("inner").has_value());

  auto committed = catalog->transact([&]() -> Result<Resource> { return catalog->createResource(instance("app")); });
  EXPECT_TRUE(committed.ok());
  EXPECT_TRUE(catalog->getResource(kAccount, kRegion, "db-instance", "app").ok());
}

TEST_F(CatalogTest, EventsFilterAndPaginateOldestFirst) {
  auto catalog = open();
  auto base = clock_->now();
  for (int index = 0; index < 30; ++index) {
    Event event;
    event.accountId = kAccount;
    event.region = kRegion;
    event.sourceType = index % 3 == 0 ? "db-snapshot" : "db-instance";
    event.sourceId = index % 2 == 0 ? "even" : "odd";
    event.sourceArn = makeArn("rds", kRegion, kAccount, "db:" + event.sourceId);
    event.message = "event " + std::to_string(index);
    event.categories = index % 5 == 0 ? std::vector<std::string>{"backup", "notification"}
                                      : std::vector<std::string>{"availability"};
    event.date = base + std::chrono::minutes(index);
    catalog->addEvent(event);
  }
  Event elsewhere;
  elsewhere.accountId = kAccount;
  elsewhere.region = "us-east-1";
  elsewhere.sourceType = "db-instance";
  elsewhere.message = "other region";
  elsewhere.categories = {"backup"};
  auto stamped = catalog->addEvent(elsewhere);
  EXPECT_EQ(stamped.date, clock_->now());  // left unset: the catalog's clock

  auto all = catalog->listEvents(kAccount, kRegion, {});
  ASSERT_EQ(all.items.size(), 30u);
  EXPECT_EQ(all.items.front().message, "event 0");
  EXPECT_EQ(all.items.back().message, "event 29");

  EventQuery snapshots;
  snapshots.sourceType = "db-snapshot";
  EXPECT_EQ(catalog->listEvents(kAccount, kRegion, snapshots).items.size(), 10u);

  EventQuery evenInstances;
  evenInstances.sourceType = "db-instance";
  evenInstances.sourceId = "even";
  auto even = catalog->listEvents(kAccount, kRegion, evenInstances);
  EXPECT_EQ(even.items.size(), 10u);  // even indexes not divisible by 3
  for (const auto& event : even.items) EXPECT_EQ(event.sourceId, "even");

  EventQuery window;
  window.startTime = base + std::chrono::minutes(10);
  window.endTime = base + std::chrono::minutes(19);
  auto windowed = catalog->listEvents(kAccount, kRegion, window);
  ASSERT_EQ(windowed.items.size(), 10u);
  EXPECT_EQ(windowed.items.front().message, "event 10");

  EventQuery backups;
  backups.categories = {"backup", "failover"};
  auto backupEvents = catalog->listEvents(kAccount, kRegion, backups);
  ASSERT_EQ(backupEvents.items.size(), 6u);
  EXPECT_EQ(backupEvents.items[1].categories, (std::vector<std::string>{"backup", "notification"}));

  EventQuery paged;
  paged.limit = 20;
  auto first = catalog->listEvents(kAccount, kRegion, paged);
  EXPECT_EQ(first.items.size(), 20u);
  EXPECT_TRUE(first.truncated);
  paged.afterId = first.items.back().id;
  auto second = catalog->listEvents(kAccount, kRegion, paged);
  EXPECT_EQ(second.items.size(), 10u);
  EXPECT_FALSE(second.truncated);
  EXPECT_EQ(second.items.front().message, "event 20");

  // Five here and the one of us-east-1, dated at `base` too: pruning spans regions.
  EXPECT_EQ(catalog->pruneEvents(base + std::chrono::minutes(5)), 6u);
  EXPECT_EQ(catalog->listEvents(kAccount, kRegion, {}).items.front().message, "event 5");
}

TEST_F(CatalogTest, TagsOverwriteRemoveAndDelete) {
  auto catalog = open();
  std::string arn = makeArn("rds", kRegion, kAccount, "db:app");
  catalog->addTags(arn, {{"env", "dev"}, {"team", "data"}});
  catalog->addTags(arn, {{"env", "prod"}, {"cost", "42"}});
  EXPECT_EQ(catalog->listTags(arn), (std::vector<Tag>{{"cost", "42"}, {"env", "prod"}, {"team", "data"}}));
  catalog->removeTags(arn, {"team", "absent"});
  EXPECT_EQ(catalog->listTags(arn), (std::vector<Tag>{{"cost", "42"}, {"env", "prod"}}));
  std::string other = makeArn("rds", kRegion, kAccount, "db:other");
  catalog->addTags(other, {{"env", "dev"}});
  catalog->deleteAllTags(arn);
  EXPECT_TRUE(catalog->listTags(arn).empty());
  EXPECT_EQ(catalog->listTags(other).size(), 1u);
}

TEST_F(CatalogTest, ListsTheTagsOfSeveralArnsAtOnce) {
  auto catalog = open();
  std::string a = makeArn("rds", kRegion, kAccount, "db:a"), b = makeArn("rds", kRegion, kAccount, "db:b");
  std::string untagged = makeArn("rds", kRegion, kAccount, "db:c"), unasked = makeArn("rds", kRegion, kAccount, "db:d");
  catalog->addTags(a, {{"team", "x"}, {"env", "prod"}});
  catalog->addTags(b, {{"only", "b"}});
  catalog->addTags(unasked, {{"env", "dev"}});
  auto tags = catalog->listTagsOf({b, untagged, a});
  EXPECT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[a], catalog->listTags(a));  // by key, as listTags
  EXPECT_EQ(tags[a], (std::vector<Tag>{{"env", "prod"}, {"team", "x"}}));
  EXPECT_EQ(tags[b], (std::vector<Tag>{{"only", "b"}}));
  EXPECT_EQ(tags.count(untagged), 0u);
  EXPECT_EQ(tags.count(unasked), 0u);
  EXPECT_TRUE(catalog->listTagsOf({}).empty());
}

TEST_F(CatalogTest, JournalKeepsStepsInOrder) {
  auto catalog = open();
  auto created = catalog->createResource(instance("app"));
  ASSERT_TRUE(created.ok());
  catalog->recordStep(created->id, "creating -> initializing", "initdb");
  clock_->advance(1s);
  catalog->recordStep(created->id, "initializing -> available", "started");
  auto steps = catalog->listSteps(created->id);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].step, "creating -> initializing");
  EXPECT_EQ(steps[1].detail, "started");
  EXPECT_EQ(steps[1].at, clock_->now());
  EXPECT_THROW(catalog->recordStep(created->id + 100, "x", "no such resource"), SqliteError);
}

TEST_F(CatalogTest, TokensExpire) {
  auto catalog = open();
  const std::string scope = "dynamodb:TransactWriteItems";
  catalog->rememberToken(kAccount, scope, "token-1", "hash-1", R"({"ok":true})", clock_->now() + 600s);
  catalog->rememberToken(kAccount, scope, "token-2", "hash-2", "{}", clock_->now() + 60s);

  auto found = catalog->findToken(kAccount, scope, "token-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->requestHash, "hash-1");
  EXPECT_EQ(found->responseJson, R"({"ok":true})");
  EXPECT_FALSE(catalog->findToken(kAccount, "rds:CreateDBInstance", "token-1").has_value());
  EXPECT_FALSE(catalog->findToken("111111111111", scope, "token-1").has_value());

  clock_->advance(60s);
  EXPECT_FALSE(catalog->findToken(kAccount, scope, "token-2").has_value());
  EXPECT_TRUE(catalog->findToken(kAccount, scope, "token-1").has_value());
  EXPECT_EQ(catalog->pruneExpiredTokens(), 1u);
  clock_->advance(600s);
  EXPECT_FALSE(catalog->findToken(kAccount, scope, "token-1").has_value());
  EXPECT_EQ(catalog->pruneExpiredTokens(), 1u);
  EXPECT_EQ(catalog->pruneExpiredTokens(), 0u);

  // A token used again after expiry is remembered afresh.
  catalog->rememberToken(kAccount, scope, "token-1", "hash-3", "{}", clock_->now() + 600s);
  EXPECT_EQ(catalog->findToken(kAccount, scope, "token-1")->requestHash, "hash-3");
}

TEST_F(CatalogTest, SettingsRoundTrip) {
  auto catalog = open();
  EXPECT_FALSE(catalog->getSetting("next-port").has_value());
  catalog->putSetting("next-port", "4510");
  catalog->putSetting("next-port", "4511");
  EXPECT_EQ(catalog->getSetting("next-port"), "4511");
}

TEST_F(CatalogTest, ReopeningKeepsEverything) {
  int64_t id = 0;
  {
    auto catalog = open();
    auto created = catalog->createResource(instance("app"));
    ASSERT_TRUE(created.ok());
    id = created->id;
    Resource changed = *created;
    changed.state = {{"port", 4510}, {"dataDir", "instances/app"}};
    ASSERT_TRUE(catalog->updateResource(changed).ok());
    catalog->addTags(created->arn, {{"env", "prod"}});
    catalog->recordStep(id, "creating -> available", "ok");
    catalog->addEvent({0, kAccount, kRegion, "db-instance", "app", created->arn, "created", {"creation"}, {}});
    catalog->rememberToken(kAccount, "rds:CreateDBInstance", "t", "h", "{}", clock_->now() + 60s);
    catalog->putSetting("k", "v");
  }
  auto catalog = open();
  auto stored = catalog->getResource(kAccount, kRegion, "db-instance", "app");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, id);
  EXPECT_EQ(stored->version, 2);
  EXPECT_EQ(stored->state["dataDir"], "instances/app");
  EXPECT_EQ(stored->spec["engine"], "postgres");
  EXPECT_EQ(catalog->listTags(stored->arn).size(), 1u);
  EXPECT_EQ(catalog->listSteps(id).size(), 1u);
  auto events = catalog->listEvents(kAccount, kRegion, {});
  ASSERT_EQ(events.items.size(), 1u);
  EXPECT_EQ(events.items[0].categories, std::vector<std::string>{"creation"});
  EXPECT_TRUE(catalog->findToken(kAccount, "rds:CreateDBInstance", "t").has_value());
  EXPECT_EQ(catalog->getSetting("k"), "v");
  // Ids are never reused, even after a removal.
  ASSERT_TRUE(catalog->removeResource(id).ok());
  auto next = catalog->createResource(instance("app"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->id, id);
}

TEST_F(CatalogTest, ConcurrentWritersAreSerialized) {
  auto catalog = open();
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&, thread] {
      for (int index = 0; index < 25; ++index) {
        auto created = catalog->createResource(instance("t" + std::to_string(thread) + "-" + std::to_string(index)));
        ASSERT_TRUE(created.ok());
        catalog->addTags(created->arn, {{"thread", std::to_string(thread)}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(catalog->listResources(kAccount, kRegion, "db-instance", "", 1000).items.size(), 100u);
}

}  // namespace
}  // namespace kura
