// A small JSON reader for TF.js model.json files. The file is untrusted input: text size and nesting
// depth are bounded, numbers are checked, and every error names the byte offset where parsing stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "webcnn/status.h"

namespace webcnn {
namespace json {

struct Limits {
  size_t max_bytes = size_t{256} << 20;  // model.json of a large model is a few MiB
  int max_depth = 64;                    // model.json nests about 8 deep
};

class Value {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return b_; }
  double as_number() const { return n_; }
  const std::string& as_string() const { return s_; }
  const std::vector<Value>& items() const { return items_; }                              // arrays
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }  // objects, file order

  // Object member lookup (first match); nullptr when absent or when this is not an object.
  const Value* find(const std::string& key) const;

  static Value null() { return Value(); }
  static Value boolean(bool b) {
    Value v;
    v.type_ = Type::kBool;
    v.b_ = b;
    return v;
  }
  static Value number(double n) {
    Value v;
    v.type_ = Type::kNumber;
    v.n_ = n;
    return v;
  }
  static Value string(std::string s) {
    Value v;
    v.type_ = Type::kString;
    v.s_ = std::move(s);
    return v;
  }
  static Value array(std::vector<Value> items) {
    Value v;
    v.type_ = Type::kArray;
    v.items_ = std::move(items);
    return v;
  }
  static Value object(std::vector<std::pair<std::string, Value>> m) {
    Value v;
    v.type_ = Type::kObject;
    v.members_ = std::move(m);
    return v;
  }

 private:
  Type type_ = Type::kNull;
  bool b_ = false;
  double n_ = 0;
  std::string s_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

const char* type_name(Value::Type t);  // "null", "a boolean", "a number", ...

// Parses one JSON document (RFC 8259; surrounding whitespace allowed, nothing else after it).
Result<Value> parse(const std::string& text, const Limits& limits = {});

}  // namespace json
}  // namespace webcnn
