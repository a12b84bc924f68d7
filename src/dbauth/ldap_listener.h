#pragma once
// Kura's LDAP responder for its engines' logins (ldap_bind.h): it listens
// on 127.0.0.1 only, answers simple binds (and unbinds) and nothing else.
// A hostile peer gets little: each connection is bounded in message size
// (16 KiB), messages (4), time (10 s) and number (32 at once, more are
// closed at once), and a bind is answered success or invalidCredentials.
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/api_error.h"

namespace kura::dbauth {

class LdapListener {
 public:
  using Authenticate = std::function<bool(const std::string& name, const std::string& password)>;

  explicit LdapListener(Authenticate authenticate);
  ~LdapListener();
  LdapListener(const LdapListener&) = delete;
  LdapListener& operator=(const LdapListener&) = delete;

  // Listens on the first of `ports` free on 127.0.0.1 (0: any), and serves.
  Result<unsigned short> start(const std::vector<unsigned short>& ports);
  // Stops listening; ends the connections being served and waits for them
  // (10 s at most).
  void stop();
  unsigned short port() const { return port_; }

 private:
  void acceptLoop();
  void serve(int fd);

  Authenticate authenticate_;
  int listenFd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable idle_;
  int active_ = 0;  // connections being served; guarded by mutex_
  std::set<int> open_;  // their descriptors, closed under mutex_; guarded by mutex_
};

}  // namespace kura::dbauth
