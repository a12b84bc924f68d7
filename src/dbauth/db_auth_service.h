#pragma once
// IAM database authentication as the engines ask for it: a login's bind
// name says which database and user (`uid=<user>,ou=<key>`, the key being
// the instance's DbiResourceId, written into the engine's configuration by
// Kura), its password is the token. The answer is yes or no; a refusal is
// logged (Kura's log and the instance's events, DescribeEvents) with the
// user, the signing key and why, never the token.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "dbauth/db_auth_token.h"

namespace kura::dbauth {

// The bind name of `user` on the instance whose key is `key`.
std::string bindName(std::string_view user, std::string_view key);
// The user and key of a bind name; nullopt when it is not one. MariaDB's
// plugin adds to the key the port its connection comes from
// (`;via=<port>`): the proxy's, which says whether the client is on TLS.
struct BindName {
  std::string user, key;
  int via = 0;
};
std::optional<BindName> parseBindName(std::string_view name);

class DbAuthService {
 public:
  // The database a key names (nullopt: none).
  using TargetLookup = std::function<std::optional<DbAuthTarget>(const std::string& key)>;
  // Records a refusal where its owner reads it (an RDS event).
  using RefusalSink = std::function<void(const DbAuthTarget& target, const std::string& message)>;
  // Whether the client behind the proxy's connection from `port` is on TLS.
  using TlsCheck = std::function<bool(unsigned short port)>;
  // The address of the database client of a login (aws:SourceIp), given
  // the proxy port MariaDB's plugin names (0: none, PostgreSQL); empty when
  // it cannot be told. Asked only for a token whose signature holds.
  using ClientResolver = std::function<std::string(int via)>;

  DbAuthService(const DbAuthTokenVerifier& verifier, TargetLookup lookup, RefusalSink sink, TlsCheck tls);
  bool authenticate(std::string_view name, std::string_view password, const ClientResolver& client = {});

 private:
  void recordRefusal(const DbAuthTarget& target, const std::string& message);

  const DbAuthTokenVerifier& verifier_;
  TargetLookup lookup_;
  RefusalSink sink_;
  TlsCheck tls_;
  // Events of refusals: at most one per database every few seconds, with a
  // count of those left out, so that a flood of bad logins cannot flood
  // the catalog (the log has every one).
  struct Throttle {
    std::chrono::steady_clock::time_point last{};
    uint64_t suppressed = 0;
  };
  std::mutex mutex_;
  std::map<std::string, Throttle> throttles_;  // by source ARN; guarded by mutex_
};

}  // namespace kura::dbauth
