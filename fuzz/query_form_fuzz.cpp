// Fuzzes the query protocol's request side: form decoding, then decoding
// into the input shapes of a few RDS and ElastiCache operations, and of EC2
// operations in EC2's dialect.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/form_decoding.h"
#include "protocol/input_validator.h"
#include "protocol/model_registry.h"
#include "protocol/query_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kura;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fields = parseForm(text);
  if (!fields) return 0;
  static const ModelRegistry& models = ModelRegistry::embedded();
  static const Operation* operations[] = {
      models.bySigningName("rds")->findOperation("CreateDBInstance"),
      models.bySigningName("rds")->findOperation("DescribeDBInstances"),
      models.bySigningName("rds")->findOperation("ModifyDBParameterGroup"),
      models.bySigningName("elasticache")->findOperation("CreateReplicationGroup"),
  };
  static const Operation* ec2Operations[] = {
      models.bySigningName("ec2")->findOperation("AuthorizeSecurityGroupIngress"),
      models.bySigningName("ec2")->findOperation("DescribeSecurityGroups"),
  };
  for (const Operation* op : operations) {
    auto input = decodeQueryInput(op->input, *fields);
    if (input) validateInput(op->input, *input);
  }
  for (const Operation* op : ec2Operations) {
    auto input = decodeEc2Input(op->input, *fields);
    if (input) validateInput(op->input, *input);
  }
  return 0;
}
