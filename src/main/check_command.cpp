#include "main/check_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "check/check_run.h"
#include "check/report_formats.h"
#include "client/aws_environment.h"
#include "client/http_transport.h"

namespace kura {

int runCheck(const CheckArgs& args) {
  auto failOn = check::parseSeverity(args.failOn);
  if (!failOn) {
    fmt::print(stderr, "--fail-on must be low, medium, high or critical\n");
    return 2;
  }
  std::optional<client::Endpoint> endpoint;
  if (!args.endpointUrl.empty()) {
    endpoint = client::parseEndpointUrl(args.endpointUrl);
    if (!endpoint) {
      fmt::print(stderr, "--endpoint-url must be http://host[:port] or https://host[:port]\n");
      return 2;
    }
  }
  auto environment = client::processEnvironment();
  auto identity = client::resolveIdentity(environment, args.profile, args.region);
  if (auto* problem = std::get_if<std::string>(&identity)) {
    fmt::print(stderr, "{}\n", *problem);
    return 2;
  }
  std::vector<check::Suppression> suppressions;
  if (!args.suppressionsFile.empty()) {
    auto read = check::readSuppressionsFile(args.suppressionsFile);
    if (auto* problem = std::get_if<std::string>(&read)) {
      fmt::print(stderr, "{}: {}\n", args.suppressionsFile, *problem);
      return 2;
    }
    suppressions = std::get<std::vector<check::Suppression>>(std::move(read));
  }
  client::TransportOptions transport;
  transport.timeout = std::chrono::seconds(args.timeoutSeconds);
  transport.caBundleFile = environment("AWS_CA_BUNDLE").value_or("");
  client::AwsClient awsClient(std::get<client::ClientIdentity>(std::move(identity)), endpoint,
                              client::makeBeastTransport(transport), realClock());
  if (std::string problem = check::probeEndpoint(awsClient); !problem.empty()) {
    fmt::print(stderr, "{}\n", problem);
    return 2;
  }
  check::CheckReport report = check::runCheck(awsClient, realClock(), args.endpointUrl, suppressions);
  std::string text = args.format == "json"    ? check::formatJson(report)
                     : args.format == "junit" ? check::formatJunit(report)
                     : args.format == "sarif" ? check::formatSarif(report)
                                              : check::formatTable(report);
  if (args.outputFile.empty()) {
    fmt::print("{}", text);
  } else {
    std::ofstream out(args.outputFile, std::ios::trunc);
    out << text;
    if (!out.flush()) {
      fmt::print(stderr, "cannot write {}\n", args.outputFile);
      return 2;
    }
  }
  for (const auto& expired : report.expiredSuppressions) {
    fmt::print(stderr, "suppression of {} {} expired on {}; it no longer applies\n", expired.ruleId,
               expired.resource.empty() ? "(every resource)" : expired.resource, expired.expires);
  }
  return check::verdictExitCode(report, *failOn);
}

}  // namespace kura
