#include "ddb/rocksdb_options.h"

#include <rocksdb/env.h>
#include <rocksdb/listener.h>

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <memory>

namespace kura::ddb {
namespace {

// RocksDB's warnings and errors, as lines of Kura's log.
class KuraLogger : public rocksdb::Logger {
 public:
  explicit KuraLogger(std::string store) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), store_(std::move(store)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char text[1024];
    std::vsnprintf(text, sizeof text, format, ap);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    for (char& c : line) {
      if (c == '"' || c == '\n') c = '\'';
    }
    // RocksDB's ERROR lines are mostly what it will retry (a full disk):
    // warnings in Kura's log, where errors are what an operator must act on.
    spdlog::warn("msg=\"rocksdb\" store={} text=\"{}\"", store_, line);
  }

 private:
  std::string store_;
};

class ErrorListener : public rocksdb::EventListener {
 public:
  explicit ErrorListener(BackgroundErrorHandler onError) : onError_(std::move(onError)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (onError_ && error != nullptr) onError_(*error);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error, bool* autoRecovery) override {
    // From a full disk Kura resumes the store itself (see the header);
    // RocksDB retries other errors as it would.
    if (autoRecovery != nullptr && error.IsNoSpace()) *autoRecovery = false;
  }

 private:
  BackgroundErrorHandler onError_;
};

}  // namespace

rocksdb::Options storeOptions(const std::string& store, BackgroundErrorHandler onError) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.info_log = std::make_shared<KuraLogger>(store);
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.allow_fallocate = false;
  options.manifest_preallocation_size = 0;
  options.manual_wal_flush = true;
  options.writable_file_max_buffer_size = kWalBufferBytes;
  options.listeners.push_back(std::make_shared<ErrorListener>(std::move(onError)));
  return options;
}

}  // namespace kura::ddb
