#pragma once
// The query protocol's answer side: the XML an RDS, ElastiCache or
// CloudWatch endpoint returns becomes the operation's output value tree,
// member names as the model has them, numbers and booleans typed, lists and
// maps unwrapped as the model says (flattened or with member/entry
// wrappers). Timestamps and blobs stay text.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/service_model.h"

namespace kura::client {

// The output, or one sentence saying why the document cannot be read.
std::variant<nlohmann::json, std::string> decodeQueryAnswer(const Operation& operation, std::string_view xml);

struct XmlError {
  std::string code, message;
};
// An error document (<ErrorResponse><Error><Code>..., EC2's
// <Response><Errors><Error>..., or a bare <Error>); empty code when there is none.
XmlError decodeXmlError(std::string_view xml);

}  // namespace kura::client
