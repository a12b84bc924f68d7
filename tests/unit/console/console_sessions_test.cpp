// The console's sessions: random tokens, expiry, and the bounds, past which
// only the caller's own oldest session is evicted.
#include "console/console_sessions.h"

#include <gtest/gtest.h>

#include <set>

namespace kura::console {
namespace {

ConsoleSession sessionOf(const std::string& key) {
  ConsoleSession session;
  session.accessKeyId = key;
  session.principalArn = "arn:aws:iam::000000000000:user/" + key;
  return session;
}

TEST(ConsoleSessionsTest, TokensAreRandomAndFindTheirSession) {
  auto clock = std::make_shared<ManualClock>(SystemTime{} + std::chrono::hours(1000));
  ConsoleSessions sessions(clock);
  auto [token, session] = *sessions.create(sessionOf("AKIAONE"));
  auto [other, unused] = *sessions.create(sessionOf("AKIAONE"));
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, other);
  EXPECT_NE(session.csrfToken, token);
  EXPECT_EQ(session.csrfToken.size(), 64u);
  auto found = sessions.find(token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->accessKeyId, "AKIAONE");
  EXPECT_EQ(found->csrfToken, session.csrfToken);
  EXPECT_FALSE(sessions.find(std::string(64, 'a')));
  EXPECT_FALSE(sessions.find(""));
  sessions.remove(token);
  EXPECT_FALSE(sessions.find(token));
  EXPECT_TRUE(sessions.find(other));
}

TEST(ConsoleSessionsTest, ExpiredSessionsAreGone) {
  auto clock = std::make_shared<ManualClock>(SystemTime{} + std::chrono::hours(1000));
  ConsoleSessions sessions(clock, 10, std::chrono::hours(12));
  auto [token, session] = *sessions.create(sessionOf("AKIAONE"));
  clock->advance(std::chrono::hours(12) - std::chrono::seconds(1));
  EXPECT_TRUE(sessions.find(token));
  clock->advance(std::chrono::seconds(1));
  EXPECT_FALSE(sessions.find(token));
  EXPECT_EQ(sessions.size(), 0u);
}

TEST(ConsoleSessionsTest, AKeySignedInAgainAndAgainEvictsOnlyItsOwnOldest) {
  auto clock = std::make_shared<ManualClock>(SystemTime{} + std::chrono::hours(1000));
  ConsoleSessions sessions(clock, 100);
  auto [victim, unused] = *sessions.create(sessionOf("AKIAVICTIM"));
  std::vector<std::string> tokens;
  for (size_t i = 0; i < ConsoleSessions::kMaxSessionsPerKey + 5; ++i) {
    clock->advance(std::chrono::seconds(1));
    tokens.push_back(sessions.create(sessionOf("AKIAFLOOD"))->first);
  }
  EXPECT_TRUE(sessions.find(victim));
  EXPECT_EQ(sessions.size(), ConsoleSessions::kMaxSessionsPerKey + 1);
  for (size_t i = 0; i < 5; ++i) EXPECT_FALSE(sessions.find(tokens[i])) << i;
  EXPECT_TRUE(sessions.find(tokens.back()));
}

TEST(ConsoleSessionsTest, PastTheBoundOnlyTheCallersOwnSessionGoes) {
  auto clock = std::make_shared<ManualClock>(SystemTime{} + std::chrono::hours(1000));
  ConsoleSessions sessions(clock, 3);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    clock->advance(std::chrono::seconds(1));
    tokens.push_back(sessions.create(sessionOf("AKIA" + std::to_string(i)))->first);
  }
  // Full, with three principals' sessions: a fourth principal is refused
  // and nobody is signed out (many keys cannot sign everyone else out).
  clock->advance(std::chrono::seconds(1));
  EXPECT_FALSE(sessions.create(sessionOf("AKIA3")));
  EXPECT_EQ(sessions.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(sessions.find(tokens[i])) << i;
  // A principal already signed in replaces its own oldest session, even
  // through another of its keys.
  ConsoleSession otherKey = sessionOf("AKIA1");
  otherKey.accessKeyId = "AKIA1B";
  auto again = sessions.create(otherKey);
  ASSERT_TRUE(again);
  EXPECT_FALSE(sessions.find(tokens[1]));
  EXPECT_TRUE(sessions.find(tokens[0]));
  EXPECT_TRUE(sessions.find(tokens[2]));
  EXPECT_TRUE(sessions.find(again->first));
  // An expired session makes room for anyone.
  clock->advance(ConsoleSessions::kDefaultLifetime);
  EXPECT_TRUE(sessions.create(sessionOf("AKIA3")));
  EXPECT_EQ(sessions.size(), 1u);
}

}  // namespace
}  // namespace kura::console
