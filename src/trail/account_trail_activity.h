#pragma once
// What GetTrailStatus may tell an account about the trail: when its own
// records were last delivered (written to the trail's log files), and when
// the first digest sealing them was. The trail's files are shared by every
// account, so their own times (a file's last write, the newest digest)
// would tell one account when another is active: those are never shown.
// A digest is written on the sealing schedule once anything is unsealed,
// so the first one after an account's records is due to them alone.
//
// Kept in memory: after a restart an account's times start again with its
// next call (GetTrailStatus itself is one).
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"

namespace kura {

class AccountTrailActivity {
 public:
  struct Times {
    std::optional<SystemTime> delivered;  // the account's newest record written
    std::optional<SystemTime> digested;   // the newest digest sealing one of its records
  };

  // A record of `account`'s was written at `at`.
  void delivered(const std::string& account, SystemTime at) {
    if (account.empty()) return;
    std::lock_guard lock(mutex_);
    Entry& entry = accounts_[account];
    entry.delivered = at;
    entry.unsealed = true;
  }

  // A digest written at `sealedAt` seals every record written before
  // `takenAt` (when the sealer took the files to seal).
  void sealed(SystemTime takenAt, SystemTime sealedAt) {
    std::lock_guard lock(mutex_);
    for (auto& [account, entry] : accounts_) {
      if (entry.unsealed && entry.delivered && *entry.delivered < takenAt) {
        entry.digested = sealedAt;
        entry.unsealed = false;
      }
    }
  }

  Times of(const std::string& account) const {
    std::lock_guard lock(mutex_);
    auto found = accounts_.find(account);
    if (found == accounts_.end()) return {};
    return {found->second.delivered, found->second.digested};
  }

 private:
  struct Entry {
    std::optional<SystemTime> delivered, digested;
    bool unsealed = false;  // a record written since the last digest that sealed this account's
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> accounts_;  // one per account that made a call (the accounts Kura serves)
};

}  // namespace kura
