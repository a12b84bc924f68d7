// The Markdown report and the table: the same facts, for a file and a terminal.
#include <fmt/format.h>

#include "drill/report_formats.h"

namespace kura::drill {
namespace {

// An endpoint's text in a Markdown table cell or a terminal line: no
// control characters (a hostile endpoint cannot redraw the lines around
// it), no cell breaks.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

std::string seconds(const std::optional<double>& value) {
  return value ? fmt::format("{:.2f} s", *value) : std::string("not recovered");
}

}  // namespace

std::string formatMarkdown(const DrillReport& report) {
  std::string out =
      fmt::format("# Drill {} on {} {}\n\n", cell(report.drill), cell(report.resourceType), cell(report.resource));
  out += fmt::format("**{}**: {}\n\n", report.passed ? "Passed" : "Failed", cell(report.verdictReason));
  out += "| | |\n|---|---|\n";
  out += fmt::format("| Started | {} |\n", cell(report.startedAt));
  out += fmt::format("| Endpoint | {} ({}) |\n", cell(report.endpointUrl.empty() ? "AWS" : report.endpointUrl),
                     cell(report.region));
  out += fmt::format("| Engine | {} |\n", cell(report.engine));
  out += fmt::format("| Workload | {} |\n", cell(report.workload));
  out += fmt::format("| Fault | {} at {:.2f} s, through {} |\n", cell(report.fault), report.faultAt,
                     cell(report.faultMethod));
  out += fmt::format("| First failed write | {} |\n", report.recovery.firstFailureAt
                                                          ? fmt::format("{:.2f} s", *report.recovery.firstFailureAt)
                                                          : std::string("none"));
  out += fmt::format("| Recovered | {} |\n", report.recovery.recoveredAt
                                                 ? fmt::format("{:.2f} s", *report.recovery.recoveredAt)
                                                 : std::string("no"));
  out += fmt::format("| RTO | {} |\n", seconds(report.recovery.rtoSeconds));
  out += fmt::format("| RPO | {} acknowledged writes lost ({:.2f} s) |\n", report.loss.lost, report.loss.rpoSeconds);
  out += fmt::format("| Writes | {} attempted, {} acknowledged, {} lost |\n", report.loss.attempted, report.loss.acked,
                     report.loss.lost);
  out += fmt::format("| Duration | {:.1f} s |\n\n", report.durationSeconds);
  if (!report.loss.lostIds.empty()) {
    out += fmt::format("Lost ids (first {}): {}\n\n", report.loss.lostIds.size(), fmt::join(report.loss.lostIds, ", "));
  }
  out += "## Events\n\n";
  if (report.events.empty()) out += "None seen.\n";
  for (const auto& event : report.events) {
    out += fmt::format("- {} {}: {}\n", cell(event.date), cell(event.source), cell(event.message));
  }
  if (!report.notes.empty()) {
    out += "\n## Notes\n\n";
    for (const auto& note : report.notes) out += "- " + cell(note) + "\n";
  }
  out += "\nThe timeline (success rate and latency per slice) is in the HTML report beside this one.\n";
  return out;
}

std::string formatDrillTable(const DrillReport& report) {
  std::string out = fmt::format("drill      {} on {} {}: {}\n", cell(report.drill), cell(report.resourceType),
                                cell(report.resource), report.passed ? "PASSED" : "FAILED");
  out += fmt::format("verdict    {}\n", cell(report.verdictReason));
  out += fmt::format("fault      {} at {:.2f} s ({})\n", cell(report.fault), report.faultAt, cell(report.faultMethod));
  out += fmt::format("RTO        {}\n", seconds(report.recovery.rtoSeconds));
  out += fmt::format("RPO        {} writes lost ({:.2f} s)\n", report.loss.lost, report.loss.rpoSeconds);
  out += fmt::format("writes     {} attempted, {} acked, {} lost\n", report.loss.attempted, report.loss.acked,
                     report.loss.lost);
  for (const auto& event : report.events)
    out += fmt::format("event      {} {}\n", cell(event.date), cell(event.message));
  for (const auto& note : report.notes) out += fmt::format("note       {}\n", cell(note));
  return out;
}

}  // namespace kura::drill
