// Fuzzes the models' pattern constraints (protocol/model_pattern.h): every
// pattern of the services Kura serves, each against the input (the first
// byte picks one, the rest is the value), as the gateway's validation
// matches a hostile client's strings. A match must end within PCRE2's
// limits (libFuzzer's -timeout catches one that does not) and never read
// past the value (the sanitizers).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <vector>

#include "protocol/model_pattern.h"
#include "protocol/model_registry.h"

namespace {

void collect(const kura::Shape* shape, std::set<const kura::Shape*>& seen, std::vector<const kura::ModelPattern*>& out) {
  if (shape == nullptr || !seen.insert(shape).second) return;
  if (shape->pattern) out.push_back(shape->pattern.get());
  for (const kura::MemberRef& member : shape->members) collect(member.shape, seen, out);
  collect(shape->member.shape, seen, out);
  collect(shape->key.shape, seen, out);
  collect(shape->value.shape, seen, out);
}

const std::vector<const kura::ModelPattern*>& patterns() {
  static const std::vector<const kura::ModelPattern*> all = [] {
    std::vector<const kura::ModelPattern*> out;
    std::set<const kura::Shape*> seen;
    for (const char* name : {"dynamodb", "dynamodbstreams", "kms", "secretsmanager", "logs", "cloudtrail", "sts", "iam",
                             "monitoring", "rds", "elasticache", "application-autoscaling", "ec2"}) {
      const kura::ServiceModel* model = kura::ModelRegistry::embedded().bySigningName(name);
      if (model == nullptr) continue;
      for (const auto& [operation, op] : model->operations()) collect(op.input, seen, out);
    }
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& all = patterns();
  if (size == 0 || all.empty()) return 0;
  std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  all[data[0] % all.size()]->matches(value);
  return 0;
}
