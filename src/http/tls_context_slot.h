#pragma once
// The TLS context new connections are handed: replaced whole when the
// server's certificate is renewed or reloaded, while connections already
// open keep the one they began with (each holds a reference to it).
#include <mutex>
#include <utility>

#include "http/tls_server_context.h"

namespace kura {

class TlsContextSlot {
 public:
  explicit TlsContextSlot(TlsContextPtr context) : context_(std::move(context)) {}

  TlsContextPtr current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return context_;
  }
  void replace(TlsContextPtr context) {
    std::lock_guard<std::mutex> lock(mutex_);
    context_ = std::move(context);
  }

 private:
  mutable std::mutex mutex_;
  TlsContextPtr context_;  // guarded by mutex_
};

}  // namespace kura
