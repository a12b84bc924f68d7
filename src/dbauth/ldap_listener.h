#pragma once
// Kura's LDAP responder for its engines' logins (ldap_bind.h): it listens
// on 127.0.0.1 only, answers simple binds (and unbinds) and nothing else.
// A hostile peer gets little, and cannot lock the engines' logins out:
//  - each connection is bounded in message size (16 KiB), messages (4) and
//    time: its first message must come within the handshake time (2 s),
//    each next one within the idle time (2 s), all within 10 s;
//  - at most 64 connections at once, at most 24 of one source (the local
//    user owning the peer's socket, else its address): when either is
//    full, a new connection ends the oldest one of the same source (else
//    of any) that is waiting for a message, not being checked; only when
//    every one is in a check is the new one closed at once. An engine sends
//    its bind as soon as it connects, so idle connections cannot crowd it out;
//  - stop() ends every connection and waits for the checks in flight to
//    end, however long they take: no thread outlives the listener or what
//    its check reads.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/api_error.h"

namespace kura::dbauth {

struct LdapLimits {
  std::chrono::milliseconds handshake{2000};  // to the first whole message
  std::chrono::milliseconds idle{2000};       // between messages
  std::chrono::milliseconds connection{10000};
  int maxConnections = 64;
  int maxPerSource = 24;
};

class LdapListener {
 public:
  // `peerPort`: the port of the peer's end (127.0.0.1:peerPort), which
  // tells the process asking (dbauth/peer_process.h).
  using Authenticate =
      std::function<bool(const std::string& name, const std::string& password, unsigned short peerPort)>;

  explicit LdapListener(Authenticate authenticate, LdapLimits limits = {});
  ~LdapListener();
  LdapListener(const LdapListener&) = delete;
  LdapListener& operator=(const LdapListener&) = delete;

  // Listens on the first of `ports` free on 127.0.0.1 (0: any), and serves.
  Result<unsigned short> start(const std::vector<unsigned short>& ports);
  // Stops listening; ends the connections being served and waits for them
  // (and for any check in flight).
  void stop();
  unsigned short port() const { return port_; }

 private:
  struct Connection {
    std::string source;
    std::chrono::steady_clock::time_point since;
    bool checking = false;  // inside authenticate_: not to be ended
    bool ended = false;     // shut down to make room
  };
  void acceptLoop();
  void serve(int fd, unsigned short peerPort);
  // Makes room for a connection of `source` (mutex_ held): false when none
  // can be made.
  bool makeRoom(const std::string& source);

  Authenticate authenticate_;
  LdapLimits limits_;
  int listenFd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::map<int, Connection> open_;  // by descriptor, closed under mutex_; guarded by mutex_
};

// The user owning the local socket at `peerAddress`:`peerPort` (host
// order) connected to 127.0.0.1:`port` (the kernel's sock_diag), or -1.
long loopbackPeerUid(uint32_t peerAddress, unsigned short peerPort, unsigned short port);

}  // namespace kura::dbauth
