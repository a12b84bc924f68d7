// The HTML report: self-contained (no script, no external file), its
// timeline an inline SVG: the share of writes acknowledged and their
// latency per slice of time, with the fault and the recovery marked.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "drill/report_formats.h"
#include "drill/timeline.h"

namespace kura::drill {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    }
  }
  return out;
}

constexpr double kWidth = 900, kLeft = 60, kRight = 20, kRateTop = 20, kRateHeight = 160, kLatencyTop = 220,
                 kLatencyHeight = 120, kHeight = 380;

}  // namespace

std::string formatTimelineSvg(const DrillReport& report) {
  double end = report.durationSeconds;
  for (const auto& attempt : report.attempts) end = std::max(end, attempt.endSeconds());
  end = std::max(end, 1.0);
  double sliceWidth = std::max(0.1, end / 150);
  auto slices = sliceTimeline(report.attempts, sliceWidth);
  double plotWidth = kWidth - kLeft - kRight;
  auto x = [&](double seconds) { return kLeft + plotWidth * std::clamp(seconds / end, 0.0, 1.0); };
  double maxLatency = 0.01;
  for (const auto& slice : slices) maxLatency = std::max(maxLatency, slice.maxLatency);
  auto yLatency = [&](double seconds) {
    return kLatencyTop + kLatencyHeight * (1 - std::min(1.0, seconds / maxLatency));
  };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n",
      kWidth, kHeight);
  svg += fmt::format("<text x=\"{}\" y=\"12\">writes acknowledged (% per {:.2f} s)</text>\n", kLeft, sliceWidth);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", kLeft,
                     kRateTop, plotWidth, kRateHeight);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">100%</text>\n", kLeft - 4, kRateTop + 8);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0%</text>\n", kLeft - 4, kRateTop + kRateHeight);
  // Success rate: one bar per slice that had attempts; a slice without any
  // (a write that hung across it) is drawn as an empty gap.
  for (const auto& slice : slices) {
    if (slice.attempts == 0) {
      // No write began in it: one was waiting for its answer. Shaded by how
      // that write ended (pale red: it failed or timed out).
      double middle = slice.start + slice.width / 2;
      for (const auto& attempt : report.attempts) {
        if (attempt.startSeconds > middle || attempt.endSeconds() < middle) continue;
        svg += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"/>\n", x(slice.start),
                           kRateTop, std::max(0.5, x(slice.start + slice.width) - x(slice.start)), kRateHeight,
                           attempt.acked ? "#cec" : "#fcc");
        break;
      }
      continue;
    }
    double height = kRateHeight * slice.successRate();
    std::string colour = slice.acked == slice.attempts ? "#4a8" : slice.acked == 0 ? "#d44" : "#e93";
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
                       x(slice.start), kRateTop + kRateHeight - height,
                       std::max(0.5, x(slice.start + slice.width) - x(slice.start)), std::max(height, 1.0), colour);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\">write latency (mean line, max dots; top {:.3f} s)</text>\n", kLeft,
                     kLatencyTop - 6, maxLatency);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n", kLeft,
                     kLatencyTop, plotWidth, kLatencyHeight);
  std::string points;
  for (const auto& slice : slices) {
    if (slice.attempts == 0) continue;
    points += fmt::format("{:.1f},{:.1f} ", x(slice.start + slice.width / 2), yLatency(slice.meanLatency));
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"1.5\" fill=\"#36c\"/>\n",
                       x(slice.start + slice.width / 2), yLatency(slice.maxLatency));
  }
  if (!points.empty()) svg += "<polyline fill=\"none\" stroke=\"#36c\" points=\"" + points + "\"/>\n";
  int labelRow = 12;
  auto marker = [&](double at, const std::string& colour, const std::string& label) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2\" "
        "stroke-dasharray=\"4 3\"/>\n",
        x(at), kRateTop, kLatencyTop + kLatencyHeight, colour);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"{}\">{}</text>\n", x(at) + 3, kRateTop + labelRow, colour,
                       escape(label));
    labelRow += 14;
  };
  marker(report.faultAt, "#c00", fmt::format("fault {:.2f} s", report.faultAt));
  if (report.recovery.recoveredAt) {
    marker(*report.recovery.recoveredAt, "#080", fmt::format("recovered {:.2f} s", *report.recovery.recoveredAt));
  }
  // The time axis, in seconds since the drill started.
  double step = 1;
  for (double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0}) {
    step = candidate;
    if (end / candidate <= 12) break;
  }
  for (double tick = 0; tick <= end + 1e-9; tick += step) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g} s</text>\n", x(tick),
                       kLatencyTop + kLatencyHeight + 14, tick);
  }
  svg += "</svg>\n";
  return svg;
}

std::string formatHtml(const DrillReport& report) {
  std::string title = fmt::format("Drill {} on {} {}", report.drill, report.resourceType, report.resource);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) +
                    "</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}"
                    "td,th{text-align:left;padding:2px 10px}.passed{color:#080}.failed{color:#c00}</style>"
                    "</head><body>\n";
  out += "<h1>" + escape(title) + "</h1>\n";
  out += fmt::format("<p class=\"{}\"><b>{}</b>: {}</p>\n", report.passed ? "passed" : "failed",
                     report.passed ? "Passed" : "Failed", escape(report.verdictReason));
  auto row = [&](const std::string& name, const std::string& value) {
    out += "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>\n";
  };
  out += "<table>\n";
  row("Started", report.startedAt);
  row("Endpoint", (report.endpointUrl.empty() ? "AWS" : report.endpointUrl) + " (" + report.region + ")");
  row("Engine", report.engine);
  row("Workload", report.workload);
  row("Fault", fmt::format("{} at {:.2f} s, through {}", report.fault, report.faultAt, report.faultMethod));
  row("RTO", report.recovery.rtoSeconds ? fmt::format("{:.2f} s", *report.recovery.rtoSeconds) : "not recovered");
  row("RPO", fmt::format("{} acknowledged writes lost ({:.2f} s)", report.loss.lost, report.loss.rpoSeconds));
  row("Writes", fmt::format("{} attempted, {} acknowledged, {} lost", report.loss.attempted, report.loss.acked,
                            report.loss.lost));
  out += "</table>\n<h2>Timeline</h2>\n" + formatTimelineSvg(report);
  out +=
      "<p>Bars: the share of the writes begun in each slice that were acknowledged (green: all, orange: some, "
      "red: none). Pale red: no write began, one was waiting for an answer that never came or failed. Dashed "
      "lines: the fault and the recovery (writes succeeding steadily again). Seconds since the drill began.</p>\n";
  out += "<h2>Events</h2>\n<ul>\n";
  if (report.events.empty()) out += "<li>None seen.</li>\n";
  for (const auto& event : report.events) {
    out += "<li>" + escape(event.date) + " " + escape(event.source) + ": " + escape(event.message) + "</li>\n";
  }
  out += "</ul>\n";
  if (!report.notes.empty()) {
    out += "<h2>Notes</h2>\n<ul>\n";
    for (const auto& note : report.notes) out += "<li>" + escape(note) + "</li>\n";
    out += "</ul>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace kura::drill
