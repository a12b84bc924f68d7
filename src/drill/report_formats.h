#pragma once
// A drill's report as people and programs read it: Markdown and a
// self-contained HTML page (an inline SVG timeline of the workload's
// success rate and latency across the fault) for the report directory, a
// table or JSON for standard output.
#include <string>

#include "drill/drill_report.h"

namespace kura::drill {

std::string formatMarkdown(const DrillReport& report);
std::string formatHtml(const DrillReport& report);
std::string formatTimelineSvg(const DrillReport& report);
std::string formatDrillJson(const DrillReport& report);
std::string formatDrillTable(const DrillReport& report);

}  // namespace kura::drill
