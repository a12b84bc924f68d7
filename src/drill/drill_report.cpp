#include "drill/drill_report.h"

#include <fmt/format.h>

namespace kura::drill {

std::string DrillReport::summaryLine() const {
  std::string rto = recovery.rtoSeconds ? fmt::format("{:.2f} s", *recovery.rtoSeconds) : "not recovered";
  return fmt::format("RTO {}, RPO {} writes ({:.2f} s), {} attempted, {} acked, {} lost", rto, loss.lost,
                     loss.rpoSeconds, loss.attempted, loss.acked, loss.lost);
}

}  // namespace kura::drill
