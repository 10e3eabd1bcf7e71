// A typed view of the subset of the TFLite schema (tensorflow/lite/schema/schema.fbs, version 3) that the
// importer uses, read eagerly out of the untrusted bytes by flatbuffer_reader.h. Field numbers follow
// schema.fbs (0-based; a union takes two: its type, then its value). Indices between tables (tensor →
// buffer, operator → opcode/tensors) are copied as they are: the importer checks them where it uses them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "import/tflite/flatbuffer_reader.h"

namespace webcnn {
namespace tflite {

// schema.fbs TensorType.
enum TensorType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};
const char* tensor_type_name(int type);

struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
};

struct Tensor {
  std::vector<int32_t> shape;
  std::vector<int32_t> shape_signature;  // -1 marks a free dim; empty when absent
  int8_t type = kFloat32;
  uint32_t buffer = 0;  // 0: no data (buffer 0 is the empty sentinel)
  std::string name;
  Quantization quant;
  std::string describe(size_t index) const;  // "tensor 12 'x'"
};

struct Operator {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs, outputs;  // tensor indices, -1 = optional input absent
  uint8_t options_type = 0;              // BuiltinOptions union type, 0 = none
  fb::Table options;                     // valid when has_options
  bool has_options = false;
};

struct OperatorCode {
  int32_t builtin = 0;  // max(deprecated_builtin_code, builtin_code), as TFLite's GetBuiltinCode
  std::string custom_code;
  int32_t version = 1;
};

struct SubGraph {
  std::vector<Tensor> tensors;
  std::vector<int32_t> inputs, outputs;
  std::vector<Operator> operators;
  std::string name;
};

struct Buffer {
  const uint8_t* data = nullptr;  // into the file
  size_t size = 0;
};

struct Model {
  uint32_t version = 0;
  std::vector<OperatorCode> operator_codes;
  SubGraph subgraph;  // subgraph 0, the one the interpreter runs
  size_t num_subgraphs = 0;
  std::vector<Buffer> buffers;
  std::string description;
};

// Whether bytes 4..8 hold the file identifier "TFL3".
bool has_tflite_identifier(const uint8_t* data, size_t size);
// Reads the model; every offset and length is checked. Errors are kInvalidModel, naming the element.
Result<Model> read_model(const uint8_t* data, size_t size);

// BuiltinOperator names ("CONV_2D"), "BUILTIN_<n>" for codes this table lacks.
std::string builtin_name(int32_t code);

// BuiltinOperator codes the importer knows by name.
enum Builtin : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConcatenation = 2,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDepthToSpace = 5,
  kDequantize = 6,
  kFloor = 8,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kSoftmax = 25,
  kSpaceToDepth = 26,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kGather = 36,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kStridedSlice = 45,
  kExp = 47,
  kSplit = 49,
  kCast = 53,
  kPrelu = 54,
  kMaximum = 55,
  kArgMax = 56,
  kMinimum = 57,
  kPadV2 = 60,
  kSlice = 65,
  kTransposeConv = 67,
  kExpandDims = 70,
  kSum = 74,
  kSqrt = 75,
  kRsqrt = 76,
  kPack = 83,
  kUnpack = 88,
  kFloorDiv = 90,
  kSquaredDifference = 99,
  kResizeNearestNeighbor = 97,
  kLeakyRelu = 98,
  kGatherNd = 107,
  kQuantize = 114,
  kHardSwish = 117,
};

}  // namespace tflite
}  // namespace webcnn
