#pragma once
#include "drill/drill_options.h"

namespace kura {

// `kura drill NAME`: rehearses an incident against a resource (docs/drill.md).
// Exit status 0 when the drill passed, 1 when it ran and failed (writes
// lost, no recovery in time), 2 when it could not run.
int runDrill(const drill::DrillOptions& options);
// "instance-failure: kill or hang ...", one line per registered drill.
std::string drillList();

}  // namespace kura
