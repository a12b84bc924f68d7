#include <cctype>
#include <charconv>

#include "ddb/expression.h"

namespace kura::ddb {
namespace {

struct Token {
  enum class Kind { Name, NameRef, ValueRef, Number, Symbol, End } kind = Kind::End;
  std::string text;
};

ApiError syntaxError(const std::string& message) {
  return ApiError::sender("ValidationException", "Invalid expression: " + message);
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

Result<std::vector<Token>> tokenize(const std::string& text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '#' || c == ':') {
      size_t start = i++;
      while (i < text.size() && isNameChar(text[i])) ++i;
      if (i == start + 1) return syntaxError(std::string("Syntax error; token: \"") + c + "\"");
      tokens.push_back({c == '#' ? Token::Kind::NameRef : Token::Kind::ValueRef, text.substr(start, i - start)});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      tokens.push_back({Token::Kind::Number, text.substr(start, i - start)});
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < text.size() && isNameChar(text[i])) ++i;
      tokens.push_back({Token::Kind::Name, text.substr(start, i - start)});
      continue;
    }
    std::string two = text.substr(i, 2);
    if (two == "<=" || two == ">=" || two == "<>") {
      tokens.push_back({Token::Kind::Symbol, two});
      i += 2;
      continue;
    }
    if (std::string("()[],.=<>+-").find(c) != std::string::npos) {
      tokens.push_back({Token::Kind::Symbol, std::string(1, c)});
      ++i;
      continue;
    }
    return syntaxError(std::string("Syntax error; token: \"") + c + "\"");
  }
  tokens.push_back({Token::Kind::End, ""});
  return tokens;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

constexpr int kMaxNesting = 64;  // parentheses, NOT and functions inside each other

class Parser {
 public:
  // Counts one level of nesting for the life of the guard.
  struct Nesting {
    explicit Nesting(int& depth) : depth_(depth) { ++depth_; }
    ~Nesting() { --depth_; }
    bool tooDeep() const { return depth_ > kMaxNesting; }
    int& depth_;
  };

  Parser(std::vector<Token> tokens, const ExpressionContext& context) : tokens_(std::move(tokens)), context_(context) {}

  bool atEnd() const { return peek().kind == Token::Kind::End; }
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  bool isKeyword(const char* word, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Name && upper(peek(ahead).text) == word;
  }
  bool isSymbol(const char* symbol) const { return peek().kind == Token::Kind::Symbol && peek().text == symbol; }
  void next() { ++pos_; }

  std::optional<ApiError> expect(const char* symbol) {
    if (!isSymbol(symbol)) return syntaxError(std::string("Syntax error; expected ") + symbol + " near \"" + peek().text + "\"");
    next();
    return std::nullopt;
  }

  Result<Path> path() {
    Path out;
    while (true) {
      const Token& token = peek();
      std::string name;
      if (token.kind == Token::Kind::Name) {
        name = token.text;
      } else if (token.kind == Token::Kind::NameRef) {
        if (context_.names == nullptr || !context_.names->contains(token.text)) {
          return ApiError::sender("ValidationException",
                                  "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + token.text +
                                      "}; An expression attribute name used in the document path is not defined; attribute name: " +
                                      token.text);
        }
        if (context_.usedNames) context_.usedNames->insert(token.text);
        name = (*context_.names)[token.text].get<std::string>();
      } else {
        return syntaxError("Syntax error; token: \"" + token.text + "\", expected an attribute name");
      }
      next();
      out.push_back({name, -1});
      while (isSymbol("[")) {
        next();
        if (peek().kind != Token::Kind::Number) return syntaxError("a list index must be a number");
        long index = 0;
        const std::string& digits = peek().text;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || end != digits.data() + digits.size() || index > 1000000) {
          return syntaxError("the list index " + digits + " is out of range");
        }
        out.push_back({"", index});
        next();
        if (auto error = expect("]")) return *error;
      }
      if (!isSymbol(".")) break;
      next();
    }
    return out;
  }

  Result<OperandPtr> value() {
    const Token& token = peek();
    if (token.kind != Token::Kind::ValueRef) return syntaxError("expected a value");
    if (context_.values == nullptr || !context_.values->contains(token.text)) {
      return ApiError::sender("ValidationException",
                              "An expression attribute value used in expression is not defined; attribute value: " + token.text);
    }
    if (context_.usedValues) context_.usedValues->insert(token.text);
    auto operand = std::make_shared<Operand>();
    operand->kind = Operand::Kind::Value;
    operand->value = (*context_.values)[token.text];
    next();
    return operand;
  }

  // operand: path | :value | size(path) | if_not_exists(path, operand) | list_append(a, b), with + and - in updates
  Result<OperandPtr> operand(bool arithmetic) {
    auto first = primary();
    if (!first) return first;
    if (arithmetic && (isSymbol("+") || isSymbol("-"))) {
      auto op = std::make_shared<Operand>();
      op->kind = isSymbol("+") ? Operand::Kind::Plus : Operand::Kind::Minus;
      next();
      auto second = primary();
      if (!second) return second;
      op->left = *first;
      op->right = *second;
      return op;
    }
    return first;
  }

  Result<OperandPtr> primary() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return syntaxError("the expression nests too deeply");
    if (peek().kind == Token::Kind::ValueRef) return value();
    if (peek().kind == Token::Kind::Name && peek(1).kind == Token::Kind::Symbol && peek(1).text == "(") {
      std::string function = peek().text;
      next();
      next();
      auto op = std::make_shared<Operand>();
      if (function == "size") {
        op->kind = Operand::Kind::Size;
        auto p = path();
        if (!p) return p.error();
        op->path = *p;
      } else if (function == "if_not_exists") {
        op->kind = Operand::Kind::IfNotExists;
        auto p = path();
        if (!p) return p.error();
        op->path = *p;
        if (auto error = expect(",")) return *error;
        auto fallback = operand(false);
        if (!fallback) return fallback;
        op->right = *fallback;
      } else if (function == "list_append") {
        op->kind = Operand::Kind::ListAppend;
        auto a = operand(false);
        if (!a) return a;
        if (auto error = expect(",")) return *error;
        auto b = operand(false);
        if (!b) return b;
        op->left = *a;
        op->right = *b;
      } else {
        return syntaxError("Invalid function name; function: " + function);
      }
      if (auto error = expect(")")) return *error;
      return op;
    }
    auto p = path();
    if (!p) return p.error();
    auto op = std::make_shared<Operand>();
    op->kind = Operand::Kind::Path;
    op->path = *p;
    return op;
  }

  // condition := disjunction; OR < AND < NOT < comparison, as DynamoDB ranks them
  Result<ConditionPtr> condition() {
    auto left = conjunction();
    if (!left) return left;
    while (isKeyword("OR")) {
      next();
      auto right = conjunction();
      if (!right) return right;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::Or;
      node->left = *left;
      node->right = *right;
      left = node;
    }
    return left;
  }

  Result<ConditionPtr> conjunction() {
    auto left = negation();
    if (!left) return left;
    while (isKeyword("AND")) {
      next();
      auto right = negation();
      if (!right) return right;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::And;
      node->left = *left;
      node->right = *right;
      left = node;
    }
    return left;
  }

  Result<ConditionPtr> negation() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return syntaxError("the expression nests too deeply");
    if (isKeyword("NOT")) {
      next();
      auto inner = negation();
      if (!inner) return inner;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::Not;
      node->left = *inner;
      return node;
    }
    return comparison();
  }

  Result<ConditionPtr> comparison() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return syntaxError("the expression nests too deeply");
    if (isSymbol("(")) {
      next();
      auto inner = condition();
      if (!inner) return inner;
      if (auto error = expect(")")) return *error;
      return inner;
    }
    static const std::map<std::string, Condition::Kind> kFunctions = {
        {"attribute_exists", Condition::Kind::Exists}, {"attribute_not_exists", Condition::Kind::NotExists},
        {"attribute_type", Condition::Kind::Type},     {"begins_with", Condition::Kind::BeginsWith},
        {"contains", Condition::Kind::Contains}};
    if (peek().kind == Token::Kind::Name && kFunctions.count(peek().text) && peek(1).text == "(") {
      auto node = std::make_shared<Condition>();
      node->kind = kFunctions.at(peek().text);
      next();
      next();
      auto first = operand(false);
      if (!first) return first.error();
      node->operands.push_back(*first);
      if (node->kind != Condition::Kind::Exists && node->kind != Condition::Kind::NotExists) {
        if (auto error = expect(",")) return *error;
        auto second = operand(false);
        if (!second) return second.error();
        node->operands.push_back(*second);
      }
      if (auto error = expect(")")) return *error;
      // contains(path, operand) looks for one string, or one member of a
      // set: a set operand is refused, as DynamoDB does.
      if (node->kind == Condition::Kind::Contains && node->operands[1]->kind == Operand::Kind::Value) {
        std::string type = typeOf(node->operands[1]->value);
        if (type == "SS" || type == "NS" || type == "BS") {
          return syntaxError("Incorrect operand type for operator or function; operator or function: contains, "
                             "operand type: " + type);
        }
      }
      return node;
    }
    auto left = operand(false);
    if (!left) return left.error();
    auto node = std::make_shared<Condition>();
    node->operands.push_back(*left);
    if (isKeyword("BETWEEN")) {
      next();
      node->kind = Condition::Kind::Between;
      auto low = operand(false);
      if (!low) return low.error();
      if (!isKeyword("AND")) return syntaxError("BETWEEN needs AND");
      next();
      auto high = operand(false);
      if (!high) return high.error();
      node->operands.push_back(*low);
      node->operands.push_back(*high);
      return node;
    }
    if (isKeyword("IN")) {
      next();
      node->kind = Condition::Kind::In;
      if (auto error = expect("(")) return *error;
      while (true) {
        auto candidate = operand(false);
        if (!candidate) return candidate.error();
        node->operands.push_back(*candidate);
        if (!isSymbol(",")) break;
        next();
      }
      if (auto error = expect(")")) return *error;
      return node;
    }
    for (const char* op : {"=", "<>", "<=", ">=", "<", ">"}) {
      if (isSymbol(op)) {
        next();
        node->kind = Condition::Kind::Compare;
        node->op = op;
        auto right = operand(false);
        if (!right) return right.error();
        node->operands.push_back(*right);
        return node;
      }
    }
    return syntaxError("Syntax error; token: \"" + peek().text + "\"");
  }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  const ExpressionContext& context_;
};

}  // namespace

Result<ConditionPtr> parseCondition(const std::string& text, const ExpressionContext& context) {
  if (text.size() > 4096) return ApiError::sender("ValidationException", "Expression size has exceeded the maximum allowed size");
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context);
  if (parser.atEnd()) return ApiError::sender("ValidationException", "Invalid expression: The expression can not be empty;");
  auto condition = parser.condition();
  if (!condition) return condition;
  if (!parser.atEnd()) return syntaxError("Syntax error; token: \"" + parser.peek().text + "\"");
  return condition;
}

Result<std::vector<Path>> parseProjection(const std::string& text, const ExpressionContext& context) {
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context);
  std::vector<Path> paths;
  while (true) {
    auto path = parser.path();
    if (!path) return path.error();
    paths.push_back(*path);
    if (parser.atEnd()) break;
    if (auto error = parser.expect(",")) return *error;
  }
  return paths;
}

Result<std::vector<UpdateAction>> parseUpdate(const std::string& text, const ExpressionContext& context) {
  if (text.size() > 4096) return ApiError::sender("ValidationException", "Expression size has exceeded the maximum allowed size");
  auto tokens = tokenize(text);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context);
  std::vector<UpdateAction> actions;
  std::set<std::string> clauses;
  if (parser.atEnd()) return ApiError::sender("ValidationException", "Invalid UpdateExpression: The expression can not be empty;");
  while (!parser.atEnd()) {
    std::string clause = upper(parser.peek().text);
    if (parser.peek().kind != Token::Kind::Name || (clause != "SET" && clause != "REMOVE" && clause != "ADD" && clause != "DELETE")) {
      return syntaxError("Syntax error; token: \"" + parser.peek().text + "\"");
    }
    if (!clauses.insert(clause).second) {
      return ApiError::sender("ValidationException", "Invalid UpdateExpression: The \"" + clause + "\" section can only be used once in an update expression;");
    }
    parser.next();
    while (true) {
      UpdateAction action;
      auto path = parser.path();
      if (!path) return path.error();
      action.path = *path;
      if (clause == "SET") {
        action.kind = UpdateAction::Kind::Set;
        if (auto error = parser.expect("=")) return *error;
        auto value = parser.operand(true);
        if (!value) return value.error();
        action.value = *value;
      } else if (clause == "REMOVE") {
        action.kind = UpdateAction::Kind::Remove;
      } else {
        action.kind = clause == "ADD" ? UpdateAction::Kind::Add : UpdateAction::Kind::Delete;
        auto value = parser.value();
        if (!value) return value.error();
        action.value = *value;
      }
      actions.push_back(std::move(action));
      if (!parser.isSymbol(",")) break;
      parser.next();
    }
  }
  // As DynamoDB: no two actions may touch the same path, or one inside the other.
  for (size_t i = 0; i < actions.size(); ++i) {
    for (size_t j = i + 1; j < actions.size(); ++j) {
      const Path& a = actions[i].path;
      const Path& b = actions[j].path;
      size_t common = std::min(a.size(), b.size());
      bool overlap = std::equal(a.begin(), a.begin() + static_cast<long>(common), b.begin(),
                                [](const PathElement& x, const PathElement& y) {
                                  return x.name == y.name && x.index == y.index;
                                });
      if (overlap) {
        return ApiError::sender("ValidationException",
                                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                                "rewrite one of these paths; path one: [" + pathToString(a) + "], path two: [" +
                                    pathToString(b) + "]");
      }
    }
  }
  return actions;
}

std::string pathToString(const Path& path) {
  std::string out;
  for (const auto& element : path) {
    if (element.index >= 0) {
      out += "[" + std::to_string(element.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += element.name;
    }
  }
  return out;
}

}  // namespace kura::ddb
