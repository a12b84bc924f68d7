#pragma once
// IAM database authentication in a running Kura: the LDAP responder its
// engines send token logins to (on 127.0.0.1, on a port kept across
// restarts in the catalog's settings, so that engines configured before a
// restart still reach it), the token check behind it, and the events of
// refusals. Listening starts before the engines are configured (they are
// told the port); logins are refused until serve() is called.
#include <atomic>
#include <functional>
#include <string>
#include <memory>

#include "catalog/catalog.h"
#include "dbauth/db_auth_service.h"
#include "dbauth/ldap_listener.h"
#include "dbauth/rds_db_auth_targets.h"

namespace kura::dbauth {

class DbAuthResponder {
 public:
  explicit DbAuthResponder(Catalog& catalog);
  ~DbAuthResponder();
  // Listens (the port kept last time if free; when Kura runs as root, a
  // port below 1024, which no other user can take while Kura is down).
  Result<unsigned short> listen();
  // From here on logins are checked with these credentials and policies.
  // `tls`: whether a MariaDB client (by the proxy's port) is on TLS.
  void serve(const auth::CredentialStore& credentials, DbAuthTokenVerifier::Authorize authorize,
             DbAuthService::TlsCheck tls, ClockPtr clock);
  void stop();
  // The client address of the proxy's connection to an engine from `port`
  // (empty if none): the aws:SourceIp of logins through the proxy. Set
  // before serve().
  void setProxiedClients(std::function<std::string(unsigned short port)> clients) {
    proxiedClients_ = std::move(clients);
  }

 private:
  bool authenticate(const std::string& name, const std::string& password, unsigned short peerPort);
  std::string clientAddress(int via, unsigned short peerPort) const;
  std::function<std::string(unsigned short)> proxiedClients_;

  Catalog& catalog_;
  DbAuthTargets targets_;
  std::unique_ptr<DbAuthTokenVerifier> verifier_;
  std::unique_ptr<DbAuthService> service_;
  std::atomic<DbAuthService*> serving_{nullptr};
  LdapListener listener_;
};

}  // namespace kura::dbauth
