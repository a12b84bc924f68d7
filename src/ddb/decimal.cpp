#include "ddb/decimal.h"

#include <algorithm>
#include <cctype>

namespace kura::ddb {
namespace {

constexpr size_t kMaxDigits = 38;
constexpr long kMaxExponent = 125, kMinExponent = -130;

// sign, digits (no leading zeros), and the position of the decimal point:
// value = 0.d1d2d3... x 10^exponent
struct Decimal {
  bool negative = false;
  std::string digits;  // empty for zero
  long exponent = 0;
};

std::optional<Decimal> parse(std::string_view text, NumberProblem* problem = nullptr) {
  auto refuse = [&](NumberProblem why) -> std::optional<Decimal> {
    if (problem) *problem = why;
    return std::nullopt;
  };
  Decimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
  std::string mantissa;
  long pointAt = -1;
  bool any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      mantissa.push_back(c);
      any = true;
    } else if (c == '.' && pointAt < 0) {
      pointAt = static_cast<long>(mantissa.size());
    } else {
      break;
    }
  }
  if (!any) return refuse(NumberProblem::NotANumber);
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negativeExponent = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negativeExponent = text[i++] == '-';
    if (i >= text.size()) return refuse(NumberProblem::NotANumber);
    for (; i < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return refuse(NumberProblem::NotANumber);
      if (exponent > 100000) return refuse(negativeExponent ? NumberProblem::Underflow : NumberProblem::Overflow);
      exponent = exponent * 10 + (text[i] - '0');
    }
    if (negativeExponent) exponent = -exponent;
  }
  if (i != text.size()) return refuse(NumberProblem::NotANumber);
  if (pointAt < 0) pointAt = static_cast<long>(mantissa.size());
  size_t first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};  // zero
  size_t last = mantissa.find_last_not_of('0');
  d.digits = mantissa.substr(first, last - first + 1);
  d.exponent = pointAt - static_cast<long>(first) + exponent;
  if (d.exponent > kMaxExponent + 1) return refuse(NumberProblem::Overflow);
  if (d.exponent < kMinExponent + 1) return refuse(NumberProblem::Underflow);  // under 1e-130
  if (d.digits.size() > kMaxDigits) return refuse(NumberProblem::TooManyDigits);
  return d;
}

std::string format(const Decimal& d) {
  if (d.digits.empty()) return "0";
  std::string out = d.negative ? "-" : "";
  long length = static_cast<long>(d.digits.size());
  if (d.exponent <= 0) {
    out += "0." + std::string(static_cast<size_t>(-d.exponent), '0') + d.digits;
  } else if (d.exponent >= length) {
    out += d.digits + std::string(static_cast<size_t>(d.exponent - length), '0');
  } else {
    out += d.digits.substr(0, static_cast<size_t>(d.exponent)) + "." + d.digits.substr(static_cast<size_t>(d.exponent));
  }
  return out;
}

int compareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.digits.empty() || b.digits.empty()) return a.digits.empty() == b.digits.empty() ? 0 : (a.digits.empty() ? -1 : 1);
  if (a.exponent != b.exponent) return a.exponent < b.exponent ? -1 : 1;
  int c = a.digits.compare(b.digits);  // same exponent: lexicographic on digits is numeric
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Aligns both to the same scale: integer digit strings with a common exponent.
void align(const Decimal& a, const Decimal& b, std::string& x, std::string& y, long& exponent) {
  long lowA = a.exponent - static_cast<long>(a.digits.size());
  long lowB = b.exponent - static_cast<long>(b.digits.size());
  long low = std::min(lowA, lowB);
  long high = std::max(a.exponent, b.exponent);
  auto widen = [&](const Decimal& d, long lowD) {
    return std::string(static_cast<size_t>(high - d.exponent), '0') + d.digits + std::string(static_cast<size_t>(lowD - low), '0');
  };
  x = a.digits.empty() ? std::string(static_cast<size_t>(high - low), '0') : widen(a, lowA);
  y = b.digits.empty() ? std::string(static_cast<size_t>(high - low), '0') : widen(b, lowB);
  exponent = high;
}

Decimal fromDigits(bool negative, std::string digits, long exponent) {
  // `digits` may have leading and trailing zeros; value = 0.digits x 10^exponent.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};
  size_t last = digits.find_last_not_of('0');
  Decimal d;
  d.negative = negative;
  d.digits = digits.substr(first, last - first + 1);
  d.exponent = exponent - static_cast<long>(first);
  return d;
}

std::optional<std::string> addSigned(Decimal a, Decimal b) {
  std::string x, y;
  long exponent = 0;
  if (a.digits.empty()) return format(b);
  if (b.digits.empty()) return format(a);
  align(a, b, x, y, exponent);
  std::string result;
  bool negative;
  if (a.negative == b.negative) {
    negative = a.negative;
    int carry = 0;
    result.assign(x.size(), '0');
    for (size_t i = x.size(); i-- > 0;) {
      int sum = (x[i] - '0') + (y[i] - '0') + carry;
      result[i] = static_cast<char>('0' + sum % 10);
      carry = sum / 10;
    }
    if (carry) {
      result.insert(result.begin(), '1');
      exponent += 1;
    }
  } else {
    int order = compareMagnitude(a, b);
    if (order == 0) return std::string("0");
    const std::string& big = order > 0 ? x : y;
    const std::string& small = order > 0 ? y : x;
    negative = order > 0 ? a.negative : b.negative;
    result.assign(big.size(), '0');
    int borrow = 0;
    for (size_t i = big.size(); i-- > 0;) {
      int diff = (big[i] - '0') - (small[i] - '0') - borrow;
      borrow = diff < 0;
      result[i] = static_cast<char>('0' + (diff + 10) % 10);
    }
  }
  Decimal sum = fromDigits(negative, result, exponent);
  if (sum.digits.size() > kMaxDigits || sum.exponent > kMaxExponent + 1) return std::nullopt;
  return format(sum);
}

}  // namespace

std::optional<std::string> canonicalNumber(std::string_view text, NumberProblem* problem) {
  auto d = parse(text, problem);
  if (!d) return std::nullopt;
  return format(*d);
}

int compareNumbers(const std::string& a, const std::string& b) {
  auto x = parse(a), y = parse(b);
  if (!x || !y) return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  bool xNeg = x->negative && !x->digits.empty(), yNeg = y->negative && !y->digits.empty();
  if (xNeg != yNeg) return xNeg ? -1 : 1;
  int magnitude = compareMagnitude(*x, *y);
  return xNeg ? -magnitude : magnitude;
}

std::optional<std::string> addNumbers(const std::string& a, const std::string& b) {
  auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  return addSigned(*x, *y);
}

std::optional<std::string> subtractNumbers(const std::string& a, const std::string& b) {
  auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  if (!y->digits.empty()) y->negative = !y->negative;
  return addSigned(*x, *y);
}

}  // namespace kura::ddb
