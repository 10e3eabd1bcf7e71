#include "import/onnx/onnx_proto.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "import/onnx/protobuf_reader.h"

namespace webcnn {
namespace onnx {

using pb::Field;
using pb::Reader;

std::string onnx_dtype_name(int32_t t) {
  switch (t) {
    case kUndefined: return "undefined";
    case kFloat: return "float32";
    case kUInt8: return "uint8";
    case kInt8: return "int8";
    case kUInt16: return "uint16";
    case kInt16: return "int16";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kString: return "string";
    case kBool: return "bool";
    case kFloat16: return "float16";
    case kDouble: return "float64";
    case kUInt32: return "uint32";
    case kUInt64: return "uint64";
    case kComplex64: return "complex64";
    case kComplex128: return "complex128";
    case kBFloat16: return "bfloat16";
    default: return "dtype " + std::to_string(t);
  }
}

Result<DataType> engine_dtype(int32_t onnx_type) {
  switch (onnx_type) {
    case kFloat:
    case kDouble: return DataType::kFloat32;
    case kFloat16: return DataType::kFloat32;  // widened when read (half_to_float)
    case kUInt8: return DataType::kUInt8;
    case kInt8: return DataType::kInt8;
    case kInt32: return DataType::kInt32;
    case kInt64: return DataType::kInt64;
    case kBool: return DataType::kBool;
    default: return Status::error("unsupported dtype " + onnx_dtype_name(onnx_type));
  }
}

int32_t AttributeProto::effective_type() const {
  if (type != kUndefined) return type;
  if (has_f) return kFloat;
  if (has_i) return kInt;
  if (has_s) return kString;
  if (t) return kTensor;
  if (g) return kGraph;
  if (!floats.empty()) return kFloats;
  if (!ints.empty()) return kInts;
  if (!strings.empty()) return kStrings;
  if (num_tensors) return kTensors;
  if (num_graphs) return kGraphs;
  return kUndefined;
}

namespace {

// Narrows a varint to int32 where the proto declares int32 (enums, data_type).
Result<int32_t> read_int32(const Reader& r, const Field& f, const char* name) {
  WEBCNN_ASSIGN(int64_t v, r.int64(f, name));
  if (v < INT32_MIN || v > INT32_MAX) return r.error(f, name, "value " + std::to_string(v) + " does not fit in int32");
  return static_cast<int32_t>(v);
}

Status parse_tensor(Reader r, TensorProto& t) {
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: WEBCNN_TRY(r.append_varints(f, "dims", t.dims)); break;
      case 2: {
        WEBCNN_ASSIGN(t.data_type, read_int32(r, f, "data_type"));
        break;
      }
      case 4: WEBCNN_TRY(r.append_floats(f, "float_data", t.float_data)); break;
      case 5: WEBCNN_TRY(r.append_varints(f, "int32_data", t.int32_data)); break;
      case 6: {
        if (f.wire != pb::WireType::kLengthDelimited) return r.error(f, "string_data", "expected length-delimited");
        t.has_string_data = true;
        break;
      }
      case 7: WEBCNN_TRY(r.append_varints(f, "int64_data", t.int64_data)); break;
      case 8: {
        WEBCNN_ASSIGN(t.name, r.string(f, "name"));
        break;
      }
      case 9: {
        if (f.wire != pb::WireType::kLengthDelimited)
          return r.error(f, "raw_data", std::string("expected length-delimited, got ") + pb::wire_type_name(f.wire));
        t.has_raw_data = true;
        t.raw_data = f.bytes;
        t.raw_size = f.size;
        break;
      }
      case 10: WEBCNN_TRY(r.append_doubles(f, "double_data", t.double_data)); break;
      case 11: WEBCNN_TRY(r.append_uint64s(f, "uint64_data", t.uint64_data)); break;
      case 13: {
        if (f.wire != pb::WireType::kLengthDelimited) return r.error(f, "external_data", "expected length-delimited");
        t.external = true;
        break;
      }
      case 14: {
        WEBCNN_ASSIGN(int64_t loc, r.int64(f, "data_location"));
        if (loc == 1) t.external = true;
        break;
      }
      default: break;  // segment, doc_string, future fields
    }
  }
  return Status::ok();
}

Status parse_graph(Reader r, GraphProto& g);

Status parse_attribute(Reader r, AttributeProto& a) {
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: {
        WEBCNN_ASSIGN(a.name, r.string(f, "name"));
        break;
      }
      case 20: {
        WEBCNN_ASSIGN(a.type, read_int32(r, f, "type"));
        break;
      }
      case 2: {
        WEBCNN_ASSIGN(a.f, r.float32(f, "f"));
        a.has_f = true;
        break;
      }
      case 3: {
        WEBCNN_ASSIGN(a.i, r.int64(f, "i"));
        a.has_i = true;
        break;
      }
      case 4: {
        WEBCNN_ASSIGN(a.s, r.string(f, "s"));
        a.has_s = true;
        break;
      }
      case 5: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "TensorProto", "t"));
        a.t = std::make_shared<TensorProto>();
        WEBCNN_TRY(parse_tensor(sub, *a.t));
        break;
      }
      case 6: {
        // Subgraphs (If, Loop, Scan) are parsed so that nesting is bounded and malformed ones are caught;
        // no engine op takes one, so the op itself is reported as unsupported.
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "GraphProto", "g"));
        a.g = std::make_shared<GraphProto>();
        WEBCNN_TRY(parse_graph(sub, *a.g));
        break;
      }
      case 7: WEBCNN_TRY(r.append_floats(f, "floats", a.floats)); break;
      case 8: WEBCNN_TRY(r.append_varints(f, "ints", a.ints)); break;
      case 9: {
        WEBCNN_ASSIGN(std::string s, r.string(f, "strings"));
        a.strings.push_back(std::move(s));
        break;
      }
      case 10: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "TensorProto", "tensors"));
        TensorProto ignored;
        WEBCNN_TRY(parse_tensor(sub, ignored));
        ++a.num_tensors;
        break;
      }
      case 11: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "GraphProto", "graphs"));
        GraphProto ignored;
        WEBCNN_TRY(parse_graph(sub, ignored));
        ++a.num_graphs;
        break;
      }
      case 22:
      case 23: a.has_sparse = true; break;
      case 14:
      case 15: a.has_type_proto = true; break;
      default: break;
    }
  }
  return Status::ok();
}

Status parse_node(Reader r, NodeProto& n) {
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: {
        WEBCNN_ASSIGN(std::string s, r.string(f, "input"));
        n.inputs.push_back(std::move(s));
        break;
      }
      case 2: {
        WEBCNN_ASSIGN(std::string s, r.string(f, "output"));
        n.outputs.push_back(std::move(s));
        break;
      }
      case 3: {
        WEBCNN_ASSIGN(n.name, r.string(f, "name"));
        break;
      }
      case 4: {
        WEBCNN_ASSIGN(n.op_type, r.string(f, "op_type"));
        break;
      }
      case 7: {
        WEBCNN_ASSIGN(n.domain, r.string(f, "domain"));
        break;
      }
      case 5: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "AttributeProto", "attribute"));
        n.attributes.emplace_back();
        WEBCNN_TRY(parse_attribute(sub, n.attributes.back()));
        break;
      }
      default: break;
    }
  }
  return Status::ok();
}

Status parse_shape(Reader r, ValueInfoProto& v) {
  v.has_shape = true;
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    if (f.number != 1) continue;
    WEBCNN_ASSIGN(Reader dim, r.nested(f, "TensorShapeProto.Dimension", "dim"));
    int64_t value = -1;
    while (!dim.done()) {
      WEBCNN_ASSIGN(Field d, dim.next());
      if (d.number == 1) {
        WEBCNN_ASSIGN(value, dim.int64(d, "dim_value"));
      } else if (d.number == 2) {
        WEBCNN_ASSIGN(std::string ignored, dim.string(d, "dim_param"));
        value = -1;
      }
    }
    // -1 is how some exporters write "unknown"; anything lower is no size at all (it used to become a
    // free dimension, so -5 or INT64_MIN let any size in).
    if (value < -1)
      return Status::error(StatusCode::kInvalidModel, "'" + v.name + "' declares dimension " +
                                                          std::to_string(v.dims.size()) + " as " +
                                                          std::to_string(value) + " (sizes are >= 0, -1 for unknown)");
    v.dims.push_back(value);
  }
  return Status::ok();
}

Status parse_type(Reader r, ValueInfoProto& v) {
  v.has_type = true;
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: {
        v.is_tensor = true;
        WEBCNN_ASSIGN(Reader t, r.nested(f, "TypeProto.Tensor", "tensor_type"));
        while (!t.done()) {
          WEBCNN_ASSIGN(Field tf, t.next());
          if (tf.number == 1) {
            WEBCNN_ASSIGN(v.elem_type, read_int32(t, tf, "elem_type"));
          } else if (tf.number == 2) {
            WEBCNN_ASSIGN(Reader s, t.nested(tf, "TensorShapeProto", "shape"));
            WEBCNN_TRY(parse_shape(s, v));
          }
        }
        break;
      }
      case 4: v.non_tensor_kind = "sequence"; break;
      case 5: v.non_tensor_kind = "map"; break;
      case 8: v.non_tensor_kind = "sparse tensor"; break;
      case 9: v.non_tensor_kind = "optional"; break;
      default: break;
    }
  }
  return Status::ok();
}

Status parse_value_info(Reader r, ValueInfoProto& v) {
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    if (f.number == 1) {
      WEBCNN_ASSIGN(v.name, r.string(f, "name"));
    } else if (f.number == 2) {
      WEBCNN_ASSIGN(Reader t, r.nested(f, "TypeProto", "type"));
      WEBCNN_TRY(parse_type(t, v));
    }
  }
  return Status::ok();
}

Status parse_graph(Reader r, GraphProto& g) {
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "NodeProto", "node"));
        g.nodes.emplace_back();
        WEBCNN_TRY(parse_node(sub, g.nodes.back()));
        break;
      }
      case 2: {
        WEBCNN_ASSIGN(g.name, r.string(f, "name"));
        break;
      }
      case 5: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "TensorProto", "initializer"));
        g.initializers.emplace_back();
        WEBCNN_TRY(parse_tensor(sub, g.initializers.back()));
        break;
      }
      case 15: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "SparseTensorProto", "sparse_initializer"));
        (void)sub;
        ++g.num_sparse_initializers;
        break;
      }
      case 11:
      case 12: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "ValueInfoProto", f.number == 11 ? "input" : "output"));
        std::vector<ValueInfoProto>& list = f.number == 11 ? g.inputs : g.outputs;
        list.emplace_back();
        WEBCNN_TRY(parse_value_info(sub, list.back()));
        break;
      }
      default: break;  // value_info, doc_string, quantization_annotation
    }
  }
  return Status::ok();
}

}  // namespace

Result<ModelProto> parse_model_proto(const uint8_t* data, size_t size) {
  if (size == 0) return Status::error("ONNX model is empty (0 bytes)");
  Reader r(data, size, "ModelProto");
  ModelProto m;
  while (!r.done()) {
    WEBCNN_ASSIGN(Field f, r.next());
    switch (f.number) {
      case 1: {
        WEBCNN_ASSIGN(m.ir_version, r.int64(f, "ir_version"));
        break;
      }
      case 8: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "OperatorSetIdProto", "opset_import"));
        OperatorSetIdProto op;
        while (!sub.done()) {
          WEBCNN_ASSIGN(Field of, sub.next());
          if (of.number == 1) {
            WEBCNN_ASSIGN(op.domain, sub.string(of, "domain"));
          } else if (of.number == 2) {
            WEBCNN_ASSIGN(op.version, sub.int64(of, "version"));
          }
        }
        m.opset_import.push_back(std::move(op));
        break;
      }
      case 7: {
        WEBCNN_ASSIGN(Reader sub, r.nested(f, "GraphProto", "graph"));
        m.has_graph = true;
        WEBCNN_TRY(parse_graph(sub, m.graph));
        break;
      }
      default: break;  // producer, doc_string, metadata, functions, training info
    }
  }
  return m;
}

Result<TensorProto> parse_tensor_proto_message(const uint8_t* data, size_t size) {
  TensorProto t;
  WEBCNN_TRY(parse_tensor(Reader(data, size, "TensorProto"), t));
  return t;
}

namespace {

template <typename Dst, typename Src>
void convert_list(const std::vector<Src>& src, Dst* dst) {
  for (size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<Dst>(src[i]);
}

// Little-endian raw bytes of element type Src → Dst (memcpy per element: raw_data may be unaligned).
template <typename Dst, typename Src>
void convert_raw(const uint8_t* raw, size_t n, Dst* dst) {
  if constexpr (std::is_same_v<Dst, Src>) {  // the common case (float weights): one copy
    std::memcpy(dst, raw, n * sizeof(Src));
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    Src v;
    std::memcpy(&v, raw + i * sizeof(Src), sizeof(Src));
    dst[i] = static_cast<Dst>(v);
  }
}

size_t onnx_element_size(int32_t t) {
  switch (t) {
    case kFloat:
    case kInt32: return 4;
    case kFloat16: return 2;
    case kUInt8:
    case kInt8:
    case kBool: return 1;
    case kInt64:
    case kDouble: return 8;
    default: return 0;
  }
}

// IEEE 754 binary16 bits to float (exact: every half is a float): subnormals, infinities and NaN kept.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  float magnitude;
  if (exponent == 0) magnitude = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

}  // namespace

Result<Tensor> to_engine_tensor(const TensorProto& t) {
  const std::string what = "tensor '" + t.name + "'";
  if (t.external) return Status::error("external-data tensors are not supported (" + what + ")");
  Result<DataType> dt = engine_dtype(t.data_type);
  if (!dt.is_ok()) return Status::error(dt.status().message() + " (" + what + ")");
  for (int64_t d : t.dims)
    if (d < 0) return Status::error(what + " has a negative dimension: " + shape_to_string(t.dims));
  Result<int64_t> count = checked_num_elements(t.dims);
  if (!count.is_ok()) return Status::error(what + ": " + count.status().message());
  const size_t n = static_cast<size_t>(count.value());
  const size_t elem = onnx_element_size(t.data_type);

  // Check the data matches the dims before allocating anything: the file must justify the size.
  size_t have = 0;
  const char* source = "raw_data";
  if (t.has_raw_data) {
    if (t.raw_size % elem != 0 || t.raw_size / elem != n)
      return Status::error(what + ": raw_data has " + std::to_string(t.raw_size) + " bytes, but " +
                           shape_to_string(t.dims) + " of " + onnx_dtype_name(t.data_type) + " needs " +
                           std::to_string(n) + " x " + std::to_string(elem) + " bytes");
    have = n;
  } else {
    switch (t.data_type) {
      case kFloat:
        have = t.float_data.size();
        source = "float_data";
        break;
      case kDouble:
        have = t.double_data.size();
        source = "double_data";
        break;
      case kInt64:
        have = t.int64_data.size();
        source = "int64_data";
        break;
      default:
        have = t.int32_data.size();
        source = "int32_data";
        break;
    }
    if (have != n)
      return Status::error(what + ": " + source + " holds " + std::to_string(have) + " values, but " +
                           shape_to_string(t.dims) + " needs " + std::to_string(n));
  }

  // Every element is written below (the data was checked to hold exactly n of them).
  WEBCNN_ASSIGN(Tensor out, Tensor::create_for_overwrite(dt.value(), t.dims));
  if (n == 0) return out;
  if (t.has_raw_data) {
    switch (t.data_type) {
      case kFloat: convert_raw<float, float>(t.raw_data, n, out.data<float>()); break;
      case kDouble: convert_raw<float, double>(t.raw_data, n, out.data<float>()); break;
      case kInt32: convert_raw<int32_t, int32_t>(t.raw_data, n, out.data<int32_t>()); break;
      case kInt64: convert_raw<int64_t, int64_t>(t.raw_data, n, out.data<int64_t>()); break;
      case kUInt8: convert_raw<uint8_t, uint8_t>(t.raw_data, n, out.data<uint8_t>()); break;
      case kInt8: convert_raw<int8_t, int8_t>(t.raw_data, n, out.data<int8_t>()); break;
      case kFloat16: {
        float* dst = out.data<float>();
        for (size_t i = 0; i < n; ++i)
          dst[i] = half_to_float(static_cast<uint16_t>(static_cast<uint8_t>(t.raw_data[2 * i]) |
                                                       static_cast<uint8_t>(t.raw_data[2 * i + 1]) << 8));
        break;
      }
      case kBool: {
        uint8_t* dst = out.data<uint8_t>();
        for (size_t i = 0; i < n; ++i) dst[i] = t.raw_data[i] != 0;
        break;
      }
      default: break;  // engine_dtype() admitted only the types above
    }
    return out;
  }
  switch (t.data_type) {
    case kFloat: convert_list(t.float_data, out.data<float>()); break;
    case kDouble: convert_list(t.double_data, out.data<float>()); break;
    case kInt64: convert_list(t.int64_data, out.data<int64_t>()); break;
    case kInt32: convert_list(t.int32_data, out.data<int32_t>()); break;
    case kUInt8: convert_list(t.int32_data, out.data<uint8_t>()); break;
    case kInt8: convert_list(t.int32_data, out.data<int8_t>()); break;
    case kFloat16: {  // int32_data holds the 16-bit patterns
      float* dst = out.data<float>();
      for (size_t i = 0; i < n; ++i) dst[i] = half_to_float(static_cast<uint16_t>(t.int32_data[i]));
      break;
    }
    case kBool: {
      uint8_t* dst = out.data<uint8_t>();
      for (size_t i = 0; i < n; ++i) dst[i] = t.int32_data[i] != 0;
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace onnx

Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size) {
  WEBCNN_ASSIGN(onnx::TensorProto t, onnx::parse_tensor_proto_message(data, size));
  return onnx::to_engine_tensor(t);
}

}  // namespace webcnn
