// A tiny protobuf writer for tests: builds ONNX models (and deliberately broken ones) byte by byte,
// so the importer is tested without Python or a protobuf library.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace webcnn_test {

class ProtoWriter {
 public:
  std::vector<uint8_t> bytes;

  ProtoWriter& tag(uint32_t field, uint32_t wire) { return raw_varint((static_cast<uint64_t>(field) << 3) | wire); }
  ProtoWriter& raw_varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  ProtoWriter& varint(uint32_t field, uint64_t v) { return tag(field, 0).raw_varint(v); }
  ProtoWriter& fixed32(uint32_t field, uint32_t bits) {
    tag(field, 5);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  ProtoWriter& float32(uint32_t field, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return fixed32(field, bits);
  }
  ProtoWriter& fixed64(uint32_t field, uint64_t bits) {
    tag(field, 1);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  ProtoWriter& blob(uint32_t field, const void* data, size_t size) {
    tag(field, 2).raw_varint(size);
    const uint8_t* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
    return *this;
  }
  ProtoWriter& string(uint32_t field, const std::string& s) { return blob(field, s.data(), s.size()); }
  ProtoWriter& message(uint32_t field, const ProtoWriter& m) { return blob(field, m.bytes.data(), m.bytes.size()); }
  ProtoWriter& packed_varints(uint32_t field, const std::vector<int64_t>& v) {
    ProtoWriter body;
    for (int64_t x : v) body.raw_varint(static_cast<uint64_t>(x));
    return message(field, body);
  }
  ProtoWriter& packed_floats(uint32_t field, const std::vector<float>& v) {
    return blob(field, v.data(), v.size() * 4);
  }
};

// ONNX enums used by the builders.
enum : int32_t {
  kOnnxFloat = 1,
  kOnnxUInt8 = 2,
  kOnnxInt8 = 3,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxBool = 9,
  kOnnxDouble = 11
};
enum : int32_t {
  kAttrFloat = 1,
  kAttrInt = 2,
  kAttrString = 3,
  kAttrTensor = 4,
  kAttrGraph = 5,
  kAttrFloats = 6,
  kAttrInts = 7
};

inline ProtoWriter float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                const std::vector<float>& values) {
  ProtoWriter t;
  t.packed_varints(1, dims).varint(2, kOnnxFloat).string(8, name).blob(9, values.data(), values.size() * 4);
  return t;
}
inline ProtoWriter int64_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                const std::vector<int64_t>& values) {
  ProtoWriter t;
  t.packed_varints(1, dims).varint(2, kOnnxInt64).string(8, name).blob(9, values.data(), values.size() * 8);
  return t;
}

// ValueInfoProto of a tensor; a dim of -1 is written as dim_param "N".
inline ProtoWriter value_info(const std::string& name, int32_t elem_type, const std::vector<int64_t>& dims) {
  ProtoWriter shape;
  for (int64_t d : dims) {
    ProtoWriter dim;
    if (d < 0) dim.string(2, "N");
    else dim.varint(1, static_cast<uint64_t>(d));
    shape.message(1, dim);
  }
  ProtoWriter tensor_type;
  tensor_type.varint(1, static_cast<uint64_t>(elem_type)).message(2, shape);
  ProtoWriter type;
  type.message(1, tensor_type);
  ProtoWriter vi;
  vi.string(1, name).message(2, type);
  return vi;
}

inline ProtoWriter attr_int(const std::string& name, int64_t v) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrInt).varint(3, static_cast<uint64_t>(v));
  return a;
}
inline ProtoWriter attr_float(const std::string& name, float v) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrFloat).float32(2, v);
  return a;
}
inline ProtoWriter attr_string(const std::string& name, const std::string& v) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrString).string(4, v);
  return a;
}
inline ProtoWriter attr_ints(const std::string& name, const std::vector<int64_t>& v) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrInts).packed_varints(8, v);
  return a;
}
inline ProtoWriter attr_floats(const std::string& name, const std::vector<float>& v) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrFloats).packed_floats(7, v);
  return a;
}
inline ProtoWriter attr_tensor(const std::string& name, const ProtoWriter& tensor) {
  ProtoWriter a;
  a.string(1, name).varint(20, kAttrTensor).message(5, tensor);
  return a;
}

inline ProtoWriter node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::vector<ProtoWriter>& attrs = {},
                        const std::string& name = "", const std::string& domain = "") {
  ProtoWriter n;
  for (const std::string& s : inputs) n.string(1, s);
  for (const std::string& s : outputs) n.string(2, s);
  if (!name.empty()) n.string(3, name);
  n.string(4, op);
  for (const ProtoWriter& a : attrs) n.message(5, a);
  if (!domain.empty()) n.string(7, domain);
  return n;
}

// ModelProto with one graph and a default-domain opset.
struct OnnxModel {
  int64_t opset = 13;
  std::vector<ProtoWriter> nodes, initializers, inputs, outputs;

  ProtoWriter graph() const {
    ProtoWriter g;
    for (const ProtoWriter& n : nodes) g.message(1, n);
    g.string(2, "test");
    for (const ProtoWriter& t : initializers) g.message(5, t);
    for (const ProtoWriter& v : inputs) g.message(11, v);
    for (const ProtoWriter& v : outputs) g.message(12, v);
    return g;
  }
  std::vector<uint8_t> bytes() const {
    ProtoWriter opset_id;
    opset_id.string(1, "").varint(2, static_cast<uint64_t>(opset));
    ProtoWriter m;
    m.varint(1, 8).message(8, opset_id).message(7, graph());
    return m.bytes;
  }
};

}  // namespace webcnn_test
