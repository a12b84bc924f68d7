// Writes N CloudTrail-shaped events into <dir>/trail through the real
// TrailWriter, sealing every 10,000: the input of bench/trail_verify.sh.
#include <cstdlib>
#include <iostream>

#include "common/ids.h"
#include "trail/trail_event.h"
#include "trail/trail_writer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: kura_trail_fill DATA_DIR COUNT\n";
    return 2;
  }
  std::filesystem::path dataDir = argv[1];
  long count = std::atol(argv[2]);
  auto writer = kura::TrailWriter::open({dataDir / "trail", std::chrono::seconds(3600)}, kura::realClock());
  if (!writer) {
    std::cerr << writer.error().message << "\n";
    return 1;
  }
  kura::RequestContext context;
  context.accountId = "000000000000";
  context.region = "ap-northeast-1";
  context.service = "rds";
  context.operation = "DescribeDBInstances";
  context.accessKeyId = "test";
  context.sourceIp = "127.0.0.1";
  context.userAgent = "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off command/rds.describe-db-instances";
  context.receivedAt = std::chrono::system_clock::now();
  nlohmann::json input = {{"DBInstanceIdentifier", "app"}, {"MaxRecords", 100}};
  for (long i = 0; i < count; ++i) {
    context.requestId = kura::newUuid();
    (*writer)->append(kura::makeTrailEvent(context, &input, nullptr, nullptr, kura::newUuid()));
    if (i % 10000 == 9999) (*writer)->seal();
  }
  (*writer)->stop();
  return 0;
}
