#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "ddb/expression.h"
#include "ddb/expression_reserved.h"

namespace kura::ddb {
namespace {

constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;
constexpr size_t kMaxInCandidates = 100;  // IN's candidates, DynamoDB's limit
constexpr int kMaxNesting = 64;  // parentheses, NOT and functions inside each other

struct Token {
  enum class Kind { Name, NameRef, ValueRef, Number, Symbol, End } kind = Kind::End;
  std::string text;
  std::string space;  // the whitespace before it
};

// DynamoDB's prefix for an expression's errors: "Invalid ConditionExpression: ...".
ApiError invalid(const std::string& parameter, const std::string& message) {
  return ApiError::sender("ValidationException", "Invalid " + parameter + ": " + message);
}

ApiError syntaxError(const std::string& parameter, const std::string& token, const std::string& near) {
  return invalid(parameter, "Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The bytes of the UTF-8 character starting at `at` (the text is valid UTF-8: it came in JSON).
size_t characterLength(const std::string& text, size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return std::min(length, text.size() - at);
}

// Names start with a letter; #names and :values hold letters, digits and _.
Result<std::vector<Token>> tokenize(const std::string& text, const std::string& parameter) {
  std::vector<Token> tokens;
  std::string space;
  size_t i = 0;
  // A character no token starts with: DynamoDB shows it, after the token
  // before it, in the word that holds it.
  auto refuse = [&](size_t at) {
    size_t end = at;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    std::string near = (tokens.empty() ? "" : tokens.back().text) + space + text.substr(at, end - at);
    return syntaxError(parameter, text.substr(at, characterLength(text, at)), near);
  };
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space.push_back(c);
      ++i;
      continue;
    }
    Token token;
    size_t start = i;
    if (c == '#' || c == ':') {
      ++i;
      while (i < text.size() && isNameChar(text[i])) ++i;
      if (i == start + 1) return refuse(start);
      token.kind = c == '#' ? Token::Kind::NameRef : Token::Kind::ValueRef;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      token.kind = Token::Kind::Number;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      while (i < text.size() && isNameChar(text[i])) ++i;
      token.kind = Token::Kind::Name;
    } else if (std::string two = text.substr(i, 2); two == "<=" || two == ">=" || two == "<>") {
      i += 2;
      token.kind = Token::Kind::Symbol;
    } else if (std::string("()[],.=<>+-").find(c) != std::string::npos) {
      ++i;
      token.kind = Token::Kind::Symbol;
    } else {
      return refuse(i);
    }
    token.text = text.substr(start, i - start);
    token.space = std::move(space);
    space.clear();
    tokens.push_back(std::move(token));
  }
  tokens.push_back({Token::Kind::End, "", space});
  return tokens;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "{N:1}", as DynamoDB shows a value in its messages.
std::string shown(const Json& value) {
  std::string type = typeOf(value);
  const Json& inner = value.begin().value();
  return "{" + type + ":" + (inner.is_string() ? inner.get<std::string>() : inner.dump()) + "}";
}

// "[a, b, [2]]", as DynamoDB lists a path in its messages.
std::string listedPath(const Path& path) {
  std::string out;
  for (const auto& element : path) {
    if (!out.empty()) out += ", ";
    out += element.index >= 0 ? "[" + std::to_string(element.index) + "]" : element.name;
  }
  return "[" + out + "]";
}

// A type as DynamoDB spells it out in ADD's and DELETE's messages.
std::string spelledType(const std::string& type) {
  static const std::map<std::string, std::string> kNames = {
      {"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"BOOL", "BOOLEAN"}, {"NULL", "NULL"}, {"M", "MAP"},
      {"L", "LIST"},   {"SS", "STRING SET"}, {"NS", "NUMBER SET"}, {"BS", "BINARY SET"}};
  auto it = kNames.find(type);
  return it == kNames.end() ? type : it->second;
}

const std::set<std::string>& conditionFunctions() {
  static const std::set<std::string> kNames = {"attribute_exists", "attribute_not_exists", "attribute_type",
                                               "begins_with", "contains"};
  return kNames;
}

class Parser {
 public:
  // Errors DynamoDB finds after the syntax, reported in this order (the
  // first of each kind is kept).
  enum Deferred { Parentheses, UnknownFunction, MisusedFunction, Reserved, Undefined, Operands, Distinct, Function, kDeferred };

  // Counts one level of nesting for the life of the guard.
  struct Nesting {
    explicit Nesting(int& depth) : depth_(depth) { ++depth_; }
    ~Nesting() { --depth_; }
    bool tooDeep() const { return depth_ > kMaxNesting; }
    int& depth_;
  };

  Parser(std::vector<Token> tokens, const ExpressionContext& context, std::string parameter, bool update)
      : tokens_(std::move(tokens)), context_(context), parameter_(std::move(parameter)), update_(update) {}

  bool atEnd() const { return peek().kind == Token::Kind::End; }
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  bool isKeyword(const char* word, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Name && upper(peek(ahead).text) == word;
  }
  bool isSymbol(const char* symbol) const { return peek().kind == Token::Kind::Symbol && peek().text == symbol; }
  void next() { ++pos_; }

  // The token here is not what the grammar allows: DynamoDB's syntax error,
  // showing it between its neighbours.
  ApiError unexpected() const {
    const Token& current = peek();
    bool end = current.kind == Token::Kind::End;
    std::string near = pos_ > 0 ? tokens_[pos_ - 1].text + current.space : "";
    if (!end) {
      near += current.text;
      const Token& following = peek(1);
      near += following.space + following.text;
    }
    return syntaxError(parameter_, end ? "<EOF>" : current.text, near);
  }

  std::optional<ApiError> expect(const char* symbol) {
    if (!isSymbol(symbol)) return unexpected();
    next();
    return std::nullopt;
  }

  const std::optional<ApiError>& deferred(Deferred kind) const { return deferred_[kind]; }

  void defer(Deferred kind, const std::string& message) {
    if (!deferred_[kind]) deferred_[kind] = invalid(parameter_, message);
  }

  // A condition is read: the first of its own errors (undefined names,
  // operand counts, distinct operands, operand types, in that order) is the
  // expression's if no earlier condition had one, as DynamoDB reports them.
  void conditionDone() {
    for (int kind = Undefined; kind <= Function; ++kind) {
      if (deferred_[kind] && !conditionError_) conditionError_ = deferred_[kind];
      deferred_[kind].reset();
    }
  }

  // What was deferred, or too many operators; nothing if the expression is good.
  std::optional<ApiError> finish() {
    if (operators_ > kMaxOperators) {
      return invalid(parameter_, "The expression contains too many operators; operator count: " + std::to_string(operators_));
    }
    for (int kind = Parentheses; kind < Undefined; ++kind) {
      if (deferred_[kind]) return deferred_[kind];
    }
    if (conditionError_) return conditionError_;
    for (const auto& error : deferred_) {
      if (error) return error;
    }
    return std::nullopt;
  }

  // Where the parser is, to try one reading and go back for another.
  struct Mark {
    size_t pos;
    int operators;
    bool parenthesized;
    std::array<std::optional<ApiError>, kDeferred> deferred;
    std::optional<ApiError> conditionError;
  };
  Mark mark() const { return {pos_, operators_, parenthesized_, deferred_, conditionError_}; }
  void restore(const Mark& at) {
    pos_ = at.pos;
    operators_ = at.operators;
    parenthesized_ = at.parenthesized;
    deferred_ = at.deferred;
    conditionError_ = at.conditionError;
  }

  ApiError tooDeep() const { return invalid(parameter_, "The expression has redundant parentheses;"); }

  Result<Path> path() {
    Path out;
    while (true) {
      const Token& token = peek();
      std::string name;
      if (token.kind == Token::Kind::Name) {
        // The grammar's own words are never names (nor anything else here).
        static const std::set<std::string> kKeywords = {"AND", "OR", "NOT", "BETWEEN", "IN",
                                                        "SET", "REMOVE", "ADD", "DELETE"};
        if (kKeywords.count(upper(token.text))) return unexpected();
        name = token.text;
        if (isReservedWord(name)) defer(Reserved, "Attribute name is a reserved keyword; reserved keyword: " + name);
      } else if (token.kind == Token::Kind::NameRef) {
        auto found = context_.names ? context_.names->find(token.text) : Json::const_iterator();
        if (context_.names == nullptr || found == context_.names->end() || !found->is_string()) {
          defer(Undefined, "An expression attribute name used in the document path is not defined; attribute name: " +
                               token.text);
          name = token.text;
        } else {
          if (context_.usedNames) context_.usedNames->insert(token.text);
          name = found->get<std::string>();
        }
      } else {
        return unexpected();
      }
      next();
      out.push_back({name, -1});
      while (isSymbol("[")) {
        next();
        if (peek().kind != Token::Kind::Number) return unexpected();
        long index = 0;
        const std::string& digits = peek().text;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || end != digits.data() + digits.size() || index > 1000000) return unexpected();
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
    if (token.kind != Token::Kind::ValueRef) return unexpected();
    auto operand = std::make_shared<Operand>();
    operand->kind = Operand::Kind::Value;
    auto found = context_.values ? context_.values->find(token.text) : Json::const_iterator();
    if (context_.values == nullptr || found == context_.values->end()) {
      defer(Undefined, "An expression attribute value used in expression is not defined; attribute value: " + token.text);
      operand->value = Json{{"NULL", true}};
    } else {
      if (context_.usedValues) context_.usedValues->insert(token.text);
      operand->value = *found;
    }
    next();
    return operand;
  }

  // An operand's type where it is known without the item: a literal's, or
  // N for size(); empty for a path or another function.
  static std::string literalType(const OperandPtr& operand) {
    if (operand->kind == Operand::Kind::Size) return "N";
    return operand->kind == Operand::Kind::Value ? typeOf(operand->value) : "";
  }

  // operand: path | :value | function(...), with + and - in updates
  Result<OperandPtr> operand(bool arithmetic) {
    auto first = primary();
    if (!first) return first;
    if (arithmetic && (isSymbol("+") || isSymbol("-"))) {
      auto op = std::make_shared<Operand>();
      op->kind = isSymbol("+") ? Operand::Kind::Plus : Operand::Kind::Minus;
      std::string symbol = peek().text;
      ++operators_;
      next();
      auto second = primary();
      if (!second) return second;
      op->left = *first;
      op->right = *second;
      for (const auto& side : {op->left, op->right}) {
        std::string type = literalType(side);
        if (!type.empty() && type != "N") {
          defer(Function, "Incorrect operand type for operator or function; operator or function: " + symbol +
                              ", operand type: " + type);
        }
      }
      return op;
    }
    return first;
  }

  // name(operand, ...): the arguments as written.
  Result<std::vector<OperandPtr>> arguments() {
    next();  // the name
    next();  // (
    std::vector<OperandPtr> out;
    if (isSymbol(")")) return unexpected();
    while (true) {
      auto argument = operand(false);
      if (!argument) return argument.error();
      out.push_back(*argument);
      if (!isSymbol(",")) break;
      next();
    }
    if (auto error = expect(")")) return *error;
    return out;
  }

  bool checkCount(const std::string& function, const std::vector<OperandPtr>& arguments, size_t wanted) {
    if (arguments.size() == wanted) return true;
    defer(Operands, "Incorrect number of operands for operator or function; operator or function: " + function +
                        ", number of operands: " + std::to_string(arguments.size()));
    return false;
  }

  bool checkPath(const std::string& function, const OperandPtr& argument) {
    if (argument->kind == Operand::Kind::Path) return true;
    defer(Function, "Operator or function requires a document path; operator or function: " + function);
    return false;
  }

  Result<OperandPtr> primary() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return tooDeep();
    if (isSymbol("(")) {  // (operand); ((operand)) is redundant
      next();
      bool doubled = isSymbol("(");
      auto inner = primary();
      if (!inner) return inner;
      if (auto error = expect(")")) return *error;
      if (doubled && (*inner)->kind != Operand::Kind::Value) defer(Parentheses, "The expression has redundant parentheses;");
      return inner;
    }
    if (peek().kind == Token::Kind::ValueRef) return value();
    if (peek().kind != Token::Kind::Name || peek(1).kind != Token::Kind::Symbol || peek(1).text != "(") {
      auto p = path();
      if (!p) return p.error();
      auto op = std::make_shared<Operand>();
      op->kind = Operand::Kind::Path;
      op->path = *p;
      return op;
    }
    std::string function = peek().text;
    auto args = arguments();
    if (!args) return args.error();
    ++operators_;
    auto op = std::make_shared<Operand>();
    op->kind = Operand::Kind::Path;  // what an unknown or misused function stands for
    if (!update_ && function == "size") {
      if (checkCount(function, *args, 1)) {
        std::string type = literalType((*args)[0]);
        if (type == "N" || type == "BOOL" || type == "NULL") {
          defer(Function, "Incorrect operand type for operator or function; operator or function: size, operand type: " + type);
        }
        op->kind = Operand::Kind::Size;
        if ((*args)[0]->kind == Operand::Kind::Path) op->path = (*args)[0]->path;
        else op->left = (*args)[0];
      }
    } else if (update_ && function == "if_not_exists") {
      if (checkCount(function, *args, 2) && checkPath(function, (*args)[0])) {
        op->kind = Operand::Kind::IfNotExists;
        op->path = (*args)[0]->path;
        op->right = (*args)[1];
      }
    } else if (update_ && function == "list_append") {
      if (checkCount(function, *args, 2)) {
        for (const auto& argument : *args) {
          std::string type = literalType(argument);
          if (!type.empty() && type != "L") {
            defer(Function, "Incorrect operand type for operator or function; operator or function: list_append, "
                            "operand type: " + type);
          }
        }
        op->kind = Operand::Kind::ListAppend;
        op->left = (*args)[0];
        op->right = (*args)[1];
      }
    } else if (!update_ && conditionFunctions().count(function)) {
      defer(MisusedFunction, "The function is not allowed to be used this way in an expression; function: " + function);
    } else {
      defer(UnknownFunction, "Invalid function name; function: " + function);
    }
    return op;
  }

  // condition := disjunction; OR < AND < NOT < comparison, as DynamoDB ranks them
  Result<ConditionPtr> condition() {
    auto left = conjunction();
    if (!left) return left;
    while (isKeyword("OR")) {
      ++operators_;
      next();
      auto right = conjunction();
      if (!right) return right;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::Or;
      node->left = *left;
      node->right = *right;
      left = node;
      parenthesized_ = false;
    }
    return left;
  }

  Result<ConditionPtr> conjunction() {
    auto left = negation();
    if (!left) return left;
    while (isKeyword("AND")) {
      ++operators_;
      next();
      auto right = negation();
      if (!right) return right;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::And;
      node->left = *left;
      node->right = *right;
      left = node;
      parenthesized_ = false;
    }
    return left;
  }

  Result<ConditionPtr> negation() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return tooDeep();
    if (isKeyword("NOT")) {
      ++operators_;
      next();
      auto inner = negation();
      if (!inner) return inner;
      auto node = std::make_shared<Condition>();
      node->kind = Condition::Kind::Not;
      node->left = *inner;
      parenthesized_ = false;
      return node;
    }
    return comparison();
  }

  Result<ConditionPtr> function() {
    std::string name = peek().text;
    auto node = std::make_shared<Condition>();
    static const std::map<std::string, std::pair<Condition::Kind, size_t>> kFunctions = {
        {"attribute_exists", {Condition::Kind::Exists, 1}}, {"attribute_not_exists", {Condition::Kind::NotExists, 1}},
        {"attribute_type", {Condition::Kind::Type, 2}},     {"begins_with", {Condition::Kind::BeginsWith, 2}},
        {"contains", {Condition::Kind::Contains, 2}}};
    auto [kind, wanted] = kFunctions.at(name);
    node->kind = kind;
    auto args = arguments();
    if (!args) return args.error();
    ++operators_;
    node->operands = *args;
    checkDistinct(name, *args);
    if (!checkCount(name, *args, wanted)) {
      node->operands.resize(wanted, (*args)[0]);
      return node;
    }
    const OperandPtr& first = (*args)[0];
    if (kind == Condition::Kind::Exists || kind == Condition::Kind::NotExists) {
      checkPath(name, first);
    } else if (kind == Condition::Kind::Type) {
      std::string type = literalType((*args)[1]);
      if (type != "S") {
        defer(Function, "Incorrect operand type for operator or function; operator or function: attribute_type, "
                        "operand type: " + (type.empty() ? std::string("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}") : type));
      } else {
        static const std::set<std::string> kTypes = {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
        std::string named = (*args)[1]->value["S"].get<std::string>();
        if (!kTypes.count(named)) {
          defer(Function, "Invalid attribute type name found; type: " + named + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        }
      }
    } else if (kind == Condition::Kind::Contains) {
      // contains(path, operand) looks for one string, or one member of a set.
      std::string type = literalType((*args)[1]);
      if (type == "SS" || type == "NS" || type == "BS") {
        defer(Function, "Incorrect operand type for operator or function; operator or function: contains, operand type: " + type);
      }
    } else if (kind == Condition::Kind::BeginsWith) {
      for (const auto& argument : *args) {
        std::string type = literalType(argument);
        if (!type.empty() && type != "S" && type != "B") {
          defer(Function, "Incorrect operand type for operator or function; operator or function: begins_with, "
                          "operand type: " + type);
        }
      }
    }
    return node;
  }

  Result<ConditionPtr> comparison() {
    Nesting nesting(depth_);
    if (nesting.tooDeep()) return tooDeep();
    if (isSymbol("(")) {
      // A parenthesized condition, or else a comparison of a parenthesized operand.
      Mark before = mark();
      next();
      parenthesized_ = false;
      auto inner = condition();
      if (inner && !expect(")")) {
        // ((a < b)): DynamoDB refuses parentheses around parentheses.
        if (parenthesized_) defer(Parentheses, "The expression has redundant parentheses;");
        parenthesized_ = true;
        return inner;
      }
      ApiError failed = inner ? unexpected() : inner.error();
      restore(before);
      auto compared = comparisonOfOperands();
      if (!compared) return failed;  // the condition's error reads better
      return compared;
    }
    parenthesized_ = false;
    if (peek().kind == Token::Kind::Name && conditionFunctions().count(peek().text) && peek(1).text == "(") {
      std::string name = peek().text;
      auto node = function();
      if (!node) return node;
      conditionDone();
      // A condition function compared as a value: DynamoDB refuses it as misused.
      if (isComparator() || isKeyword("BETWEEN") || isKeyword("IN")) {
        defer(MisusedFunction, "The function is not allowed to be used this way in an expression; function: " + name);
        return comparisonAfter(std::make_shared<Operand>(), false);
      }
      return node;
    }
    return comparisonOfOperands();
  }

  bool isComparator() const {
    for (const char* op : {"=", "<>", "<=", ">=", "<", ">"}) {
      if (isSymbol(op)) return true;
    }
    return false;
  }

  Result<ConditionPtr> comparisonOfOperands() {
    bool call = peek().kind == Token::Kind::Name && peek(1).kind == Token::Kind::Symbol && peek(1).text == "(";
    auto left = operand(false);
    if (!left) return left.error();
    auto node = comparisonAfter(*left, call);
    if (node) conditionDone();
    return node;
  }

  // The rest of a comparison whose first operand is read.
  Result<ConditionPtr> comparisonAfter(const OperandPtr& left, bool call) {
    auto node = std::make_shared<Condition>();
    node->operands.push_back(left);
    if (isKeyword("BETWEEN")) {
      ++operators_;
      next();
      node->kind = Condition::Kind::Between;
      auto low = operand(false);
      if (!low) return low.error();
      if (!isKeyword("AND")) return unexpected();
      next();
      auto high = operand(false);
      if (!high) return high.error();
      node->operands.push_back(*low);
      node->operands.push_back(*high);
      checkBounds(*low, *high);
      return node;
    }
    if (isKeyword("IN")) {
      ++operators_;
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
      // The value and at most 100 candidates (DynamoDB's limit for IN).
      if (node->operands.size() > kMaxInCandidates + 1) {
        defer(Operands, "Too many operands for the IN function; operator or function: IN, number of operands: " +
                            std::to_string(node->operands.size() - 1));
      }
      return node;
    }
    for (const char* op : {"=", "<>", "<=", ">=", "<", ">"}) {
      if (isSymbol(op)) {
        ++operators_;
        next();
        node->kind = Condition::Kind::Compare;
        node->op = op;
        auto right = operand(false);
        if (!right) return right.error();
        node->operands.push_back(*right);
        checkDistinct(op, node->operands);
        return node;
      }
    }
    // A function standing alone as a condition: an unknown one is reported
    // as such (already deferred), size() as misused.
    if (call && (atEnd() || isKeyword("AND") || isKeyword("OR") || isSymbol(")"))) {
      if (left->kind == Operand::Kind::Size) {
        defer(MisusedFunction, "The function is not allowed to be used this way in an expression; function: size");
      }
      if (finish()) return node;  // never evaluated: the request is refused
    }
    return unexpected();
  }

  // a = a, begins_with(a, a): DynamoDB refuses an operator whose first
  // operand is the same path as another.
  void checkDistinct(const std::string& op, const std::vector<OperandPtr>& operands) {
    if (operands.size() != 2 || operands[0]->kind != Operand::Kind::Path || operands[1]->kind != Operand::Kind::Path) return;
    const Path& a = operands[0]->path;
    const Path& b = operands[1]->path;
    bool same = a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const PathElement& x, const PathElement& y) {
                  return x.name == y.name && x.index == y.index;
                });
    if (same) {
      defer(Distinct, "The first operand must be distinct from the remaining operands for this operator or function; "
                      "operator: " + op + ", first operand: " + listedPath(a));
    }
  }

  // BETWEEN :low AND :high with both literal: of one type, low <= high.
  void checkBounds(const OperandPtr& low, const OperandPtr& high) {
    if (low->kind != Operand::Kind::Value || high->kind != Operand::Kind::Value) return;
    std::string lowType = literalType(low), highType = literalType(high);
    if (lowType.empty() || highType.empty()) return;
    std::string bounds = "lower bound operand: AttributeValue: " + shown(low->value) +
                         ", upper bound operand: AttributeValue: " + shown(high->value);
    if (lowType != highType) {
      defer(Function, "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
    } else if (auto order = compareValues(low->value, high->value); order && *order > 0) {
      defer(Function, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds);
    }
  }

  const std::string& parameter() const { return parameter_; }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int operators_ = 0;
  bool parenthesized_ = false;  // the condition just parsed was a parenthesized one
  std::array<std::optional<ApiError>, kDeferred> deferred_;
  std::optional<ApiError> conditionError_;  // the first condition's own error
  const ExpressionContext& context_;
  std::string parameter_;
  bool update_;
};

// #name and :value keys: the marker, then letters, digits and _.
bool isPlaceholder(const std::string& key, char marker) {
  return key.size() > 1 && key[0] == marker &&
         std::all_of(key.begin() + 1, key.end(), [](char c) { return isNameChar(c); });
}

// The placeholder maps, checked before any expression is read, as DynamoDB
// does: not empty when given, well-formed keys, valid values.
std::optional<ApiError> checkPlaceholders(const ExpressionContext& context) {
  auto refuse = [](const std::string& message) { return ApiError::sender("ValidationException", message); };
  const Json* names = context.names;
  const Json* values = context.values;
  if (names && names->is_object()) {
    if (names->empty()) return refuse("ExpressionAttributeNames must not be empty");
    for (auto it = names->begin(); it != names->end(); ++it) {
      if (!isPlaceholder(it.key(), '#')) {
        return refuse("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + it.key() + "\"");
      }
      if (it.value().is_string() && it.value().get_ref<const std::string&>().empty()) {
        return refuse("ExpressionAttributeNames contains invalid value: Empty attribute name for key " + it.key());
      }
    }
  }
  if (values && values->is_object()) {
    if (values->empty()) return refuse("ExpressionAttributeValues must not be empty");
    for (auto it = values->begin(); it != values->end(); ++it) {
      if (!isPlaceholder(it.key(), ':')) {
        return refuse("ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + it.key() + "\"");
      }
    }
    for (auto it = values->begin(); it != values->end(); ++it) {
      Json value = it.value();
      if (auto error = validateValue(value, "ExpressionAttributeValues")) {
        return refuse("ExpressionAttributeValues contains invalid value: " + error->message + " for key " + it.key());
      }
    }
  }
  return std::nullopt;
}

// As DynamoDB: no two paths (of an update's actions, or a projection) may be
// the same, or one inside the other; where one has a name and the other an
// index at the same place they conflict.
std::optional<ApiError> checkOverlaps(const std::vector<Path>& paths, const std::string& parameter) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& a = paths[j];
      const Path& b = paths[i];
      size_t common = std::min(a.size(), b.size()), at = 0;
      while (at < common && a[at].name == b[at].name && a[at].index == b[at].index) ++at;
      std::string both = "must remove or rewrite one of these paths; path one: " + listedPath(a) + ", path two: " + listedPath(b);
      if (at < common && (a[at].index >= 0) != (b[at].index >= 0)) {
        return invalid(parameter, "Two document paths conflict with each other; " + both);
      }
      if (at == common) return invalid(parameter, "Two document paths overlap with each other; " + both);
    }
  }
  return std::nullopt;
}

// The checks every expression starts with: the placeholders, its size, and not empty.
std::optional<ApiError> checkText(const std::string& text, const std::string& parameter, const ExpressionContext& context) {
  if (auto error = checkPlaceholders(context)) return error;
  if (text.size() > kMaxExpressionBytes) {
    return invalid(parameter, "Expression size has exceeded the maximum allowed size; expression size: " +
                                  std::to_string(text.size()));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return invalid(parameter, "The expression can not be empty;");
  return std::nullopt;
}

}  // namespace

Result<ConditionPtr> parseCondition(const std::string& text, const ExpressionContext& context,
                                    const std::string& parameter) {
  if (auto error = checkText(text, parameter, context)) return *error;
  auto tokens = tokenize(text, parameter);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context, parameter, /*update=*/false);
  auto condition = parser.condition();
  if (!condition) return condition;
  if (!parser.atEnd()) return parser.unexpected();
  if (auto error = parser.finish()) return *error;
  return condition;
}

Result<std::vector<Path>> parseProjection(const std::string& text, const ExpressionContext& context) {
  const std::string parameter = "ProjectionExpression";
  if (auto error = checkText(text, parameter, context)) return *error;
  auto tokens = tokenize(text, parameter);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context, parameter, /*update=*/false);
  std::vector<Path> paths;
  while (true) {
    auto path = parser.path();
    if (!path) return path.error();
    paths.push_back(*path);
    if (parser.atEnd()) break;
    if (auto error = parser.expect(",")) return *error;
  }
  if (auto error = parser.finish()) return *error;
  if (auto error = checkOverlaps(paths, parameter)) return *error;
  return paths;
}

Result<std::vector<UpdateAction>> parseUpdate(const std::string& text, const ExpressionContext& context) {
  const std::string parameter = "UpdateExpression";
  if (auto error = checkText(text, parameter, context)) return *error;
  auto tokens = tokenize(text, parameter);
  if (!tokens) return tokens.error();
  Parser parser(std::move(*tokens), context, parameter, /*update=*/true);
  std::vector<UpdateAction> actions;
  std::set<std::string> clauses;
  std::optional<ApiError> section;  // a clause twice, reported in DynamoDB's order below
  while (!parser.atEnd()) {
    std::string clause = upper(parser.peek().text);
    if (parser.peek().kind != Token::Kind::Name || (clause != "SET" && clause != "REMOVE" && clause != "ADD" && clause != "DELETE")) {
      return parser.unexpected();
    }
    if (!clauses.insert(clause).second && !section) {
      section = invalid(parameter, "The \"" + clause + "\" section can only be used once in an update expression;");
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
        // ADD takes a number or a set, DELETE a set.
        std::string type = typeOf((*value)->value);
        bool set = type == "SS" || type == "NS" || type == "BS";
        if (!type.empty() && !set && (clause == "DELETE" || type != "N")) {
          parser.defer(Parser::Function, "Incorrect operand type for operator or function; operator: " + clause +
                                             ", operand type: " + spelledType(type));
        }
      }
      actions.push_back(std::move(action));
      if (!parser.isSymbol(",")) break;
      parser.next();
    }
  }
  // DynamoDB's order for an update: reserved words, unknown functions, a
  // clause twice, undefined placeholders, overlapping paths, then operand
  // counts and types.
  std::vector<Path> paths;
  for (const auto& action : actions) paths.push_back(action.path);
  for (auto kind : {Parser::Reserved, Parser::UnknownFunction}) {
    if (auto error = parser.deferred(kind)) return *error;
  }
  if (section) return *section;
  if (auto error = parser.deferred(Parser::Undefined)) return *error;
  if (auto error = checkOverlaps(paths, parameter)) return *error;
  if (auto error = parser.finish()) return *error;
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
