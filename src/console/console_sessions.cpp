#include "console/console_sessions.h"

#include <algorithm>

#include "common/crypto.h"

namespace kura::console {

std::string newConsoleToken() { return toHex(randomBytes(32)); }

ConsoleSessions::ConsoleSessions(ClockPtr clock, size_t maxSessions, std::chrono::seconds lifetime)
    : clock_(std::move(clock)), maxSessions_(std::max<size_t>(maxSessions, 1)), lifetime_(lifetime) {}

std::optional<std::pair<std::string, ConsoleSession>> ConsoleSessions::create(ConsoleSession session) {
  std::string token = newConsoleToken();
  session.csrfToken = newConsoleToken();
  session.createdAt = clock_->now();
  session.expiresAt = session.createdAt + lifetime_;
  std::lock_guard lock(mutex_);
  // Expired sessions go first; then, past the bounds, only the caller's own.
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expiresAt <= session.createdAt; });
  auto sameKey = [&](const auto& entry) { return entry.second.accessKeyId == session.accessKeyId; };
  auto samePrincipal = [&](const auto& entry) {
    return session.principalArn.empty() ? sameKey(entry) : entry.second.principalArn == session.principalArn;
  };
  auto oldestWhere = [&](auto&& matches) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (matches(*it) && (oldest == sessions_.end() || it->second.createdAt < oldest->second.createdAt)) oldest = it;
    }
    return oldest;
  };
  while (static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), sameKey)) >= kMaxSessionsPerKey) {
    sessions_.erase(oldestWhere(sameKey));
  }
  while (sessions_.size() >= maxSessions_) {
    auto own = oldestWhere(samePrincipal);
    if (own == sessions_.end()) return std::nullopt;
    sessions_.erase(own);
  }
  sessions_[sha256(token)] = session;
  return std::pair{token, session};
}

std::optional<ConsoleSession> ConsoleSessions::find(const std::string& token) {
  if (token.empty()) return std::nullopt;
  std::string key = sha256(token);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expiresAt <= clock_->now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void ConsoleSessions::remove(const std::string& token) {
  if (token.empty()) return;
  std::string key = sha256(token);
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

size_t ConsoleSessions::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace kura::console
