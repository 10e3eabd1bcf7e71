#include "import/tflite/tflite_schema.h"

namespace webcnn {
namespace tflite {

namespace {

// Field numbers of schema.fbs (0-based declaration order; a union counts twice: type, then value).
namespace model_f {
constexpr int kVersion = 0, kOperatorCodes = 1, kSubgraphs = 2, kDescription = 3, kBuffers = 4;
}
namespace opcode_f {
constexpr int kDeprecatedBuiltinCode = 0, kCustomCode = 1, kVersion = 2, kBuiltinCode = 3;
}
namespace subgraph_f {
constexpr int kTensors = 0, kInputs = 1, kOutputs = 2, kOperators = 3, kName = 4;
}
namespace tensor_f {
constexpr int kShape = 0, kType = 1, kBuffer = 2, kName = 3, kQuantization = 4, kShapeSignature = 7;
}
namespace quant_f {
constexpr int kScale = 2, kZeroPoint = 3, kQuantizedDimension = 6;
}
namespace operator_f {
constexpr int kOpcodeIndex = 0, kInputs = 1, kOutputs = 2, kBuiltinOptionsType = 3, kBuiltinOptions = 4;
}
namespace buffer_f {
constexpr int kData = 0, kOffset = 1, kSize = 2;
}

const char* const kBuiltinNames[] = {"ADD",
                                     "AVERAGE_POOL_2D",
                                     "CONCATENATION",
                                     "CONV_2D",
                                     "DEPTHWISE_CONV_2D",
                                     "DEPTH_TO_SPACE",
                                     "DEQUANTIZE",
                                     "EMBEDDING_LOOKUP",
                                     "FLOOR",
                                     "FULLY_CONNECTED",
                                     "HASHTABLE_LOOKUP",
                                     "L2_NORMALIZATION",
                                     "L2_POOL_2D",
                                     "LOCAL_RESPONSE_NORMALIZATION",
                                     "LOGISTIC",
                                     "LSH_PROJECTION",
                                     "LSTM",
                                     "MAX_POOL_2D",
                                     "MUL",
                                     "RELU",
                                     "RELU_N1_TO_1",
                                     "RELU6",
                                     "RESHAPE",
                                     "RESIZE_BILINEAR",
                                     "RNN",
                                     "SOFTMAX",
                                     "SPACE_TO_DEPTH",
                                     "SVDF",
                                     "TANH",
                                     "CONCAT_EMBEDDINGS",
                                     "SKIP_GRAM",
                                     "CALL",
                                     "CUSTOM",
                                     "EMBEDDING_LOOKUP_SPARSE",
                                     "PAD",
                                     "UNIDIRECTIONAL_SEQUENCE_RNN",
                                     "GATHER",
                                     "BATCH_TO_SPACE_ND",
                                     "SPACE_TO_BATCH_ND",
                                     "TRANSPOSE",
                                     "MEAN",
                                     "SUB",
                                     "DIV",
                                     "SQUEEZE",
                                     "UNIDIRECTIONAL_SEQUENCE_LSTM",
                                     "STRIDED_SLICE",
                                     "BIDIRECTIONAL_SEQUENCE_RNN",
                                     "EXP",
                                     "TOPK_V2",
                                     "SPLIT",
                                     "LOG_SOFTMAX",
                                     "DELEGATE",
                                     "BIDIRECTIONAL_SEQUENCE_LSTM",
                                     "CAST",
                                     "PRELU",
                                     "MAXIMUM",
                                     "ARG_MAX",
                                     "MINIMUM",
                                     "LESS",
                                     "NEG",
                                     "PADV2",
                                     "GREATER",
                                     "GREATER_EQUAL",
                                     "LESS_EQUAL",
                                     "SELECT",
                                     "SLICE",
                                     "SIN",
                                     "TRANSPOSE_CONV",
                                     "SPARSE_TO_DENSE",
                                     "TILE",
                                     "EXPAND_DIMS",
                                     "EQUAL",
                                     "NOT_EQUAL",
                                     "LOG",
                                     "SUM",
                                     "SQRT",
                                     "RSQRT",
                                     "SHAPE",
                                     "POW",
                                     "ARG_MIN",
                                     "FAKE_QUANT",
                                     "REDUCE_PROD",
                                     "REDUCE_MAX",
                                     "PACK",
                                     "LOGICAL_OR",
                                     "ONE_HOT",
                                     "LOGICAL_AND",
                                     "LOGICAL_NOT",
                                     "UNPACK",
                                     "REDUCE_MIN",
                                     "FLOOR_DIV",
                                     "REDUCE_ANY",
                                     "SQUARE",
                                     "ZEROS_LIKE",
                                     "FILL",
                                     "FLOOR_MOD",
                                     "RANGE",
                                     "RESIZE_NEAREST_NEIGHBOR",
                                     "LEAKY_RELU",
                                     "SQUARED_DIFFERENCE",
                                     "MIRROR_PAD",
                                     "ABS",
                                     "SPLIT_V",
                                     "UNIQUE",
                                     "CEIL",
                                     "REVERSE_V2",
                                     "ADD_N",
                                     "GATHER_ND",
                                     "COS",
                                     "WHERE",
                                     "RANK",
                                     "ELU",
                                     "REVERSE_SEQUENCE",
                                     "MATRIX_DIAG",
                                     "QUANTIZE",
                                     "MATRIX_SET_DIAG",
                                     "ROUND",
                                     "HARD_SWISH",
                                     "IF",
                                     "WHILE",
                                     "NON_MAX_SUPPRESSION_V4",
                                     "NON_MAX_SUPPRESSION_V5",
                                     "SCATTER_ND",
                                     "SELECT_V2",
                                     "DENSIFY",
                                     "SEGMENT_SUM",
                                     "BATCH_MATMUL",
                                     "PLACEHOLDER_FOR_GREATER_OP_CODES",
                                     "CUMSUM",
                                     "CALL_ONCE",
                                     "BROADCAST_TO",
                                     "RFFT2D",
                                     "CONV_3D"};

Result<Quantization> read_quantization(const fb::Table& q) {
  Quantization out;
  WEBCNN_ASSIGN(out.scale, q.scalars<float>(quant_f::kScale, "scale"));
  WEBCNN_ASSIGN(out.zero_point, q.scalars<int64_t>(quant_f::kZeroPoint, "zero_point"));
  WEBCNN_ASSIGN(out.quantized_dimension, q.scalar<int32_t>(quant_f::kQuantizedDimension, "quantized_dimension", 0));
  return out;
}

Result<Tensor> read_tensor(const fb::Table& t) {
  Tensor out;
  WEBCNN_ASSIGN(out.name, t.string(tensor_f::kName, "name"));
  WEBCNN_ASSIGN(out.shape, t.scalars<int32_t>(tensor_f::kShape, "shape"));
  WEBCNN_ASSIGN(out.shape_signature, t.scalars<int32_t>(tensor_f::kShapeSignature, "shape_signature"));
  WEBCNN_ASSIGN(out.type, t.scalar<int8_t>(tensor_f::kType, "type", kFloat32));
  WEBCNN_ASSIGN(out.buffer, t.scalar<uint32_t>(tensor_f::kBuffer, "buffer", 0));
  bool has_quant = false;
  WEBCNN_ASSIGN(fb::Table q, t.table(tensor_f::kQuantization, "quantization", &has_quant));
  if (has_quant) {
    WEBCNN_ASSIGN(out.quant, read_quantization(q));
  }
  return out;
}

Result<Operator> read_operator(const fb::Table& t) {
  Operator out;
  WEBCNN_ASSIGN(out.opcode_index, t.scalar<uint32_t>(operator_f::kOpcodeIndex, "opcode_index", 0));
  WEBCNN_ASSIGN(out.inputs, t.scalars<int32_t>(operator_f::kInputs, "inputs"));
  WEBCNN_ASSIGN(out.outputs, t.scalars<int32_t>(operator_f::kOutputs, "outputs"));
  WEBCNN_ASSIGN(out.options_type, t.scalar<uint8_t>(operator_f::kBuiltinOptionsType, "builtin_options_type", 0));
  WEBCNN_ASSIGN(out.options, t.table(operator_f::kBuiltinOptions, "builtin_options", &out.has_options));
  return out;
}

Result<SubGraph> read_subgraph(const fb::Table& t) {
  SubGraph out;
  WEBCNN_ASSIGN(out.name, t.string(subgraph_f::kName, "name"));
  WEBCNN_ASSIGN(out.inputs, t.scalars<int32_t>(subgraph_f::kInputs, "inputs"));
  WEBCNN_ASSIGN(out.outputs, t.scalars<int32_t>(subgraph_f::kOutputs, "outputs"));
  WEBCNN_ASSIGN(fb::Vector tensors, t.vector(subgraph_f::kTensors, "tensors", 4));
  out.tensors.reserve(tensors.size);
  for (uint32_t i = 0; i < tensors.size; ++i) {
    std::string where = "tensor " + std::to_string(i);
    Result<fb::Table> tt = t.table_at(tensors, i, "tensors");
    if (!tt.is_ok()) return tt.status().with_context(where);
    // Name the tensor in errors about its other fields when its name itself reads.
    Result<std::string> name = tt.value().string(tensor_f::kName, "name");
    if (name.is_ok()) where += " '" + name.value() + "'";
    Result<Tensor> tensor = read_tensor(tt.value());
    if (!tensor.is_ok()) return tensor.status().with_context(where);
    out.tensors.push_back(std::move(tensor).value());
  }
  WEBCNN_ASSIGN(fb::Vector ops, t.vector(subgraph_f::kOperators, "operators", 4));
  out.operators.reserve(ops.size);
  for (uint32_t i = 0; i < ops.size; ++i) {
    WEBCNN_ASSIGN(fb::Table ot, t.table_at(ops, i, "operators"));
    Result<Operator> op = read_operator(ot);
    if (!op.is_ok()) return op.status().with_context("operator " + std::to_string(i));
    out.operators.push_back(std::move(op).value());
  }
  return out;
}

Result<Buffer> read_buffer(const fb::Table& t) {
  Buffer out;
  WEBCNN_ASSIGN(fb::Vector data, t.vector(buffer_f::kData, "data", 1));
  out.data = t.data() + data.pos;
  out.size = data.size;
  // Files over 2 GB keep tensor data after the FlatBuffer: offset/size count from the start of the file.
  WEBCNN_ASSIGN(uint64_t offset, t.scalar<uint64_t>(buffer_f::kOffset, "offset", 0));
  WEBCNN_ASSIGN(uint64_t size, t.scalar<uint64_t>(buffer_f::kSize, "size", 0));
  if (offset > 1) {
    if (offset > t.file_size() || size > t.file_size() - offset)
      return fb::invalid("external data at offset " + std::to_string(offset) + " of " + std::to_string(size) +
                         " bytes runs past the end of the file (" + std::to_string(t.file_size()) + " bytes)");
    out.data = t.data() + offset;
    out.size = static_cast<size_t>(size);
  }
  return out;
}

}  // namespace

const char* tensor_type_name(int type) {
  switch (type) {
    case kFloat32: return "FLOAT32";
    case kFloat16: return "FLOAT16";
    case kInt32: return "INT32";
    case kUInt8: return "UINT8";
    case kInt64: return "INT64";
    case kString: return "STRING";
    case kBool: return "BOOL";
    case kInt16: return "INT16";
    case kComplex64: return "COMPLEX64";
    case kInt8: return "INT8";
    case kFloat64: return "FLOAT64";
  }
  return "unknown type";
}

std::string Tensor::describe(size_t index) const { return "tensor " + std::to_string(index) + " '" + name + "'"; }

std::string builtin_name(int32_t code) {
  constexpr int32_t n = static_cast<int32_t>(sizeof(kBuiltinNames) / sizeof(kBuiltinNames[0]));
  if (code >= 0 && code < n) return kBuiltinNames[code];
  return "BUILTIN_" + std::to_string(code);
}

bool has_tflite_identifier(const uint8_t* data, size_t size) {
  return data != nullptr && size >= 8 && std::memcmp(data + 4, "TFL3", 4) == 0;
}

Result<Model> read_model(const uint8_t* data, size_t size) {
  WEBCNN_ASSIGN(fb::Table root, fb::root(data, size));
  Model m;
  WEBCNN_ASSIGN(m.version, root.scalar<uint32_t>(model_f::kVersion, "version", 0));
  WEBCNN_ASSIGN(m.description, root.string(model_f::kDescription, "description"));
  WEBCNN_ASSIGN(fb::Vector codes, root.vector(model_f::kOperatorCodes, "operator_codes", 4));
  for (uint32_t i = 0; i < codes.size; ++i) {
    const std::string where = "operator code " + std::to_string(i);
    Result<fb::Table> t = root.table_at(codes, i, "operator_codes");
    if (!t.is_ok()) return t.status().with_context(where);
    OperatorCode c;
    Result<int8_t> deprecated =
        t.value().scalar<int8_t>(opcode_f::kDeprecatedBuiltinCode, "deprecated_builtin_code", 0);
    Result<int32_t> builtin = t.value().scalar<int32_t>(opcode_f::kBuiltinCode, "builtin_code", 0);
    Result<std::string> custom = t.value().string(opcode_f::kCustomCode, "custom_code");
    Result<int32_t> version = t.value().scalar<int32_t>(opcode_f::kVersion, "version", 1);
    for (const Status& s : {deprecated.status(), builtin.status(), custom.status(), version.status()})
      if (!s.is_ok()) return s.with_context(where);
    // Old files set only the int8 deprecated code (codes < 127), new ones both: the larger one is real.
    c.builtin = std::max<int32_t>(deprecated.value(), builtin.value());
    c.custom_code = custom.value();
    c.version = version.value();
    m.operator_codes.push_back(std::move(c));
  }
  WEBCNN_ASSIGN(fb::Vector subgraphs, root.vector(model_f::kSubgraphs, "subgraphs", 4));
  m.num_subgraphs = subgraphs.size;
  if (subgraphs.size == 0) return fb::invalid("the model has no subgraph");
  WEBCNN_ASSIGN(fb::Table sg, root.table_at(subgraphs, 0, "subgraphs"));
  Result<SubGraph> sub = read_subgraph(sg);
  if (!sub.is_ok()) return sub.status().with_context("subgraph 0");
  m.subgraph = std::move(sub).value();
  WEBCNN_ASSIGN(fb::Vector buffers, root.vector(model_f::kBuffers, "buffers", 4));
  m.buffers.reserve(buffers.size);
  for (uint32_t i = 0; i < buffers.size; ++i) {
    Result<fb::Table> t = root.table_at(buffers, i, "buffers");
    if (!t.is_ok()) return t.status().with_context("buffer " + std::to_string(i));
    Result<Buffer> b = read_buffer(t.value());
    if (!b.is_ok()) return b.status().with_context("buffer " + std::to_string(i));
    m.buffers.push_back(b.value());
  }
  return m;
}

}  // namespace tflite
}  // namespace webcnn
