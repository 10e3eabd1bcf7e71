#include "import/tfjs/tf_graph_builder.h"

#include <cmath>
#include <cstdlib>

namespace webcnn {
namespace tfjs {

namespace {

// TF.js writes int64 attributes as decimal strings ("3"), sometimes as numbers.
Result<int64_t> json_to_int(const json::Value& v) {
  if (v.is_number()) {
    double d = v.as_number();
    if (d != std::floor(d) || std::fabs(d) > 9.0e18) return Status::error("not an integer");
    return static_cast<int64_t>(d);
  }
  if (!v.is_string()) return Status::error(std::string("expected an integer, got ") + json::type_name(v.type()));
  const std::string& s = v.as_string();
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size() || s.size() - i > 18) return Status::error("bad integer '" + s + "'");
  int64_t r = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return Status::error("bad integer '" + s + "'");
    r = r * 10 + (s[i] - '0');
  }
  return neg ? -r : r;
}

Result<float> json_to_float(const json::Value& v) {
  if (v.is_number()) return static_cast<float>(v.as_number());
  if (v.is_string()) {  // protobuf JSON spells non-finite floats as strings
    const std::string& s = v.as_string();
    if (s == "NaN") return NAN;
    if (s == "Infinity") return INFINITY;
    if (s == "-Infinity") return -INFINITY;
  }
  return Status::error("expected a float");
}

Result<std::string> base64_decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return Status::error("bad base64 string");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

#define WEBCNN_TF_ATTR(key, kind_field)                        \
  const json::Value* entry = attr ? attr->find(key) : nullptr; \
  const json::Value* kind_field##_v = entry ? entry->find(#kind_field) : nullptr;

Result<int64_t> TfNode::attr_int(const std::string& key, int64_t def) const {
  WEBCNN_TF_ATTR(key, i)
  if (!i_v) return def;
  Result<int64_t> r = json_to_int(*i_v);
  if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
  return r;
}

Result<float> TfNode::attr_float(const std::string& key, float def) const {
  WEBCNN_TF_ATTR(key, f)
  if (!f_v) return def;
  Result<float> r = json_to_float(*f_v);
  if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
  return r;
}

Result<bool> TfNode::attr_bool(const std::string& key, bool def) const {
  WEBCNN_TF_ATTR(key, b)
  if (!b_v) return def;
  if (!b_v->is_bool()) return error("attribute '" + key + "' should be a boolean");
  return b_v->as_bool();
}

Result<std::string> TfNode::attr_string(const std::string& key, const std::string& def) const {
  WEBCNN_TF_ATTR(key, s)
  if (!s_v) return def;
  if (!s_v->is_string()) return error("attribute '" + key + "' should be a base64 string");
  Result<std::string> r = base64_decode(s_v->as_string());
  if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
  return r;
}

Result<std::vector<int64_t>> TfNode::attr_ints(const std::string& key) const {
  WEBCNN_TF_ATTR(key, list)
  std::vector<int64_t> out;
  const json::Value* items = list_v ? list_v->find("i") : nullptr;
  if (!items) return out;
  if (!items->is_array()) return error("attribute '" + key + "' should be a list of ints");
  for (const json::Value& v : items->items()) {
    Result<int64_t> r = json_to_int(v);
    if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
    out.push_back(r.value());
  }
  return out;
}

Result<std::vector<std::string>> TfNode::attr_strings(const std::string& key) const {
  WEBCNN_TF_ATTR(key, list)
  std::vector<std::string> out;
  const json::Value* items = list_v ? list_v->find("s") : nullptr;
  if (!items) return out;
  if (!items->is_array()) return error("attribute '" + key + "' should be a list of strings");
  for (const json::Value& v : items->items()) {
    if (!v.is_string()) return error("attribute '" + key + "' should be a list of strings");
    Result<std::string> r = base64_decode(v.as_string());
    if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
    out.push_back(r.value());
  }
  return out;
}

Result<std::string> TfNode::attr_type(const std::string& key, const std::string& def) const {
  WEBCNN_TF_ATTR(key, type)
  if (!type_v) return def;
  if (!type_v->is_string()) return error("attribute '" + key + "' should be a type name");
  return type_v->as_string();
}

Result<Shape> TfNode::attr_shape(const std::string& key) const {
  WEBCNN_TF_ATTR(key, shape)
  if (!shape_v) return error("attribute '" + key + "' (a shape) is missing");
  if (const json::Value* unknown = shape_v->find("unknownRank"))
    if (unknown->is_bool() && unknown->as_bool()) return error("shape of unknown rank");
  Shape s;
  const json::Value* dims = shape_v->find("dim");
  if (!dims) return s;  // scalar
  if (!dims->is_array()) return error("attribute '" + key + "': 'dim' should be an array");
  for (const json::Value& d : dims->items()) {
    const json::Value* size = d.find("size");
    if (!size) return error("attribute '" + key + "': a dim has no size");
    Result<int64_t> r = json_to_int(*size);
    if (!r.is_ok()) return error("attribute '" + key + "': " + r.status().message());
    if (r.value() < -1 || r.value() > kMaxElements)
      return error("attribute '" + key + "': dimension " + std::to_string(r.value()) + " is outside -1.." +
                   std::to_string(kMaxElements) + " (-1 for unknown)");
    s.push_back(r.value());
  }
  return s;
}

#undef WEBCNN_TF_ATTR

Result<DataType> dtype_from_tf(const std::string& t) {
  if (t == "DT_FLOAT") return DataType::kFloat32;
  if (t == "DT_INT32") return DataType::kInt32;
  if (t == "DT_INT64") return DataType::kInt64;
  if (t == "DT_UINT8") return DataType::kUInt8;
  if (t == "DT_BOOL") return DataType::kBool;
  return Status::error("unsupported dtype " + t);
}

Result<ValueId> GraphBuilder::value_of(const TfNode& user, const std::string& ref) const {
  auto it = names_.find(ref);
  if (it == names_.end() && ref.size() > 2 && ref.compare(ref.size() - 2, 2, ":0") == 0)
    it = names_.find(ref.substr(0, ref.size() - 2));
  if (it == names_.end()) return user.error("input '" + ref + "' is not produced by any node of the model");
  return it->second;
}

Result<ValueId> GraphBuilder::input(const TfNode& node, size_t i) const {
  if (i >= node.inputs.size())
    return node.error("expects at least " + std::to_string(i + 1) + " inputs, has " +
                      std::to_string(node.inputs.size()));
  return value_of(node, node.inputs[i]);
}

const Tensor* GraphBuilder::constant_input(const TfNode& node, size_t i) const {
  Result<ValueId> v = input(node, i);
  if (!v.is_ok()) return nullptr;
  return g_.value(v.value()).constant.get();
}

Result<std::vector<int64_t>> GraphBuilder::constant_ints(const TfNode& node, size_t i, const char* what) const {
  WEBCNN_ASSIGN(ValueId v, input(node, i));
  const Tensor* t = g_.value(v).constant.get();
  if (!t) return node.error(std::string(what) + " (input " + std::to_string(i) + ") must be a constant");
  if (t->dtype() == DataType::kFloat32) return node.error(std::string(what) + " must be an integer tensor");
  return t->to_int64_vector();
}

std::vector<ValueId> GraphBuilder::add(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
                                       std::map<std::string, Attribute> attrs, std::vector<std::string> out_names) {
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  for (std::string& o : out_names) n.outputs.push_back(g_.add_value(std::move(o)));
  std::vector<ValueId> outs = n.outputs;
  g_.add_node(std::move(n));
  return outs;
}

ValueId GraphBuilder::add1(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
                           std::map<std::string, Attribute> attrs) {
  return add(op, name, std::move(inputs), std::move(attrs), {name})[0];
}

ValueId GraphBuilder::to_int64(const std::string& name, ValueId v) {
  if (g_.value(v).dtype == DataType::kInt64) return v;
  return add1("Cast", name, {v}, {{"to", Attribute::of_int(7)}});  // 7 = ONNX INT64
}

}  // namespace tfjs
}  // namespace webcnn
