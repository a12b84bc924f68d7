#pragma once
#include <memory>

#include "api/api_gateway.h"

namespace kura {

class LogLineBuffer;

// One log line per API call: request id, service, operation, outcome, time.
// Never the input or output: they may hold secrets.
void logRequest(const ApiCallRecord& record);

// Where logRequest writes (serve_command.cpp): the log's buffer, whose
// request lines are not written one by one, in the log's format (JSON or
// logfmt), when the log level takes info lines; the default logger until
// it is set.
void setRequestLog(std::shared_ptr<LogLineBuffer> out, bool json, bool enabled);

}  // namespace kura
