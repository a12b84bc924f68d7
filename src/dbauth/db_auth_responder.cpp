#include "dbauth/db_auth_responder.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <charconv>

#include "dbauth/peer_process.h"
#include "dbauth/rds_db_auth_targets.h"

namespace kura::dbauth {
namespace {

constexpr const char* kPortSetting = "dbauth.port";
// Privileged ports tried when Kura runs as root, highest first.
constexpr unsigned short kPrivilegedFirst = 1023, kPrivilegedLast = 900;

}  // namespace

DbAuthResponder::DbAuthResponder(Catalog& catalog)
    : catalog_(catalog),
      targets_(catalog),
      listener_([this](const std::string& name, const std::string& password, unsigned short peerPort) {
        return authenticate(name, password, peerPort);
      }) {}

DbAuthResponder::~DbAuthResponder() { stop(); }

Result<unsigned short> DbAuthResponder::listen() {
  std::vector<unsigned short> ports;
  if (auto kept = catalog_.getSetting(kPortSetting)) {
    unsigned short port = 0;
    if (std::from_chars(kept->data(), kept->data() + kept->size(), port).ec == std::errc() && port > 0) {
      ports.push_back(port);
    }
  }
  if (::geteuid() == 0) {
    for (unsigned short port = kPrivilegedFirst; port >= kPrivilegedLast; --port) ports.push_back(port);
  }
  auto listening = listener_.start(ports);
  if (!listening) return listening;
  if (catalog_.getSetting(kPortSetting) != std::to_string(*listening)) {
    catalog_.putSetting(kPortSetting, std::to_string(*listening));
  }
  spdlog::info("msg=\"IAM database authentication listens\" address=127.0.0.1:{}", *listening);
  return listening;
}

void DbAuthResponder::serve(const auth::CredentialStore& credentials, DbAuthTokenVerifier::Authorize authorize,
                            DbAuthService::TlsCheck tls, ClockPtr clock) {
  verifier_ = std::make_unique<DbAuthTokenVerifier>(credentials, std::move(authorize), std::move(clock));
  service_ = std::make_unique<DbAuthService>(
      *verifier_, [this](const std::string& key) { return targets_.find(key); },
      [this](const DbAuthTarget& target, const std::string& message) {
        Event event;
        event.accountId = target.accountId;
        event.region = target.region;
        event.sourceType = target.sourceType;
        event.sourceId = target.sourceId;
        event.sourceArn = target.sourceArn;
        event.message = message;
        event.categories = {"notification"};
        catalog_.addEvent(event);
      },
      std::move(tls));
  serving_ = service_.get();
}

void DbAuthResponder::stop() {
  listener_.stop();
  serving_ = nullptr;
}

bool DbAuthResponder::authenticate(const std::string& name, const std::string& password, unsigned short peerPort) {
  DbAuthService* service = serving_;
  return service != nullptr &&
         service->authenticate(name, password, [this, peerPort](int via) { return clientAddress(via, peerPort); });
}

std::string DbAuthResponder::clientAddress(int via, unsigned short peerPort) const {
  auto proxied = [this](unsigned short port) { return proxiedClients_ ? proxiedClients_(port) : std::string(); };
  // MariaDB's plugin names the proxy's connection it came by.
  if (via > 0) return proxied(static_cast<unsigned short>(via));
  // PostgreSQL: the backend asking serves one client connection, whose
  // remote end is the client, or the proxy (on loopback) for one behind it.
  auto client = clientOfPeerProcess(peerPort, listener_.port());
  if (!client) return "";
  if (client->address.starts_with("127.") || client->address == "::1") {
    if (std::string behind = proxied(client->port); !behind.empty()) return behind;
  }
  return client->address;
}

}  // namespace kura::dbauth
