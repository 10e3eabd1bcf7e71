// Plain structs for the subset of onnx.proto the importer reads, and their wire-format parsers.
// Field numbers follow onnx/onnx.proto. Unknown fields are skipped; strings and lists are copied,
// while TensorProto.raw_data points into the parsed buffer (valid as long as those bytes are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {
namespace onnx {

// TensorProto.DataType values.
enum OnnxDataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};
std::string onnx_dtype_name(int32_t t);  // "float16", "int8", ... or "dtype 99"
// The engine dtype an ONNX element type maps to (double → float32); an "unsupported dtype ..." error otherwise.
Result<DataType> engine_dtype(int32_t onnx_type);

struct TensorProto {
  std::string name;
  std::vector<int64_t> dims;
  int32_t data_type = kUndefined;
  bool has_raw_data = false;
  const uint8_t* raw_data = nullptr;  // into the parsed buffer
  size_t raw_size = 0;
  std::vector<float> float_data;
  std::vector<int64_t> int32_data;  // int32, uint8, int8, int16, uint16, bool, float16 bits
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  bool has_string_data = false;
  bool external = false;  // data_location == EXTERNAL or external_data present
};

struct GraphProto;

struct AttributeProto {
  // AttributeProto.AttributeType values.
  enum Type : int32_t {
    kUndefined = 0,
    kFloat = 1,
    kInt = 2,
    kString = 3,
    kTensor = 4,
    kGraph = 5,
    kFloats = 6,
    kInts = 7,
    kStrings = 8,
    kTensors = 9,
    kGraphs = 10,
    kSparseTensor = 11,
    kSparseTensors = 12,
    kTypeProto = 13,
    kTypeProtos = 14,
  };
  std::string name;
  int32_t type = kUndefined;  // old files may leave it unset: see effective_type()
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<TensorProto> t;
  std::shared_ptr<GraphProto> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  bool has_f = false, has_i = false, has_s = false, has_sparse = false, has_type_proto = false;
  size_t num_tensors = 0, num_graphs = 0;
  // `type`, or when it is unset, the kind implied by the field that is present.
  int32_t effective_type() const;
};

struct NodeProto {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<AttributeProto> attributes;
};

struct ValueInfoProto {
  std::string name;
  bool has_type = false;
  bool is_tensor = false;       // TypeProto.tensor_type (others: sequence, map, optional, sparse)
  std::string non_tensor_kind;  // "sequence", "map", ... when !is_tensor
  int32_t elem_type = kUndefined;
  bool has_shape = false;
  std::vector<int64_t> dims;  // -1 for dim_param or absent dim_value
};

struct GraphProto {
  std::string name;
  std::vector<NodeProto> nodes;
  std::vector<TensorProto> initializers;
  size_t num_sparse_initializers = 0;
  std::vector<ValueInfoProto> inputs, outputs;
};

struct OperatorSetIdProto {
  std::string domain;
  int64_t version = 0;
};

struct ModelProto {
  int64_t ir_version = 0;
  std::vector<OperatorSetIdProto> opset_import;
  bool has_graph = false;
  GraphProto graph;
};

Result<ModelProto> parse_model_proto(const uint8_t* data, size_t size);
// A bare TensorProto (the .pb files of the ONNX backend tests).
Result<TensorProto> parse_tensor_proto_message(const uint8_t* data, size_t size);

// TensorProto → engine tensor: dims checked (checked_num_elements), data size checked against the dims,
// double narrowed to float32. Errors name the tensor.
Result<Tensor> to_engine_tensor(const TensorProto& t);

}  // namespace onnx

// Parses a serialized TensorProto straight into an engine tensor (used by the conformance test).
Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size);

}  // namespace webcnn
