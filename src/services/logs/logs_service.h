#pragma once
#include "services/core/service_module.h"
#include "services/logs/log_store.h"

namespace kura {

// Amazon CloudWatch Logs: groups, streams, events, retention, filtering.
ServiceModulePtr makeLogsService(const ServiceEnv& env, LogStore& store);

}  // namespace kura
