#include "console/console_sessions.h"

#include <algorithm>

#include "common/crypto.h"

namespace kura::console {

std::string newConsoleToken() { return toHex(randomBytes(32)); }

ConsoleSessions::ConsoleSessions(ClockPtr clock, size_t maxSessions, std::chrono::seconds lifetime)
    : clock_(std::move(clock)), maxSessions_(std::max<size_t>(maxSessions, 1)), lifetime_(lifetime) {}

std::pair<std::string, ConsoleSession> ConsoleSessions::create(ConsoleSession session) {
  std::string token = newConsoleToken();
  session.csrfToken = newConsoleToken();
  session.createdAt = clock_->now();
  session.expiresAt = session.createdAt + lifetime_;
  std::lock_guard lock(mutex_);
  // Expired sessions go first; then, at the bound, the oldest.
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expiresAt <= session.createdAt; });
  auto byAge = [](const auto& a, const auto& b) { return a.second.createdAt < b.second.createdAt; };
  auto sameKey = [&](const auto& entry) { return entry.second.accessKeyId == session.accessKeyId; };
  while (static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(), sameKey)) >= kMaxSessionsPerKey) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (sameKey(*it) && (oldest == sessions_.end() || byAge(*it, *oldest))) oldest = it;
    }
    sessions_.erase(oldest);
  }
  while (sessions_.size() >= maxSessions_) sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), byAge));
  sessions_[sha256(token)] = session;
  return {token, session};
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
