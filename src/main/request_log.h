#pragma once
#include <memory>

#include "api/api_gateway.h"

namespace spdlog {
class logger;
}

namespace kura {

// One log line per API call: request id, service, operation, outcome, time.
// Never the input or output: they may hold secrets.
void logRequest(const ApiCallRecord& record);

// Where logRequest writes (serve_command.cpp: a logger whose lines are
// not flushed one by one); the default logger until one is set.
void setRequestLogger(std::shared_ptr<spdlog::logger> logger);

}  // namespace kura
