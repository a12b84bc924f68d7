#include "main/drill_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "client/aws_environment.h"
#include "client/http_transport.h"
#include "drill/drill.h"
#include "drill/drill_records.h"
#include "drill/report_formats.h"

namespace kura {
namespace {

namespace fs = std::filesystem;

// A file name part from an identifier: letters, digits, '-' and '_' only.
std::string fileNamePart(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

bool writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

std::string drillList() {
  std::string out;
  for (const auto& [name, factory] : drill::registeredDrills()) out += name + ": " + factory()->summary() + "\n";
  return out;
}

int runDrill(const drill::DrillOptions& options) {
  drill::DrillPtr chosen = drill::makeDrill(options.drillName);
  if (!chosen) {
    fmt::print(stderr, "no drill named {}; the drills are:\n{}", options.drillName, drillList());
    return 2;
  }
  std::optional<client::Endpoint> endpoint;
  if (!options.endpointUrl.empty()) {
    endpoint = client::parseEndpointUrl(options.endpointUrl);
    if (!endpoint) {
      fmt::print(stderr, "--endpoint-url must be http://host[:port] or https://host[:port]\n");
      return 2;
    }
  }
  auto environment = client::processEnvironment();
  auto identity = client::resolveIdentity(environment, options.profile, options.region);
  if (auto* problem = std::get_if<std::string>(&identity)) {
    fmt::print(stderr, "{}\n", *problem);
    return 2;
  }
  std::error_code ec;
  fs::create_directories(options.reportDir, ec);
  if (!fs::is_directory(options.reportDir)) {
    fmt::print(stderr, "cannot create the report directory {}\n", options.reportDir);
    return 2;
  }
  client::TransportOptions transport;
  transport.timeout = std::chrono::seconds(options.timeoutSeconds);
  transport.caBundleFile = environment("AWS_CA_BUNDLE").value_or("");
  client::AwsClient awsClient(std::get<client::ClientIdentity>(std::move(identity)), endpoint,
                              client::makeBeastTransport(transport), realClock());
  drill::DrillContext context(awsClient, options);
  drill::DrillResult result = std::string("no result");
  try {
    result = chosen->run(context);
  } catch (const std::exception& error) {
    // An answer of an unexpected shape (a member of another type) ends
    // the drill, with what it was, not the process.
    result = std::string("the drill stopped on an unexpected answer: ") + error.what();
  }
  context.progress().finish();
  if (auto* problem = std::get_if<std::string>(&result)) {
    fmt::print(stderr, "drill {} on {}: {}\n", options.drillName, options.resource, *problem);
    return 2;
  }
  drill::DrillReport& report = std::get<drill::DrillReport>(result);

  // The incident's records: the end event, the events seen, the log.
  std::string ended = fmt::format("ended, {}: {}", report.passed ? "passed" : "failed", report.summaryLine());
  if (auto note = drill::recordDrillEvent(context, report, ended)) report.notes.push_back(*note);
  std::string eventsNote;
  report.events = drill::eventsSinceStart(context, report, eventsNote);
  if (!eventsNote.empty()) report.notes.push_back(eventsNote);
  if (auto note = drill::writeDrillLog(context, report)) report.notes.push_back(*note);

  std::string stem = fmt::format("{}-{}-{}", fileNamePart(report.drill), fileNamePart(report.resource),
                                 fileNamePart(report.startedAt));
  fs::path markdown = fs::path(options.reportDir) / (stem + ".md");
  fs::path html = fs::path(options.reportDir) / (stem + ".html");
  if (!writeFile(markdown, drill::formatMarkdown(report)) || !writeFile(html, drill::formatHtml(report))) {
    fmt::print(stderr, "cannot write the reports in {}\n", options.reportDir);
    return 2;
  }
  if (options.format == "json") {
    fmt::print("{}", drill::formatDrillJson(report));
  } else {
    fmt::print("{}report     {}\n           {}\n", drill::formatDrillTable(report), markdown.string(), html.string());
  }
  return report.passed ? 0 : 1;
}

}  // namespace kura
