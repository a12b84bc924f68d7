#include "dbauth/db_auth_service.h"

#include <spdlog/spdlog.h>

namespace kura::dbauth {
namespace {

constexpr std::string_view kUserPrefix = "uid=";
constexpr std::string_view kKeyPrefix = ",ou=";
constexpr auto kEventInterval = std::chrono::seconds(5);
constexpr size_t kMaxThrottles = 10000;

// A tenant's user name in a log line or an event: printable, quoted, short.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 128)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string bindName(std::string_view user, std::string_view key) {
  return std::string(kUserPrefix) + std::string(user) + std::string(kKeyPrefix) + std::string(key);
}

std::optional<BindName> parseBindName(std::string_view name) {
  // The key comes last and never holds ",ou=": the last one splits, whatever
  // the user's name holds (PostgreSQL puts it in as the client sent it).
  if (name.substr(0, kUserPrefix.size()) != kUserPrefix) return std::nullopt;
  size_t split = name.rfind(kKeyPrefix);
  if (split == std::string_view::npos || split < kUserPrefix.size()) return std::nullopt;
  BindName parsed{std::string(name.substr(kUserPrefix.size(), split - kUserPrefix.size())),
                  std::string(name.substr(split + kKeyPrefix.size()))};
  if (size_t via = parsed.key.find(";via="); via != std::string::npos) {
    std::string port = parsed.key.substr(via + 5);
    parsed.key.resize(via);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    parsed.via = std::stoi(port);
    if (parsed.via <= 0 || parsed.via > 65535) return std::nullopt;
  }
  if (parsed.user.empty() || parsed.key.empty()) return std::nullopt;
  return parsed;
}

DbAuthService::DbAuthService(const DbAuthTokenVerifier& verifier, TargetLookup lookup, RefusalSink sink,
                             TlsCheck tls)
    : verifier_(verifier), lookup_(std::move(lookup)), sink_(std::move(sink)), tls_(std::move(tls)) {}

bool DbAuthService::authenticate(std::string_view name, std::string_view password, const ClientResolver& client) {
  auto parsed = parseBindName(name);
  if (!parsed) {
    spdlog::warn("msg=\"IAM database authentication refused: not a login Kura configured\"");
    return false;
  }
  auto target = lookup_(parsed->key);
  if (!target) {
    spdlog::warn("msg=\"IAM database authentication refused: no such database\" key=\"{}\" user=\"{}\"",
                 printable(parsed->key), printable(parsed->user));
    return false;
  }
  DbAuthDecision decision;
  if (parsed->via > 0 && !(tls_ && tls_(static_cast<unsigned short>(parsed->via)))) {
    // MariaDB: the token came without TLS (the plugin cannot tell; the
    // proxy can). Refused without a look at it.
    decision.reason = "the client did not connect over TLS";
  } else {
    int via = parsed->via;
    decision = verifier_.verify(password, parsed->user, *target,
                                [&client, via] { return client ? client(via) : std::string(); });
  }
  if (decision.allowed) {
    spdlog::info("msg=\"IAM database authentication\" db=\"{}\" user=\"{}\" principal=\"{}\" access_key_id={}",
                 target->sourceId, printable(parsed->user), decision.principal, printable(decision.accessKeyId));
    return true;
  }
  spdlog::warn("msg=\"IAM database authentication refused\" db=\"{}\" user=\"{}\" access_key_id=\"{}\" reason=\"{}\"",
               target->sourceId, printable(parsed->user), printable(decision.accessKeyId), decision.reason);
  std::string message = "IAM database authentication of user \"" + printable(parsed->user) + "\" was refused";
  if (!decision.accessKeyId.empty()) message += " (access key " + printable(decision.accessKeyId) + ")";
  recordRefusal(*target, message + ": " + decision.reason + ".");
  return false;
}

void DbAuthService::recordRefusal(const DbAuthTarget& target, const std::string& message) {
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (throttles_.size() >= kMaxThrottles) throttles_.clear();
    Throttle& throttle = throttles_[target.sourceArn];
    if (throttle.last != std::chrono::steady_clock::time_point{} && now - throttle.last < kEventInterval) {
      ++throttle.suppressed;
      return;
    }
    throttle.last = now;
    suppressed = throttle.suppressed;
    throttle.suppressed = 0;
  }
  std::string text = message;
  if (suppressed > 0) text += " " + std::to_string(suppressed) + " more were refused before it.";
  try {
    sink_(target, text);
  } catch (const std::exception& error) {
    spdlog::error("msg=\"cannot record a refused IAM database authentication\" error=\"{}\"", error.what());
  }
}

}  // namespace kura::dbauth
