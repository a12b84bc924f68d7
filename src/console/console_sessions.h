#pragma once
// The console's sign-in sessions, in memory only (a restart signs everyone
// out). A session is found by the random token of its cookie, kept here
// only as its SHA-256 (a lookup's timing says nothing of a token), and
// names the access key it acts with and a hash of the secret it was
// signed in with: never the secret itself, which the credential store
// holds. Sessions expire; past a bound per key, that key's oldest session
// is evicted; at the bound of all, the principal's own oldest session, and a
// principal with none is refused: nobody's sign-ins end someone else's
// session.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace kura::console {

struct ConsoleSession {
  std::string accessKeyId;
  std::string secretHash;  // SHA-256 of the secret signed in with (raw)
  std::string principalArn, accountId;
  std::string csrfToken;  // sent back by the page in X-Kura-Csrf on every call
  SystemTime createdAt{}, expiresAt{};
};

class ConsoleSessions {
 public:
  static constexpr size_t kDefaultMaxSessions = 1000;
  // One key's sessions at most: a key signed in again and again evicts its
  // own oldest session, not other people's.
  static constexpr size_t kMaxSessionsPerKey = 16;
  static constexpr std::chrono::hours kDefaultLifetime{12};

  explicit ConsoleSessions(ClockPtr clock, size_t maxSessions = kDefaultMaxSessions,
                           std::chrono::seconds lifetime = kDefaultLifetime);

  // A new session with fresh random tokens: the cookie's token, returned
  // once, and the session (its CSRF token within); nothing when every
  // session the bound allows is someone else's.
  std::optional<std::pair<std::string, ConsoleSession>> create(ConsoleSession session);
  // The unexpired session of a cookie's token (an expired one is removed).
  std::optional<ConsoleSession> find(const std::string& token);
  void remove(const std::string& token);
  size_t size() const;

 private:
  ClockPtr clock_;
  size_t maxSessions_;
  std::chrono::seconds lifetime_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ConsoleSession> sessions_;  // by SHA-256 of the token; guarded by mutex_
};

// A token of 32 random bytes, in URL-safe characters (64 hex digits).
std::string newConsoleToken();

}  // namespace kura::console
