#include "import/tfjs/json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace webcnn {
namespace json {

const Value* Value::find(const std::string& key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

const char* type_name(Value::Type t) {
  switch (t) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "a boolean";
    case Value::Type::kNumber: return "a number";
    case Value::Type::kString: return "a string";
    case Value::Type::kArray: return "an array";
    case Value::Type::kObject: return "an object";
  }
  return "?";
}

namespace {

class Parser {
 public:
  Parser(const std::string& text, const Limits& limits) : s_(text), limits_(limits) {}

  Result<Value> document() {
    if (s_.size() > limits_.max_bytes)
      return Status::error("JSON text is " + std::to_string(s_.size()) + " bytes, more than the limit of " +
                           std::to_string(limits_.max_bytes));
    // A UTF-8 byte order mark, as some editors write; RFC 8259 lets parsers ignore it (and JSON.parse
    // after TextDecoder does).
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
    skip_ws();
    WEBCNN_ASSIGN(Value v, value(0));
    skip_ws();
    if (pos_ != s_.size()) return fail("unexpected text after the JSON value");
    return v;
  }

 private:
  Status fail(const std::string& what) const {
    return Status::error("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool eat_word(const char* w) {
    size_t n = 0;
    while (w[n]) ++n;
    if (s_.compare(pos_, n, w) != 0) return false;
    pos_ += n;
    return true;
  }

  Result<Value> value(int depth) {
    if (depth > limits_.max_depth) return fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    if (pos_ >= s_.size()) return fail("unexpected end of text");
    char c = s_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      WEBCNN_ASSIGN(std::string str, string());
      return Value::string(std::move(str));
    }
    if (eat_word("true")) return Value::boolean(true);
    if (eat_word("false")) return Value::boolean(false);
    if (eat_word("null")) return Value::null();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    // The whole character, not its first byte ('é' is two; Status escapes bytes that are not UTF-8 text).
    size_t n = 1;
    if (static_cast<unsigned char>(c) >= 0xC0)
      while (n < 4 && pos_ + n < s_.size() && (static_cast<unsigned char>(s_[pos_ + n]) & 0xC0) == 0x80) ++n;
    return fail("unexpected character '" + s_.substr(pos_, n) + "'");
  }

  Result<Value> object(int depth) {
    ++pos_;  // '{'
    std::vector<std::pair<std::string, Value>> members;
    skip_ws();
    if (eat('}')) return Value::object(std::move(members));
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a member name in quotes");
      WEBCNN_ASSIGN(std::string key, string());
      skip_ws();
      if (!eat(':')) return fail("expected ':' after member name");
      skip_ws();
      WEBCNN_ASSIGN(Value v, value(depth + 1));
      members.emplace_back(std::move(key), std::move(v));
      skip_ws();
      if (eat('}')) return Value::object(std::move(members));
      if (!eat(',')) return fail("expected ',' or '}' in object");
    }
  }

  Result<Value> array(int depth) {
    ++pos_;  // '['
    std::vector<Value> items;
    skip_ws();
    if (eat(']')) return Value::array(std::move(items));
    for (;;) {
      skip_ws();
      WEBCNN_ASSIGN(Value v, value(depth + 1));
      items.push_back(std::move(v));
      skip_ws();
      if (eat(']')) return Value::array(std::move(items));
      if (!eat(',')) return fail("expected ',' or ']' in array");
    }
  }

  Result<unsigned> hex4() {
    if (s_.size() - pos_ < 4) return fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<std::string> string() {
    ++pos_;  // '"'
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          WEBCNN_ASSIGN(unsigned cp, hex4());
          if (cp >= 0xD800 && cp < 0xDC00) {  // high surrogate: a low one must follow
            if (!eat('\\') || !eat('u')) return fail("unpaired surrogate in \\u escape");
            WEBCNN_ASSIGN(unsigned lo, hex4());
            if (lo < 0xDC00 || lo >= 0xE000) return fail("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return fail("unpaired surrogate in \\u escape");
          }
          append_utf8(out, cp);
          break;
        }
        default: return fail(std::string("unknown escape '\\") + e + "'");
      }
    }
  }

  Result<Value> number() {
    size_t start = pos_;
    eat('-');
    if (eat('0')) {
    } else if (pos_ < s_.size() && s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    } else {
      return fail("bad number");
    }
    if (eat('.')) {
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d) return fail("bad number: no digits after '.'");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!eat('+')) eat('-');
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d) return fail("bad number: no digits in exponent");
    }
    std::string text = s_.substr(start, pos_ - start);
    errno = 0;
    double v = std::strtod(text.c_str(), nullptr);  // grammar checked above; strtod only converts
    if (!std::isfinite(v)) return fail("number out of range: " + text);
    return Value::number(v);
  }

  const std::string& s_;
  Limits limits_;
  size_t pos_ = 0;
};

}  // namespace

Result<Value> parse(const std::string& text, const Limits& limits) { return Parser(text, limits).document(); }

}  // namespace json
}  // namespace webcnn
