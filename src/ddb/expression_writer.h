#pragma once
// Writes expression trees (expression.h) back as expression text, every name
// and value as a placeholder (#n0, :v0) with its entry in the request's
// ExpressionAttributeNames / Values. PartiQL statements become the requests
// of the item handlers this way.
#include <map>
#include <string>
#include <vector>

#include "ddb/expression.h"

namespace kura::ddb {

class ExpressionWriter {
 public:
  std::string name(const std::string& name);
  std::string value(const Json& value);
  std::string path(const Path& path);
  std::string operand(const Operand& operand);
  std::string condition(const Condition& condition);
  std::string update(const std::vector<UpdateAction>& actions);
  std::string projection(const std::vector<Path>& paths);
  // Puts the placeholders used so far into `request`.
  void addTo(Json& request) const;

 private:
  std::map<std::string, std::string> names_;  // name -> placeholder
  Json values_ = Json::object();
};

}  // namespace kura::ddb
