#include "iam/request_authorizer.h"

#include <algorithm>
#include <span>

#include "auth/policy_evaluation.h"
#include "auth/request_resources.h"
#include "ddb/partiql.h"
#include "iam/global_condition_keys.h"
#include "iam/iam_request_resources.h"
#include "iam/service_condition_keys.h"

namespace kura::iam {
namespace {

ApiError denied(std::string_view protocol, const std::string& message) {
  if (protocol == "json") return ApiError::sender("AccessDeniedException", message, 400);
  if (protocol == "ec2") {
    return ApiError::sender("UnauthorizedOperation", "You are not authorized to perform this operation. " + message,
                            403);
  }
  return ApiError::sender("AccessDenied", message, 403);
}

// The decision under `policies`, remembered per action, resources and the
// values of the condition keys the policies read (the same call again is
// one lookup; a policy on aws:CurrentTime is decided again each second).
void appendValue(std::string& key, const std::string& value) {
  key.append(std::to_string(value.size())).append(1, ':').append(value);
}

auth::Decision decide(const PrincipalPolicies& policies, const auth::RequestFacts& facts, bool remember,
                      std::string* deniedResource) {
  if (!remember) return auth::evaluatePolicies(policies.view(), facts, deniedResource);
  std::string key = facts.action;
  for (const auto& resource : facts.resources) key.append(1, '\n').append(resource);
  for (const auto& name : policies.keysRead) {
    // A value holds any byte but NUL: absent and empty stay apart.
    key.append(1, '\n').append(name).append(1, '=');
    if (auto value = facts.keys.find(name); value != facts.keys.end()) {
      appendValue(key, value->second);
    } else if (auto values = facts.multiKeys.find(name); values != facts.multiKeys.end()) {
      key.append(1, '[');
      for (const auto& one : values->second) appendValue(key, one);
    } else {
      key.append(1, '\0');
    }
    // A resource's own keys (its tags), per resource.
    for (const auto& [resource, keys] : facts.resourceKeys) {
      if (auto value = keys.find(name); value != keys.end()) {
        key.append(1, '@').append(resource).append(1, '=');
        appendValue(key, value->second);
      }
    }
  }
  if (auto decision = policies.recalled(key, deniedResource)) return *decision;
  auth::Decision decision = auth::evaluatePolicies(policies.view(), facts, deniedResource);
  policies.remember(key, decision, *deniedResource);
  return decision;
}

// What a call asks beyond itself, each asked of the policies in turn (none:
// just the call). DynamoDB's transactions are asked as their items'
// actions (dynamodb:PutItem, UpdateItem, DeleteItem, ConditionCheckItem,
// GetItem) on their tables, as DynamoDB authorizes them. Its PartiQL calls
// are authorized as IAM names them: each statement as
// dynamodb:PartiQLSelect, PartiQLInsert, PartiQLUpdate or PartiQLDelete on
// its table (and the index it reads), never as the call on "*". A
// statement that does not parse is left out: the call runs none of it (it
// answers ValidationException for it); one with no statement that parses
// is asked as itself, on "*". A SELECT carries dynamodb:FullTableScan when
// `fullTableScan` is given (a policy reads it).
struct Ask {
  auth::RequestFacts facts;
  // The part of the call the ask is for (a transaction's item, as a
  // transaction of its own), whose service keys are its own; null: the call.
  nlohmann::json input;
};

std::vector<Ask> asksOf(const RequestContext& context, const nlohmann::json& input, const auth::RequestFacts& facts,
                        const RequestAuthorizer::FullTableScanCheck* fullTableScan) {
  std::vector<Ask> asks;
  // AssumeRole with session tags asks for sts:TagSession as well (its
  // trust policy is asked the same by STS itself).
  if (context.service == "sts" && context.operation == "AssumeRole" && input.is_object() &&
      (input.contains("Tags") || input.contains("TransitiveTagKeys"))) {
    asks.push_back({facts, nullptr});
    asks.push_back({facts, nullptr});
    asks.back().facts.action = "sts:TagSession";
    return asks;
  }
  if (context.service != "dynamodb" || !input.is_object()) return asks;
  // Made only for the calls that ask beyond themselves (not on GetItem's path).
  auto tableArn = [&](const std::string& name) {
    return "arn:aws:dynamodb:" + context.region + ":" + context.accountId + ":table/" + name;
  };
  if (context.operation == "TransactWriteItems" || context.operation == "TransactGetItems") {
    // A transaction is authorized as its items' own actions (there is no
    // IAM action of the call's name), each on its table, with its own keys
    // (its leading key, its attributes) and dynamodb:EnclosingOperation
    // naming the call. An item of another kind (or of more than one), or
    // without a table, is asked as the call on "*", and the call refuses
    // it (ValidationException): the handlers run only the kinds asked here.
    bool writes = context.operation == "TransactWriteItems";
    static const std::pair<const char*, const char*> kWriteActions[] = {{"Put", "dynamodb:PutItem"},
                                                                         {"Update", "dynamodb:UpdateItem"},
                                                                         {"Delete", "dynamodb:DeleteItem"},
                                                                         {"ConditionCheck", "dynamodb:ConditionCheckItem"}};
    static const std::pair<const char*, const char*> kReadActions[] = {{"Get", "dynamodb:GetItem"}};
    auto items = input.find("TransactItems");
    if (items == input.end() || !items->is_array()) return asks;
    // The call's own service keys are every item's together: each ask has
    // its item's only.
    auth::RequestFacts base = facts;
    std::erase_if(base.keys, [](const auto& key) { return key.first.starts_with("dynamodb:"); });
    std::erase_if(base.multiKeys, [](const auto& key) { return key.first.starts_with("dynamodb:"); });
    for (const auto& entry : *items) {
      const char* action = nullptr;
      const nlohmann::json* request = nullptr;
      if (entry.is_object() && entry.size() == 1) {
        std::span<const std::pair<const char*, const char*>> kinds = kReadActions;
        if (writes) kinds = kWriteActions;
        for (const auto& [member, name] : kinds) {
          if (auto found = entry.find(member); found != entry.end()) {
            action = name;
            request = &*found;
          }
        }
      }
      const nlohmann::json* table = nullptr;
      if (request != nullptr && request->is_object()) {
        if (auto found = request->find("TableName"); found != request->end() && found->is_string()) table = &*found;
      }
      Ask ask{base, nullptr};
      ask.facts.keys.insert_or_assign("dynamodb:enclosingoperation", context.operation);
      if (action == nullptr || table == nullptr) {
        ask.facts.resources = {"*"};
        asks.push_back(std::move(ask));
        continue;
      }
      ask.facts.action = action;
      ask.facts.resources = {tableArn(table->get<std::string>())};
      ask.input = {{"TransactItems", nlohmann::json::array({entry})}};
      if (auto measured = input.find("ReturnConsumedCapacity"); measured != input.end()) {
        ask.input["ReturnConsumedCapacity"] = *measured;
      }
      asks.push_back(std::move(ask));
    }
    return asks;
  }
  std::vector<const nlohmann::json*> statements;
  if (context.operation == "ExecuteStatement") {
    statements.push_back(&input);
  } else if (context.operation == "BatchExecuteStatement" || context.operation == "ExecuteTransaction") {
    auto list = input.find(context.operation == "ExecuteTransaction" ? "TransactStatements" : "Statements");
    if (list == input.end() || !list->is_array()) return asks;
    for (const auto& entry : *list) statements.push_back(&entry);
  } else {
    return asks;
  }
  for (const nlohmann::json* entry : statements) {
    if (!entry->is_object()) continue;
    auto text = entry->find("Statement");
    if (text == entry->end() || !text->is_string()) continue;
    auto parameters = entry->find("Parameters");
    auto parsed = ddb::partiql::parseStatement(text->get<std::string>(),
                                               parameters == entry->end() ? nlohmann::json() : *parameters);
    if (!parsed) continue;
    using Kind = ddb::partiql::Statement::Kind;
    auth::RequestFacts ask = facts;
    switch (parsed->kind) {
      case Kind::Insert: ask.action = "dynamodb:PartiQLInsert"; break;
      case Kind::Update: ask.action = "dynamodb:PartiQLUpdate"; break;
      case Kind::Delete: ask.action = "dynamodb:PartiQLDelete"; break;
      default: ask.action = "dynamodb:PartiQLSelect"; break;
    }
    if (parsed->kind == Kind::Select && fullTableScan != nullptr) {
      ask.keys.insert_or_assign("dynamodb:fulltablescan", (*fullTableScan)(context, *parsed) ? "true" : "false");
    }
    ask.resources = {tableArn(parsed->table)};
    if (!parsed->index.empty()) ask.resources.push_back(ask.resources.front() + "/index/" + parsed->index);
    asks.push_back({std::move(ask), nullptr});
  }
  return asks;
}

}  // namespace

std::vector<std::string> RequestAuthorizer::resourcesOf(const RequestContext& context,
                                                        const nlohmann::json& input) const {
  if (context.service == "iam" || context.service == "sts") return iamRequestResources(context, input, principals_);
  auto resources = auth::requestResources(context.service, context.operation, input,
                                          {context.region, context.accountId, context.userArn});
  if (auto resolver = resolvers_.find(context.service); resolver != resolvers_.end() && input.is_object()) {
    // The resolved resource stands for the one named by name, which comes
    // last; one named by ARN beside it is still evaluated.
    if (std::string arn = resolver->second(context, input); !arn.empty()) {
      if (resources.empty()) {
        resources = {arn};
      } else {
        resources.back() = arn;
      }
    }
  }
  return resources;
}

std::optional<ApiError> RequestAuthorizer::authorize(const RequestContext& context, const nlohmann::json& input,
                                                     std::string_view protocol) const {
  // STS answers who the caller is, and gives it a session of itself,
  // whatever its policies say, as AWS does (neither needs a permission).
  bool needsNoPermission = context.operation == "GetCallerIdentity" || context.operation == "GetSessionToken";
  if (context.service == "sts" && needsNoPermission && context.accessKeyId.rfind("ASIA", 0) != 0) return std::nullopt;
  if (context.service == "sts" && context.operation == "GetCallerIdentity") return std::nullopt;
  bool assumed = context.principalType == "AssumedRole";
  bool temporary = context.accessKeyId.rfind("ASIA", 0) == 0;
  if (temporary && !assumed) {
    // GetSessionToken's credentials (without MFA, which Kura does not
    // have): IAM refuses them, STS takes them only for AssumeRole.
    if (context.service == "iam") {
      return ApiError::sender("InvalidClientTokenId", "The security token included in the request is invalid", 403);
    }
    if (context.service == "sts" && context.operation != "AssumeRole") {
      return ApiError::sender("AccessDenied", "Cannot call " + context.operation + " with session credentials", 403);
    }
  }
  auth::RequestFacts facts;
  facts.action = auth::actionPrefix(context.service) + ":" + context.operation;
  facts.resources = resourcesOf(context, input);
  auto policies = assumed ? principals_.policiesOfRole(context.roleName) : principals_.policiesOf(context.userName);
  auto session = assumed ? principals_.sessionPolicyOf(context.accessKeyId) : nullptr;
  const PrincipalPolicies* boundary = policies ? policies->boundary.get() : nullptr;
  bool usesKeys = (policies && policies->usesKeys) || (session && session->limits && session->usesKeys) ||
                  (boundary != nullptr && boundary->usesKeys);
  auto check = checks_.find(context.service);
  if (check != checks_.end() && !check->second.operations.empty() &&
      !check->second.operations.contains(context.operation)) {
    check = checks_.end();
  }
  if (usesKeys || check != checks_.end()) {
    // A session's tags stand before its role's of the same key.
    std::vector<std::pair<std::string, std::string>> tags;
    if (session) tags = session->tags;
    if (policies) tags.insert(tags.end(), policies->tags.begin(), policies->tags.end());
    addGlobalKeys(context, tags, facts);
  }
  facts.boundedPrincipal = boundary != nullptr;
  facts.limitedSession = session && session->limits;
  // The service's keys that some statement reads (docs/iam.md).
  std::vector<std::string> wanted;
  if (usesKeys) {
    for (const PrincipalPolicies* read : {policies.get(), session && session->limits ? session.get() : nullptr,
                                         boundary}) {
      if (read != nullptr) wanted.insert(wanted.end(), read->keysRead.begin(), read->keysRead.end());
    }
    addServiceKeys(context, input, wanted, principals_.catalog(), facts);
    if (auto provider = serviceKeys_.find(context.service); provider != serviceKeys_.end()) {
      provider->second(context, input, wanted, facts);
    }
  }
  // Each thing the call asks (PartiQL's: each statement's action on its
  // table) must be allowed.
  auto decideAsk = [&](const auth::RequestFacts& facts) -> std::optional<ApiError> {
    std::string resource = facts.resources.empty() ? "*" : facts.resources.front();
    if (check != checks_.end()) {
      // The service weighs its resources' own policies (auth/resource_policy.h)
      // with the identity (and session) policies' decision on facts it
      // derives: a key's ARN, its condition keys.
      auto identity = [&](const auth::RequestFacts& asked) {
        std::string ignored;
        auth::Decision decision = policies ? decide(*policies, asked, false, &ignored) : auth::Decision::ImplicitDeny;
        // What limits the caller only (auth::callerGranted): its boundary
        // and session policy, over a grant its role's policies need not make.
        if (asked.limitsOnly) decision = auth::Decision::Allow;
        if (decision != auth::Decision::ExplicitDeny && boundary != nullptr) {
          auth::Decision limit = decide(*boundary, asked, false, &ignored);
          if (limit == auth::Decision::ExplicitDeny || decision == auth::Decision::Allow) decision = limit;
        }
        if (decision == auth::Decision::Allow && session && session->limits) {
          decision = decide(*session, asked, false, &ignored);
        }
        return decision;
      };
      return checkResourcePolicies(check->second.decide, context, input, facts, protocol, identity);
    }
    auth::Decision decision = auth::Decision::ImplicitDeny;
    if (policies) decision = decide(*policies, facts, true, &resource);
    std::string kind = "identity-based policy";
    if (decision != auth::Decision::ExplicitDeny && boundary != nullptr) {
      // A permissions boundary: what the identity policies allow, it must
      // allow too; its Deny refuses whatever they say.
      std::string limited = resource;
      auth::Decision limit = decide(*boundary, facts, true, &limited);
      if (limit == auth::Decision::ExplicitDeny || (decision == auth::Decision::Allow && limit != auth::Decision::Allow)) {
        decision = limit;
        resource = limited;
        kind = "permissions boundary";
      }
    }
    if (decision == auth::Decision::Allow && session && session->limits) {
      // A session policy limits what the role's policies allow.
      decision = decide(*session, facts, true, &resource);
      kind = "session policy";
    }
    if (decision == auth::Decision::Allow) return std::nullopt;
    std::string article = kind == "identity-based policy" ? "an " : "a ";
    return denied(protocol, "User: " + context.userArn + " is not authorized to perform: " + facts.action +
                                " on resource: " + resource +
                                (decision == auth::Decision::ExplicitDeny
                                     ? " with an explicit deny in " + article + kind
                                     : " because no " + kind + " allows the " + facts.action + " action"));
  };
  bool scanWanted = context.service == "dynamodb" && fullTableScan_ && !wanted.empty() &&
                    std::find(wanted.begin(), wanted.end(), "dynamodb:fulltablescan") != wanted.end();
  std::vector<Ask> asks = asksOf(context, input, facts, scanWanted ? &fullTableScan_ : nullptr);
  if (asks.empty()) return decideAsk(facts);  // the call itself: no copy on the common path
  for (auto& ask : asks) {
    // An ask's own resources (a PartiQL statement's table) have their own
    // keys: their tags, as aws:ResourceTag; a transaction's item, its own
    // service keys too.
    bool ownInput = !ask.input.is_null();
    if (usesKeys && (ownInput || ask.facts.resources != facts.resources)) {
      if (auto provider = serviceKeys_.find(context.service); provider != serviceKeys_.end()) {
        provider->second(context, ownInput ? ask.input : input, wanted, ask.facts);
      }
    }
    if (auto error = decideAsk(ask.facts)) return error;
  }
  return std::nullopt;
}

std::optional<ApiError> RequestAuthorizer::checkResourcePolicies(const ResourcePolicyCheck& check,
                                                                 const RequestContext& context,
                                                                 const nlohmann::json& input,
                                                                 const auth::RequestFacts& facts,
                                                                 std::string_view protocol,
                                                                 const IdentityDecision& identity) const {
  auth::ResourceVerdict verdict = check(context, input, facts, identity);
  if (verdict.error) return verdict.error;
  if (verdict.decision == auth::Decision::Allow) return std::nullopt;
  std::string action = verdict.action.empty() ? facts.action : verdict.action;
  std::string resource = verdict.resource;
  if (resource.empty()) resource = facts.resources.empty() ? "*" : facts.resources.front();
  std::string kind = verdict.byResourcePolicy ? "resource-based" : "identity-based";
  return denied(protocol, "User: " + context.userArn + " is not authorized to perform: " + action + " on resource: " +
                              resource +
                              (verdict.decision == auth::Decision::ExplicitDeny
                                   ? " with an explicit deny in a " + kind + " policy"
                                   : " because no " + kind + " policy allows the " + action + " action"));
}

}  // namespace kura::iam
