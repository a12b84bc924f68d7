#pragma once
// The operations one service implements. The protocol layer has already
// parsed and validated the input against the service model: a handler sees
// a value tree (nlohmann::json) whose member names are the model's, and
// returns the output value tree or an ApiError. An operation that the model
// knows but no handler implements answers with the protocol's own
// "invalid action" error.
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "services/core/request_context.h"

namespace kura {

using Json = nlohmann::json;
using Handler = std::function<Result<Json>(const RequestContext&, const Json& input)>;

class HandlerTable {
 public:
  void add(const std::string& operation, Handler handler) { handlers_[operation] = std::move(handler); }
  const Handler* find(const std::string& operation) const {
    auto it = handlers_.find(operation);
    return it == handlers_.end() ? nullptr : &it->second;
  }
  size_t size() const { return handlers_.size(); }

 private:
  std::map<std::string, Handler> handlers_;
};

}  // namespace kura
