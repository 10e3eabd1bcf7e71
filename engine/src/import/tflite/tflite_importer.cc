// TFLite FlatBuffer → Graph IR (subgraph 0). Spatial ops run NHWC as TFLite does (layout "NHWC");
// weights are re-laid out here, on their bytes (CONV_2D OHWI → OIHW, DEPTHWISE [1,kH,kW,C·m] → [C·m,1,kH,kW],
// TRANSPOSE_CONV OHWI → IOHW). 8-bit tensors keep their quantisation (Value::quant) and flow through the
// QLinear*/QGemm ops of ops/README.md "Quantized tensors"; an 8-bit op without a quantised engine op is
// translated as its float form between DequantizeLinear and QuantizeLinear (one mechanism for all ops:
// OpContext::generic), and data-movement ops pass 8-bit data on as it is.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "graph/constants.h"
#include "import/model_import.h"
#include "import/tflite/tflite_schema.h"

namespace webcnn {

namespace {

using Attrs = std::map<std::string, Attribute>;
namespace tfl = tflite;

Status invalid(const std::string& what) { return Status::error(StatusCode::kInvalidModel, what); }

bool is_8bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// ONNX TensorProto data type numbers, as Cast's "to" attribute takes them.
int64_t onnx_dtype(DataType t) {
  switch (t) {
    case DataType::kFloat32: return 1;
    case DataType::kUInt8: return 2;
    case DataType::kInt8: return 3;
    case DataType::kInt32: return 6;
    case DataType::kInt64: return 7;
    case DataType::kBool: return 9;
    case DataType::kFloat64: return 11;
  }
  return 0;
}

// IEEE half → float (normals, subnormals, inf, NaN).
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400) == 0) {
        mant <<= 1;
        --exp;
      }
      bits = sign | exp << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Permutes a dense tensor's axes (any element size): out.shape[i] = in.shape[perm[i]].
Tensor permuted(const Tensor& in, const std::vector<int>& perm) {
  const Shape& s = in.shape();
  const int r = in.rank();
  Shape os(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) os[static_cast<size_t>(i)] = s[static_cast<size_t>(perm[static_cast<size_t>(i)])];
  Tensor out(in.dtype(), os);
  const size_t es = dtype_size(in.dtype());
  std::vector<int64_t> in_strides(static_cast<size_t>(r), 1);
  for (int i = r - 2; i >= 0; --i)
    in_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(i) + 1] * s[static_cast<size_t>(i) + 1];
  const int64_t n = out.size();
  std::vector<int64_t> idx(static_cast<size_t>(r), 0);
  const auto* src = static_cast<const uint8_t*>(in.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (int i = 0; i < r; ++i)
      off += idx[static_cast<size_t>(i)] * in_strides[static_cast<size_t>(perm[static_cast<size_t>(i)])];
    std::memcpy(dst + static_cast<size_t>(k) * es, src + static_cast<size_t>(off) * es, es);
    for (int i = r - 1; i >= 0; --i) {
      if (++idx[static_cast<size_t>(i)] < os[static_cast<size_t>(i)]) break;
      idx[static_cast<size_t>(i)] = 0;
    }
  }
  return out;
}

// TFLite's SAME padding: total = max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0), out = ceil(in / stride),
// the odd pixel at the end (ONNX SAME_UPPER). Returns {begin, end}.
std::pair<int64_t, int64_t> same_pads(int64_t in, int64_t k, int64_t stride, int64_t dilation) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  return {total / 2, total - total / 2};
}

// A TFLite ActivationFunctionType.
enum Activation : int8_t {
  kActNone = 0,
  kActRelu = 1,
  kActReluN1To1 = 2,
  kActRelu6 = 3,
  kActTanh = 4,
  kActSignBit = 5
};

class Importer;

// One TFLite operator being translated.
struct OpContext {
  size_t index = 0;
  const tfl::Operator* op = nullptr;
  int32_t code = 0;
  std::string name;  // its first output tensor's name: the prefix of its engine nodes
  // 8-bit inputs read dequantized (float), float results quantised into the 8-bit output tensors.
  bool generic = false;
  // Data movement on 8-bit data: results carry input 0's parameters (requantised when the output's differ).
  bool passthrough = false;

  std::string describe() const {
    return "operator " + std::to_string(index) + " " + tfl::builtin_name(code) + " '" + name + "'";
  }
  Status error(const std::string& what) const {
    return Status::error(StatusCode::kInvalidModel, describe() + ": " + what);
  }
  Status unsupported(const std::string& what) const {
    return Status::error(StatusCode::kUnsupportedOp, describe() + ": " + what);
  }
};

class Importer {
 public:
  explicit Importer(const tfl::Model& m) : m_(m), sg_(m.subgraph), values_(m.subgraph.tensors.size(), kNoValue) {}

  Result<Graph> run();

  // --- what translators use ---
  const tfl::Tensor& tensor(int32_t t) const { return sg_.tensors[static_cast<size_t>(t)]; }
  bool has_input(const OpContext& c, size_t i) const { return i < c.op->inputs.size() && c.op->inputs[i] >= 0; }
  size_t num_inputs(const OpContext& c) const { return c.op->inputs.size(); }
  int32_t input_index(const OpContext& c, size_t i) const { return c.op->inputs[i]; }
  const tfl::Tensor& input_tensor(const OpContext& c, size_t i) const { return tensor(c.op->inputs[i]); }
  const tfl::Tensor& output_tensor(const OpContext& c, size_t i) const { return tensor(c.op->outputs[i]); }
  Status need_inputs(const OpContext& c, size_t min, size_t max) const;
  // The value of input i as the translation reads it (dequantized in generic mode).
  Result<ValueId> input(const OpContext& c, size_t i);
  // The 8-bit value of input i as it is (quantised ops).
  Result<ValueId> raw_input(const OpContext& c, size_t i);
  // The constant data of input i (own dtype, float16 widened), or an error naming the operator.
  Result<const Tensor*> constant(const OpContext& c, size_t i, const char* what);
  Result<std::vector<int64_t>> constant_ints(const OpContext& c, size_t i, const char* what);
  // Constant input i with its axes permuted (weights to the engine layout), dequantized in generic mode.
  Result<ValueId> weights(const OpContext& c, size_t i, const std::vector<int>& perm, const Shape& reshape_first);
  // Scale / zero-point constants of a tensor (cached per tensor).
  Result<ValueId> scale_of(const OpContext& c, int32_t t);
  Result<ValueId> zero_point_of(const OpContext& c, int32_t t);
  // Appends `op` on `inputs` whose single output becomes output tensor `out` (quantised in generic mode).
  Status emit(const OpContext& c, const std::string& op, std::vector<ValueId> inputs, Attrs attrs = {}, size_t out = 0);
  // Appends `op` whose outputs become the operator's outputs, in order.
  Status emit_all(const OpContext& c, const std::string& op, std::vector<ValueId> inputs, Attrs attrs = {});
  // An intermediate node (float, or whatever the op gives); returns its output.
  ValueId add(const std::string& op, const std::string& name, std::vector<ValueId> inputs, Attrs attrs = {});
  // Output tensor `out` is the value `v` (no node).
  Status alias(const OpContext& c, size_t out, ValueId v);
  Graph& graph() { return g_; }

 private:
  Result<ValueId> value_of(const OpContext& c, int32_t t);
  Result<Tensor> read_constant(int32_t t) const;
  Result<DataType> dtype_of(int32_t t) const;
  QuantParams quant_of(int32_t t) const;
  ValueId make_value(int32_t t, DataType dtype);
  Status bind_output(const OpContext& c, size_t out, ValueId v);
  Status check_unsupported() const;
  Status translate(OpContext& c);

  const tfl::Model& m_;
  const tfl::SubGraph& sg_;
  Graph g_;
  std::vector<ValueId> values_;
  std::map<int32_t, ValueId> scales_, zero_points_;
  std::map<int32_t, std::shared_ptr<const Tensor>> constants_;
  std::set<std::string> names_;
};

// ----- translators -----

using Translator = std::function<Status(Importer&, OpContext&)>;

Result<Activation> activation_field(const OpContext& c, int field) {
  if (!c.op->has_options) return kActNone;
  WEBCNN_ASSIGN(int8_t a, c.op->options.scalar<int8_t>(field, "fused_activation_function", 0));
  if (a < 0 || a > kActTanh) return c.unsupported("fused activation " + std::to_string(a) + " is not supported");
  return static_cast<Activation>(a);
}

template <typename T>
Result<T> option(const OpContext& c, int field, const char* name, T def) {
  if (!c.op->has_options) return def;
  Result<T> v = c.op->options.scalar<T>(field, name, def);
  if (!v.is_ok()) return v.status().with_context(c.describe());
  return v;
}

// A bool field: read as a byte (any non-zero byte is true; a hostile 2 must not become an invalid bool).
Result<bool> flag(const OpContext& c, int field, const char* name) {
  WEBCNN_ASSIGN(uint8_t v, option<uint8_t>(c, field, name, 0));
  return v != 0;
}

// Conv/Gemm fused_activation attributes for a TFLite activation (Relu, Clip, Tanh).
void fused_attrs(Activation act, Attrs& a) {
  switch (act) {
    case kActNone:
    case kActSignBit: break;
    case kActRelu: a["fused_activation"] = Attribute::of_string("Relu"); break;
    case kActRelu6:
    case kActReluN1To1:
      a["fused_activation"] = Attribute::of_string("Clip");
      a["fused_min"] = Attribute::of_float(act == kActRelu6 ? 0.f : -1.f);
      a["fused_max"] = Attribute::of_float(act == kActRelu6 ? 6.f : 1.f);
      break;
    case kActTanh: a["fused_activation"] = Attribute::of_string("Tanh"); break;
  }
}

// `op` then the activation as its own node (ops that cannot fuse one); the last node gives output 0.
Status emit_with_activation(Importer& im, const OpContext& c, const std::string& op, std::vector<ValueId> in,
                            Attrs attrs, Activation act) {
  if (act == kActNone) return im.emit(c, op, std::move(in), std::move(attrs));
  Graph& g = im.graph();
  ValueId y = im.add(op, c.name + "/pre_activation", std::move(in), std::move(attrs));
  switch (act) {
    case kActRelu: return im.emit(c, "Relu", {y});
    case kActRelu6:
      return im.emit(c, "Clip",
                     {y, add_float_scalar(g, c.name + "/min", 0.f), add_float_scalar(g, c.name + "/max", 6.f)});
    case kActReluN1To1:
      return im.emit(c, "Clip",
                     {y, add_float_scalar(g, c.name + "/min", -1.f), add_float_scalar(g, c.name + "/max", 1.f)});
    case kActTanh: return im.emit(c, "Tanh", {y});
    default: return c.unsupported("fused activation SIGN_BIT is not supported");
  }
}

Result<Attrs> padding_attrs(const OpContext& c, int8_t padding, const Shape& in_nhwc, int64_t kh, int64_t kw,
                            int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
  Attrs a;
  if (padding == 1) {  // VALID
    a["pads"] = Attribute::of_ints({0, 0, 0, 0});
  } else if (padding == 0) {  // SAME
    if (in_nhwc.size() == 4 && in_nhwc[1] > 0 && in_nhwc[2] > 0) {
      auto [t, b] = same_pads(in_nhwc[1], kh, sh, dh);
      auto [l, r] = same_pads(in_nhwc[2], kw, sw, dw);
      a["pads"] = Attribute::of_ints({t, l, b, r});
    } else {
      a["auto_pad"] = Attribute::of_string("SAME_UPPER");  // the same rule, at plan time
    }
  } else {
    return c.error("unknown padding " + std::to_string(padding));
  }
  return a;
}

Shape tfl_shape(const tfl::Tensor& t) { return Shape(t.shape.begin(), t.shape.end()); }

Result<int32_t> positive_option(const OpContext& c, int field, const char* name, int32_t def) {
  WEBCNN_ASSIGN(int32_t v, option<int32_t>(c, field, name, def));
  if (v < 1 || v > (1 << 20)) return c.error(std::string(name) + " " + std::to_string(v) + " is out of range");
  return v;
}

// CONV_2D (x NHWC, filter OHWI, [bias]) and DEPTHWISE_CONV_2D (x, filter [1,kH,kW,C·m], [bias]).
Status translate_conv(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 3));
  const bool dw = c.code == tfl::kDepthwiseConv2D;
  WEBCNN_ASSIGN(const Tensor* f, im.constant(c, 1, "filter"));
  if (f->rank() != 4) return c.error("the filter must have rank 4, has " + shape_to_string(f->shape()));
  const Shape in_shape = tfl_shape(im.input_tensor(c, 0));
  if (in_shape.size() != 4) return c.error("the input must have rank 4");
  WEBCNN_ASSIGN(int8_t padding, option<int8_t>(c, 0, "padding", 0));
  WEBCNN_ASSIGN(int32_t sw, positive_option(c, 1, "stride_w", 1));
  WEBCNN_ASSIGN(int32_t sh, positive_option(c, 2, "stride_h", 1));
  WEBCNN_ASSIGN(Activation act, activation_field(c, dw ? 4 : 3));
  WEBCNN_ASSIGN(int32_t dilw, positive_option(c, dw ? 5 : 4, "dilation_w_factor", 1));
  WEBCNN_ASSIGN(int32_t dilh, positive_option(c, dw ? 6 : 5, "dilation_h_factor", 1));
  const Shape& fs = f->shape();
  const int64_t kh = fs[1], kw = fs[2];
  WEBCNN_ASSIGN(Attrs a, padding_attrs(c, padding, in_shape, kh, kw, sh, sw, dilh, dilw));
  a["layout"] = Attribute::of_string("NHWC");
  a["strides"] = Attribute::of_ints({sh, sw});
  a["dilations"] = Attribute::of_ints({dilh, dilw});
  a["kernel_shape"] = Attribute::of_ints({kh, kw});
  if (dw) {
    if (fs[0] != 1) return c.error("depthwise filter must be [1, kH, kW, C*m], is " + shape_to_string(fs));
    const int64_t channels = in_shape[3];
    if (channels <= 0 || fs[3] % channels != 0)
      return c.error("depthwise filter's " + std::to_string(fs[3]) + " channels are not a multiple of the input's " +
                     std::to_string(channels));
    a["group"] = Attribute::of_int(channels);
  } else if (in_shape[3] > 0 && fs[3] > 0 && in_shape[3] != fs[3]) {
    if (in_shape[3] % fs[3] != 0) return c.error("filter input channels do not divide the input's");
    a["group"] = Attribute::of_int(in_shape[3] / fs[3]);
  }
  const std::vector<int> perm = dw ? std::vector<int>{3, 0, 1, 2} : std::vector<int>{0, 3, 1, 2};
  WEBCNN_ASSIGN(ValueId w, im.weights(c, 1, perm, {}));
  const bool bias = im.has_input(c, 2);
  const int8_t xt = im.input_tensor(c, 0).type;
  if (!c.generic && (xt == tfl::kInt8 || xt == tfl::kUInt8)) {
    // QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B int32]).
    const int32_t xi = im.input_index(c, 0), wi = im.input_index(c, 1), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ws, im.scale_of(c, wi));
    WEBCNN_ASSIGN(ValueId wz, im.zero_point_of(c, wi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    std::vector<ValueId> in = {x, xs, xz, w, ws, wz, ys, yz};
    if (bias) {
      WEBCNN_ASSIGN(ValueId b, im.raw_input(c, 2));
      in.push_back(b);
    }
    if (act == kActTanh) return c.unsupported("a quantised convolution with a fused TANH is not supported");
    fused_attrs(act, a);
    return im.emit(c, "QLinearConv", in, a);
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  std::vector<ValueId> in = {x, w};
  if (bias) {
    WEBCNN_ASSIGN(ValueId b, im.input(c, 2));
    in.push_back(b);
  }
  fused_attrs(act, a);
  return im.emit(c, "Conv", in, a);
}

// TRANSPOSE_CONV(output_shape, weights [O, kH, kW, I], x, [bias]) → ConvTranspose, W [I, O, kH, kW].
Status translate_transpose_conv(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 3, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> out_shape, im.constant_ints(c, 0, "output_shape"));
  if (out_shape.size() != 4) return c.error("output_shape must hold 4 integers");
  WEBCNN_ASSIGN(const Tensor* f, im.constant(c, 1, "weights"));
  if (f->rank() != 4) return c.error("the weights must have rank 4");
  WEBCNN_ASSIGN(int8_t padding, option<int8_t>(c, 0, "padding", 0));
  WEBCNN_ASSIGN(int32_t sw, positive_option(c, 1, "stride_w", 1));
  WEBCNN_ASSIGN(int32_t sh, positive_option(c, 2, "stride_h", 1));
  WEBCNN_ASSIGN(Activation act, activation_field(c, 3));
  Attrs a;
  a["layout"] = Attribute::of_string("NHWC");
  a["strides"] = Attribute::of_ints({sh, sw});
  a["kernel_shape"] = Attribute::of_ints({f->shape()[1], f->shape()[2]});
  a["output_shape"] = Attribute::of_ints({out_shape[1], out_shape[2]});
  if (padding == 0) {
    a["auto_pad"] = Attribute::of_string("SAME_UPPER");
  } else if (padding == 1) {
    a["auto_pad"] = Attribute::of_string("VALID");
  } else {
    return c.error("unknown padding " + std::to_string(padding));
  }
  WEBCNN_ASSIGN(ValueId w, im.weights(c, 1, {3, 0, 1, 2}, {}));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 2));
  std::vector<ValueId> in = {x, w};
  if (im.has_input(c, 3)) {
    WEBCNN_ASSIGN(ValueId b, im.input(c, 3));
    in.push_back(b);
  }
  return emit_with_activation(im, c, "ConvTranspose", in, a, act);
}

// FULLY_CONNECTED(x, weights [O, I], [bias]) → Gemm / QGemm with transB = 1; x flattened to [-1, I].
Status translate_fully_connected(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 3));
  WEBCNN_ASSIGN(Activation act, activation_field(c, 0));
  WEBCNN_ASSIGN(int8_t format, option<int8_t>(c, 1, "weights_format", 0));
  WEBCNN_ASSIGN(bool keep_dims, flag(c, 2, "keep_num_dims"));
  if (format != 0) return c.unsupported("shuffled weights formats are not supported");
  WEBCNN_ASSIGN(const Tensor* w_data, im.constant(c, 1, "weights"));
  if (w_data->rank() != 2) return c.error("the weights must be [outputs, inputs]");
  const int64_t inner = w_data->shape()[1];
  const Shape in_shape = tfl_shape(im.input_tensor(c, 0));
  Attrs a;
  a["transB"] = Attribute::of_int(1);
  const bool quantised =
      !c.generic && (im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8);
  WEBCNN_ASSIGN(ValueId x, quantised ? im.raw_input(c, 0) : im.input(c, 0));
  if (in_shape.size() != 2)
    x = im.add("Reshape", c.name + "/flatten",
               {x, add_int64_constant(im.graph(), c.name + "/flatten_shape", {-1, inner})});
  WEBCNN_ASSIGN(ValueId w, im.weights(c, 1, {0, 1}, {}));
  const bool reshape_out = keep_dims && in_shape.size() != 2;
  if (quantised) {
    if (act == kActTanh) return c.unsupported("a quantised FULLY_CONNECTED with a fused TANH is not supported");
    const int32_t xi = im.input_index(c, 0), wi = im.input_index(c, 1), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ws, im.scale_of(c, wi));
    WEBCNN_ASSIGN(ValueId wz, im.zero_point_of(c, wi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    ValueId b = kNoValue;
    if (im.has_input(c, 2)) {
      WEBCNN_ASSIGN(b, im.raw_input(c, 2));
    }
    fused_attrs(act, a);
    if (reshape_out) return c.unsupported("keep_num_dims on a quantised FULLY_CONNECTED of rank > 2 is not supported");
    return im.emit(c, "QGemm", {x, xs, xz, w, ws, wz, b, ys, yz}, a);
  }
  std::vector<ValueId> in = {x, w};
  if (im.has_input(c, 2)) {
    WEBCNN_ASSIGN(ValueId b, im.input(c, 2));
    in.push_back(b);
  }
  fused_attrs(act, a);
  if (!reshape_out) return im.emit(c, "Gemm", in, a);
  ValueId y = im.add("Gemm", c.name + "/gemm", in, a);
  Shape os = tfl_shape(im.output_tensor(c, 0));
  return im.emit(c, "Reshape", {y, add_int64_constant(im.graph(), c.name + "/shape", os)});
}

// ADD / MUL / SUB (QLinearAdd / QLinearMul / QLinearSub when 8-bit), DIV; activation as a separate node in float.
Status translate_binary(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  const bool has_act = c.code == tfl::kAdd || c.code == tfl::kMul || c.code == tfl::kSub || c.code == tfl::kDiv;
  Activation act = kActNone;
  if (has_act) {
    WEBCNN_ASSIGN(act, activation_field(c, 0));
  }
  std::string op = c.code == tfl::kAdd ? "Add" : c.code == tfl::kMul ? "Mul" : c.code == tfl::kSub ? "Sub" : "Div";
  if (c.code == tfl::kMaximum) op = "Max";
  if (c.code == tfl::kMinimum) op = "Min";
  if (c.code == tfl::kFloorDiv) op = "FloorDiv";
  const bool quantised = !c.generic && (c.code == tfl::kAdd || c.code == tfl::kMul || c.code == tfl::kSub) &&
                         (im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8);
  if (quantised) {
    if (act == kActTanh) return c.unsupported("a quantised " + op + " with a fused TANH is not supported");
    std::vector<ValueId> in;
    for (size_t i = 0; i < 2; ++i) {
      WEBCNN_ASSIGN(ValueId v, im.raw_input(c, i));
      WEBCNN_ASSIGN(ValueId s, im.scale_of(c, im.input_index(c, i)));
      WEBCNN_ASSIGN(ValueId z, im.zero_point_of(c, im.input_index(c, i)));
      in.insert(in.end(), {v, s, z});
    }
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, c.op->outputs[0]));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, c.op->outputs[0]));
    in.insert(in.end(), {ys, yz});
    Attrs a;
    fused_attrs(act, a);
    return im.emit(c, "QLinear" + op, in, a);
  }
  WEBCNN_ASSIGN(ValueId a, im.input(c, 0));
  WEBCNN_ASSIGN(ValueId b, im.input(c, 1));
  if (c.code == tfl::kSquaredDifference) {
    ValueId d = im.add("Sub", c.name + "/difference", {a, b});
    return im.emit(c, "Mul", {d, d});
  }
  return emit_with_activation(im, c, op, {a, b}, {}, act);
}

// AVERAGE_POOL_2D / MAX_POOL_2D (Pool2DOptions).
Status translate_pool(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  WEBCNN_ASSIGN(int8_t padding, option<int8_t>(c, 0, "padding", 0));
  WEBCNN_ASSIGN(int32_t sw, positive_option(c, 1, "stride_w", 1));
  WEBCNN_ASSIGN(int32_t sh, positive_option(c, 2, "stride_h", 1));
  WEBCNN_ASSIGN(int32_t fw, positive_option(c, 3, "filter_width", 1));
  WEBCNN_ASSIGN(int32_t fh, positive_option(c, 4, "filter_height", 1));
  WEBCNN_ASSIGN(Activation act, activation_field(c, 5));
  const Shape in_shape = tfl_shape(im.input_tensor(c, 0));
  WEBCNN_ASSIGN(Attrs a, padding_attrs(c, padding, in_shape, fh, fw, sh, sw, 1, 1));
  a["layout"] = Attribute::of_string("NHWC");
  a["strides"] = Attribute::of_ints({sh, sw});
  a["kernel_shape"] = Attribute::of_ints({fh, fw});
  const bool avg = c.code == tfl::kAveragePool2D;
  const bool eight = im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8;
  if (!c.generic && eight && act == kActNone) {
    WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
    if (!avg) return im.emit(c, "MaxPool", {x}, a);  // passthrough: same parameters in and out
    const int32_t xi = im.input_index(c, 0), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    return im.emit(c, "QLinearAveragePool", {x, xs, xz, ys, yz}, a);
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return emit_with_activation(im, c, avg ? "AveragePool" : "MaxPool", {x}, a, act);
}

// MEAN / SUM (x, axes) with ReducerOptions.keep_dims; an 8-bit spatial MEAN is QLinearGlobalAveragePool.
Status translate_reduce(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axes, im.constant_ints(c, 1, "axes"));
  WEBCNN_ASSIGN(bool keep, flag(c, 0, "keep_dims"));
  const Shape in_shape = tfl_shape(im.input_tensor(c, 0));
  const bool eight = im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8;
  std::vector<int64_t> sorted = axes;
  for (int64_t& x : sorted)
    if (x < 0) x += static_cast<int64_t>(in_shape.size());
  std::sort(sorted.begin(), sorted.end());
  if (!c.generic && eight && c.code == tfl::kMean && in_shape.size() == 4 && sorted == std::vector<int64_t>{1, 2}) {
    const int32_t xi = im.input_index(c, 0), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    Attrs a = {{"layout", Attribute::of_string("NHWC")}};
    if (keep) return im.emit(c, "QLinearGlobalAveragePool", {x, xs, xz, ys, yz}, a);
    ValueId pooled = im.add("QLinearGlobalAveragePool", c.name + "/pooled", {x, xs, xz, ys, yz}, a);
    im.graph().value(pooled).dtype = im.input_tensor(c, 0).type == tfl::kInt8 ? DataType::kInt8 : DataType::kUInt8;
    OpContext move = c;
    move.passthrough = true;
    return im.emit(move, "Reshape",
                   {pooled, add_int64_constant(im.graph(), c.name + "/shape", {in_shape[0], in_shape[3]})});
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  const std::string op = c.code == tfl::kMean ? "ReduceMean" : c.code == tfl::kSum ? "ReduceSum" : "ReduceMax";
  return im.emit(c, op, {x, add_int64_constant(im.graph(), c.name + "/axes", axes)},
                 {{"keepdims", Attribute::of_int(keep ? 1 : 0)}});
}

// RESHAPE(x, [shape]) with ReshapeOptions.new_shape as the older form.
Status translate_reshape(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 2));
  std::vector<int64_t> shape;
  if (im.has_input(c, 1)) {
    WEBCNN_ASSIGN(shape, im.constant_ints(c, 1, "shape"));
  } else if (c.op->has_options && c.op->options.has(0)) {
    Result<std::vector<int32_t>> s = c.op->options.scalars<int32_t>(0, "new_shape");
    if (!s.is_ok()) return s.status().with_context(c.describe());
    shape.assign(s.value().begin(), s.value().end());
  } else {
    shape = tfl_shape(im.output_tensor(c, 0));
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Reshape", {x, add_int64_constant(im.graph(), c.name + "/shape", shape)});
}

Status translate_squeeze(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  std::vector<int64_t> axes;
  if (c.op->has_options) {
    Result<std::vector<int32_t>> d = c.op->options.scalars<int32_t>(0, "squeeze_dims");
    if (!d.is_ok()) return d.status().with_context(c.describe());
    axes.assign(d.value().begin(), d.value().end());
  }
  if (axes.empty()) {  // every dimension of size 1
    const Shape s = tfl_shape(im.input_tensor(c, 0));
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == 1) axes.push_back(static_cast<int64_t>(i));
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Squeeze", {x, add_int64_constant(im.graph(), c.name + "/axes", axes)});
}

Status translate_softmax(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  WEBCNN_ASSIGN(float beta, option<float>(c, 0, "beta", 1.f));
  const bool eight = im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8;
  Attrs a = {{"axis", Attribute::of_int(-1)}};
  if (!c.generic && eight && beta == 1.f) {
    const int32_t xi = im.input_index(c, 0), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    return im.emit(c, "QLinearSoftmax", {x, xs, xz, ys, yz}, a);
  }
  if (eight && !c.generic) return c.unsupported("a quantised SOFTMAX with beta != 1 is not supported");
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  if (beta != 1.f) x = im.add("Mul", c.name + "/scaled", {x, add_float_scalar(im.graph(), c.name + "/beta", beta)});
  return im.emit(c, "Softmax", {x}, a);
}

// LOGISTIC / LEAKY_RELU: QLinearSigmoid / QLinearLeakyRelu when 8-bit; the other activations float.
Status translate_unary(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  Attrs a;
  float alpha = 0.2f;
  if (c.code == tfl::kLeakyRelu) {
    WEBCNN_ASSIGN(alpha, option<float>(c, 0, "alpha", 0.f));
    a["alpha"] = Attribute::of_float(alpha);
  }
  const bool eight = im.input_tensor(c, 0).type == tfl::kUInt8 || im.input_tensor(c, 0).type == tfl::kInt8;
  if (!c.generic && eight && (c.code == tfl::kLogistic || c.code == tfl::kLeakyRelu)) {
    const int32_t xi = im.input_index(c, 0), yi = c.op->outputs[0];
    WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
    WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
    return im.emit(c, c.code == tfl::kLogistic ? "QLinearSigmoid" : "QLinearLeakyRelu", {x, xs, xz, ys, yz}, a);
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  Graph& g = im.graph();
  switch (c.code) {
    case tfl::kLogistic: return im.emit(c, "Sigmoid", {x});
    case tfl::kLeakyRelu: return im.emit(c, "LeakyRelu", {x}, a);
    case tfl::kRelu: return im.emit(c, "Relu", {x});
    case tfl::kRelu6:
      return im.emit(c, "Clip",
                     {x, add_float_scalar(g, c.name + "/min", 0.f), add_float_scalar(g, c.name + "/max", 6.f)});
    case tfl::kReluN1To1:
      return im.emit(c, "Clip",
                     {x, add_float_scalar(g, c.name + "/min", -1.f), add_float_scalar(g, c.name + "/max", 1.f)});
    case tfl::kTanh: return im.emit(c, "Tanh", {x});
    case tfl::kHardSwish: return im.emit(c, "HardSwish", {x});
    case tfl::kExp: return im.emit(c, "Exp", {x});
    case tfl::kSqrt: return im.emit(c, "Sqrt", {x});
    case tfl::kRsqrt: return im.emit(c, "Reciprocal", {im.add("Sqrt", c.name + "/sqrt", {x})});
    case tfl::kFloor: return im.emit(c, "Floor", {x});
  }
  return c.unsupported("internal: no unary mapping");
}

Status translate_prelu(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  WEBCNN_ASSIGN(ValueId alpha, im.input(c, 1));
  return im.emit(c, "PRelu", {x, alpha});
}

// CONCATENATION: Concat when every 8-bit input has the output's parameters, else QLinearConcat.
Status translate_concat(Importer& im, OpContext& c) {
  if (im.num_inputs(c) < 1) return c.error("needs at least one input");
  WEBCNN_ASSIGN(int32_t axis, option<int32_t>(c, 0, "axis", 0));
  WEBCNN_ASSIGN(Activation act, activation_field(c, 1));
  const tfl::Tensor& out = im.output_tensor(c, 0);
  const bool eight = out.type == tfl::kUInt8 || out.type == tfl::kInt8;
  Attrs a = {{"axis", Attribute::of_int(axis)}};
  if (!c.generic && eight && act == kActNone) {
    bool equal = true;
    for (size_t i = 0; i < im.num_inputs(c); ++i) {
      const tfl::Tensor& t = im.input_tensor(c, i);
      equal = equal && t.quant.scale == out.quant.scale && t.quant.zero_point == out.quant.zero_point;
    }
    std::vector<ValueId> in;
    if (!equal) {
      WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, c.op->outputs[0]));
      WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, c.op->outputs[0]));
      in = {ys, yz};
    }
    for (size_t i = 0; i < im.num_inputs(c); ++i) {
      WEBCNN_ASSIGN(ValueId v, im.raw_input(c, i));
      in.push_back(v);
      if (!equal) {
        WEBCNN_ASSIGN(ValueId s, im.scale_of(c, im.input_index(c, i)));
        WEBCNN_ASSIGN(ValueId z, im.zero_point_of(c, im.input_index(c, i)));
        in.insert(in.end(), {s, z});
      }
    }
    return im.emit(c, equal ? "Concat" : "QLinearConcat", in, a);
  }
  std::vector<ValueId> in;
  for (size_t i = 0; i < im.num_inputs(c); ++i) {
    WEBCNN_ASSIGN(ValueId v, im.input(c, i));
    in.push_back(v);
  }
  return emit_with_activation(im, c, "Concat", in, a, act);
}

// PAD(x, paddings [rank, 2]) / PADV2(x, paddings, constant): an 8-bit PAD pads with the zero point.
Status translate_pad(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, c.code == tfl::kPadV2 ? 3 : 2));
  WEBCNN_ASSIGN(std::vector<int64_t> p, im.constant_ints(c, 1, "paddings"));
  const size_t rank = p.size() / 2;
  if (p.size() % 2 != 0) return c.error("paddings must be [rank, 2]");
  std::vector<int64_t> pads(p.size());
  for (size_t i = 0; i < rank; ++i) {
    pads[i] = p[2 * i];
    pads[rank + i] = p[2 * i + 1];
  }
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  std::vector<ValueId> in = {x, add_int64_constant(im.graph(), c.name + "/pads", pads)};
  if (im.has_input(c, 2)) {
    WEBCNN_ASSIGN(ValueId v, im.input(c, 2));
    in.push_back(v);
  } else if (c.passthrough) {
    WEBCNN_ASSIGN(ValueId z, im.zero_point_of(c, im.input_index(c, 0)));
    in.push_back(z);
  }
  return im.emit(c, "Pad", in);
}

// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR (x NHWC, size [2]) → Resize over axes 1, 2 (TF.js does the same).
Status translate_resize(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  const bool bilinear = c.code == tfl::kResizeBilinear;
  WEBCNN_ASSIGN(bool align, flag(c, bilinear ? 2 : 0, "align_corners"));
  WEBCNN_ASSIGN(bool half, flag(c, bilinear ? 3 : 1, "half_pixel_centers"));
  if (align && half) return c.error("align_corners and half_pixel_centers cannot both be set");
  WEBCNN_ASSIGN(std::vector<int64_t> size, im.constant_ints(c, 1, "size"));
  if (size.size() != 2) return c.error("size must hold 2 integers");
  Attrs a;
  a["mode"] = Attribute::of_string(bilinear ? "linear" : "nearest");
  a["axes"] = Attribute::of_ints({1, 2});
  // TFLite's bilinear with half_pixel_centers is TF2's (ONNX half_pixel); without either flag the legacy
  // asymmetric mapping x·in/out.
  a["coordinate_transformation_mode"] = Attribute::of_string(align  ? "align_corners"
                                                             : half ? "half_pixel"
                                                                    : "asymmetric");
  // TF nearest: floor(x·scale) plainly, floor((x+0.5)·scale) with half-pixel centers (= round_prefer_ceil of
  // ONNX's half_pixel coordinate), round() with align_corners.
  if (!bilinear) a["nearest_mode"] = Attribute::of_string(half || align ? "round_prefer_ceil" : "floor");
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Resize", {x, kNoValue, kNoValue, add_int64_constant(im.graph(), c.name + "/sizes", size)}, a);
}

Status translate_transpose(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> perm, im.constant_ints(c, 1, "perm"));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Transpose", {x}, {{"perm", Attribute::of_ints(perm)}});
}

// STRIDED_SLICE(x, begin, end, strides): the engine's StridedSlice has TF's semantics and mask attributes.
Status translate_strided_slice(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 4, 4));
  Attrs a;
  const char* names[] = {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"};
  for (int f = 0; f < 5; ++f) {
    WEBCNN_ASSIGN(int32_t v, option<int32_t>(c, f, names[f], 0));
    a[names[f]] = Attribute::of_int(v);
  }
  WEBCNN_ASSIGN(bool offset, flag(c, 5, "offset"));
  if (offset) return c.unsupported("STRIDED_SLICE with offset = true is not supported");
  std::vector<ValueId> in;
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  in.push_back(x);
  for (size_t i = 1; i < 4; ++i) {
    WEBCNN_ASSIGN(std::vector<int64_t> v, im.constant_ints(c, i, "begin/end/strides"));
    in.push_back(add_int64_constant(im.graph(), c.name + "/arg" + std::to_string(i), v));
  }
  return im.emit(c, "StridedSlice", in, a);
}

// SLICE(x, begin, size): size -1 runs to the end.
Status translate_slice(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 3, 3));
  WEBCNN_ASSIGN(std::vector<int64_t> begin, im.constant_ints(c, 1, "begin"));
  WEBCNN_ASSIGN(std::vector<int64_t> size, im.constant_ints(c, 2, "size"));
  if (begin.size() != size.size()) return c.error("begin and size differ in length");
  std::vector<int64_t> end(begin.size()), axes(begin.size());
  for (size_t i = 0; i < begin.size(); ++i) {
    end[i] = size[i] == -1 ? std::numeric_limits<int64_t>::max() : begin[i] + size[i];
    axes[i] = static_cast<int64_t>(i);
  }
  Graph& g = im.graph();
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Slice",
                 {x, add_int64_constant(g, c.name + "/starts", begin), add_int64_constant(g, c.name + "/ends", end),
                  add_int64_constant(g, c.name + "/axes", axes)});
}

// SPLIT(axis, x) into num_splits equal parts.
Status translate_split(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, im.constant_ints(c, 0, "axis"));
  if (axis.size() != 1) return c.error("axis must be one integer");
  const size_t n = c.op->outputs.size();
  if (n == 0) return c.error("has no outputs");
  WEBCNN_ASSIGN(ValueId x, im.input(c, 1));
  return im.emit_all(
      c, "Split", {x},
      {{"axis", Attribute::of_int(axis[0])}, {"num_outputs", Attribute::of_int(static_cast<int64_t>(n))}});
}

Status translate_gather(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(int32_t axis, option<int32_t>(c, 0, "axis", 0));
  WEBCNN_ASSIGN(int32_t batch_dims, option<int32_t>(c, 1, "batch_dims", 0));
  if (batch_dims != 0) return c.unsupported("GATHER with batch_dims is not supported");
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  WEBCNN_ASSIGN(ValueId idx, im.input(c, 1));
  return im.emit(c, "Gather", {x, idx}, {{"axis", Attribute::of_int(axis)}});
}

Status translate_gather_nd(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  WEBCNN_ASSIGN(ValueId idx, im.input(c, 1));
  return im.emit(c, "GatherND", {x, idx});
}

// ARG_MAX(x, axis): ArgMax gives int64; an int32 output gets a Cast. Order-preserving, so 8-bit data
// is compared as it is (scale > 0).
Status translate_arg_max(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, im.constant_ints(c, 1, "axis"));
  if (axis.size() != 1) return c.error("axis must be one integer");
  WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
  Attrs a = {{"axis", Attribute::of_int(axis[0])}, {"keepdims", Attribute::of_int(0)}};
  if (im.output_tensor(c, 0).type == tfl::kInt64) return im.emit(c, "ArgMax", {x}, a);
  ValueId y = im.add("ArgMax", c.name + "/int64", {x}, a);
  return im.emit(c, "Cast", {y}, {{"to", Attribute::of_int(onnx_dtype(DataType::kInt32))}});
}

Status translate_cast(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  const int8_t t = im.output_tensor(c, 0).type;
  DataType to = t == tfl::kInt32   ? DataType::kInt32
                : t == tfl::kInt64 ? DataType::kInt64
                : t == tfl::kUInt8 ? DataType::kUInt8
                : t == tfl::kInt8  ? DataType::kInt8
                : t == tfl::kBool  ? DataType::kBool
                                   : DataType::kFloat32;
  WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
  return im.emit(c, "Cast", {x}, {{"to", Attribute::of_int(onnx_dtype(to))}});
}

// PACK(values...) along axis: Unsqueeze each, then Concat. UNPACK: Split, then Squeeze each.
Status translate_pack(Importer& im, OpContext& c) {
  WEBCNN_ASSIGN(int32_t axis, option<int32_t>(c, 1, "axis", 0));
  std::vector<ValueId> in;
  for (size_t i = 0; i < im.num_inputs(c); ++i) {
    WEBCNN_ASSIGN(ValueId v, im.input(c, i));
    in.push_back(im.add("Unsqueeze", c.name + "/expanded" + std::to_string(i),
                        {v, add_int64_constant(im.graph(), c.name + "/axes" + std::to_string(i), {axis})}));
  }
  if (in.empty()) return c.error("needs at least one input");
  return im.emit(c, "Concat", in, {{"axis", Attribute::of_int(axis)}});
}

Status translate_unpack(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  WEBCNN_ASSIGN(int32_t axis, option<int32_t>(c, 1, "axis", 0));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  const size_t n = c.op->outputs.size();
  std::vector<std::string> names;
  Node split;
  split.name = c.name + "/split";
  split.op = "Split";
  split.inputs = {x};
  split.attrs = {{"axis", Attribute::of_int(axis)}, {"num_outputs", Attribute::of_int(static_cast<int64_t>(n))}};
  for (size_t i = 0; i < n; ++i)
    split.outputs.push_back(im.graph().add_value(c.name + "/part" + std::to_string(i), im.graph().value(x).dtype));
  std::vector<ValueId> parts = split.outputs;
  im.graph().add_node(std::move(split));
  for (size_t i = 0; i < n; ++i) {
    const ValueId axes = add_int64_constant(im.graph(), c.name + "/axes" + std::to_string(i), {axis});
    WEBCNN_TRY(im.emit(c, "Squeeze", {parts[i], axes}, {}, i));
  }
  return Status::ok();
}

Status translate_expand_dims(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 2, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, im.constant_ints(c, 1, "axis"));
  WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
  return im.emit(c, "Unsqueeze", {x, add_int64_constant(im.graph(), c.name + "/axes", axis)});
}

// QUANTIZE: float → 8-bit is QuantizeLinear; 8-bit → 8-bit (a requantisation, e.g. uint8 input → int8)
// is DequantizeLinear → QuantizeLinear.
Status translate_quantize(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  const int32_t yi = c.op->outputs[0];
  const int8_t xt = im.input_tensor(c, 0).type;
  WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
  if (xt == tfl::kUInt8 || xt == tfl::kInt8) {  // a requantisation: through float
    const int32_t xi = im.input_index(c, 0);
    WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
    x = im.add("DequantizeLinear", c.name + "/dequantized", {x, xs, xz});
  } else if (xt != tfl::kFloat32) {
    return c.unsupported(std::string("QUANTIZE from ") + tflite::tensor_type_name(xt) + " is not supported");
  }
  WEBCNN_ASSIGN(ValueId ys, im.scale_of(c, yi));
  WEBCNN_ASSIGN(ValueId yz, im.zero_point_of(c, yi));
  OpContext plain = c;
  plain.generic = false;  // this node is the quantisation itself
  return im.emit(plain, "QuantizeLinear", {x, ys, yz});
}

// DEQUANTIZE: DequantizeLinear; a float16 input (widened to float32 at import) needs nothing.
Status translate_dequantize(Importer& im, OpContext& c) {
  WEBCNN_TRY(im.need_inputs(c, 1, 1));
  const tfl::Tensor& in = im.input_tensor(c, 0);
  if (in.type == tfl::kFloat16 || in.type == tfl::kFloat32) {
    WEBCNN_ASSIGN(ValueId x, im.input(c, 0));
    return im.alias(c, 0, x);
  }
  const int32_t xi = im.input_index(c, 0);
  WEBCNN_ASSIGN(ValueId x, im.raw_input(c, 0));
  WEBCNN_ASSIGN(ValueId xs, im.scale_of(c, xi));
  WEBCNN_ASSIGN(ValueId xz, im.zero_point_of(c, xi));
  Attrs a;
  if (in.quant.scale.size() > 1) a["axis"] = Attribute::of_int(in.quant.quantized_dimension);
  return im.emit(c, "DequantizeLinear", {x, xs, xz}, a);
}

// Builtins with a translation, and how 8-bit data goes through them.
enum class Quant { kNative, kPassthrough, kGeneric };
struct Mapping {
  Translator fn;
  Quant quant;
};

const std::map<int32_t, Mapping>& translators() {
  static const std::map<int32_t, Mapping> t = [] {
    std::map<int32_t, Mapping> m;
    m[tfl::kConv2D] = m[tfl::kDepthwiseConv2D] = {translate_conv, Quant::kNative};
    m[tfl::kTransposeConv] = {translate_transpose_conv, Quant::kGeneric};
    m[tfl::kFullyConnected] = {translate_fully_connected, Quant::kNative};
    m[tfl::kAdd] = m[tfl::kMul] = m[tfl::kSub] = {translate_binary, Quant::kNative};
    m[tfl::kDiv] = m[tfl::kMaximum] = m[tfl::kMinimum] = m[tfl::kFloorDiv] =
        m[tfl::kSquaredDifference] = {translate_binary, Quant::kGeneric};
    m[tfl::kAveragePool2D] = {translate_pool, Quant::kNative};
    m[tfl::kMaxPool2D] = {translate_pool, Quant::kNative};
    m[tfl::kMean] = {translate_reduce, Quant::kNative};
    m[tfl::kSum] = {translate_reduce, Quant::kGeneric};
    m[tfl::kReshape] = {translate_reshape, Quant::kPassthrough};
    m[tfl::kSqueeze] = {translate_squeeze, Quant::kPassthrough};
    m[tfl::kExpandDims] = {translate_expand_dims, Quant::kPassthrough};
    m[tfl::kSoftmax] = {translate_softmax, Quant::kNative};
    m[tfl::kLogistic] = m[tfl::kLeakyRelu] = {translate_unary, Quant::kNative};
    m[tfl::kRelu] = m[tfl::kRelu6] = m[tfl::kReluN1To1] = m[tfl::kTanh] = m[tfl::kHardSwish] = m[tfl::kExp] =
        m[tfl::kSqrt] = m[tfl::kRsqrt] = m[tfl::kFloor] = {translate_unary, Quant::kGeneric};
    m[tfl::kPrelu] = {translate_prelu, Quant::kGeneric};
    m[tfl::kConcatenation] = {translate_concat, Quant::kNative};
    m[tfl::kPad] = m[tfl::kPadV2] = {translate_pad, Quant::kPassthrough};
    m[tfl::kResizeBilinear] = m[tfl::kResizeNearestNeighbor] = {translate_resize, Quant::kPassthrough};
    m[tfl::kTranspose] = {translate_transpose, Quant::kPassthrough};
    m[tfl::kStridedSlice] = {translate_strided_slice, Quant::kPassthrough};
    m[tfl::kSlice] = {translate_slice, Quant::kPassthrough};
    m[tfl::kSplit] = {translate_split, Quant::kPassthrough};
    m[tfl::kGather] = {translate_gather, Quant::kPassthrough};
    m[tfl::kGatherNd] = {translate_gather_nd, Quant::kPassthrough};
    m[tfl::kPack] = {translate_pack, Quant::kPassthrough};
    m[tfl::kUnpack] = {translate_unpack, Quant::kPassthrough};
    m[tfl::kArgMax] = {translate_arg_max, Quant::kNative};
    m[tfl::kCast] = {translate_cast, Quant::kNative};
    m[tfl::kQuantize] = {translate_quantize, Quant::kNative};
    m[tfl::kDequantize] = {translate_dequantize, Quant::kNative};
    return m;
  }();
  return t;
}

// ----- Importer -----

Status Importer::need_inputs(const OpContext& c, size_t min, size_t max) const {
  const size_t n = c.op->inputs.size();
  if (n < min || n > max)
    return c.error("has " + std::to_string(n) + " inputs, expects " + std::to_string(min) +
                   (max != min ? " to " + std::to_string(max) : ""));
  for (size_t i = 0; i < min; ++i)
    if (c.op->inputs[i] < 0) return c.error("input " + std::to_string(i) + " is required");
  return Status::ok();
}

Result<DataType> Importer::dtype_of(int32_t t) const {
  switch (tensor(t).type) {
    case tfl::kFloat32:
    case tfl::kFloat16: return DataType::kFloat32;  // float16 constants are widened at import
    case tfl::kInt32: return DataType::kInt32;
    case tfl::kUInt8: return DataType::kUInt8;
    case tfl::kInt64: return DataType::kInt64;
    case tfl::kBool: return DataType::kBool;
    case tfl::kInt8: return DataType::kInt8;
  }
  return Status::error(StatusCode::kUnsupportedOp, tensor(t).describe(static_cast<size_t>(t)) + ": type " +
                                                       tfl::tensor_type_name(tensor(t).type) + " is not supported");
}

QuantParams Importer::quant_of(int32_t t) const {
  const tfl::Tensor& tt = tensor(t);
  QuantParams q;
  if (tt.type != tfl::kUInt8 && tt.type != tfl::kInt8) return q;
  q.scale = tt.quant.scale;
  for (int64_t z : tt.quant.zero_point) q.zero_point.push_back(static_cast<int32_t>(z));
  q.axis = tt.quant.quantized_dimension;
  return q;
}

ValueId Importer::make_value(int32_t t, DataType dtype) {
  std::string name = tensor(t).name.empty() ? "tensor_" + std::to_string(t) : tensor(t).name;
  if (!names_.insert(name).second) {
    name += "#" + std::to_string(t);
    names_.insert(name);
  }
  ValueId v = g_.add_value(name, dtype);
  g_.value(v).quant = quant_of(t);
  return v;
}

Result<Tensor> Importer::read_constant(int32_t t) const {
  const tfl::Tensor& tt = tensor(t);
  const std::string where = tt.describe(static_cast<size_t>(t));
  WEBCNN_ASSIGN(DataType dt, dtype_of(t));
  Shape shape = tfl_shape(tt);
  Result<int64_t> count = checked_num_elements(shape);
  if (!count.is_ok()) return invalid(where + ": " + count.status().message());
  // The buffer's size is checked before the tensor is allocated: a constant is never larger than the bytes
  // the file holds for it (a fuzzed shape asked for 4.8 GB here first).
  const tfl::Buffer& b = m_.buffers[tt.buffer];
  const size_t elem = tt.type == tfl::kFloat16 ? 2 : dtype_size(dt);
  const uint64_t want = static_cast<uint64_t>(count.value()) * elem;
  if (b.size != want)
    return invalid(where + ": buffer " + std::to_string(tt.buffer) + " holds " + std::to_string(b.size) +
                   " bytes, its shape " + shape_to_string(shape) + " of " + tfl::tensor_type_name(tt.type) + " needs " +
                   std::to_string(want));
  Result<Tensor> created = Tensor::create(dt, shape);
  if (!created.is_ok()) return invalid(where + ": " + created.status().message());
  Tensor out = std::move(created).value();
  if (tt.type == tfl::kFloat16) {
    float* dst = out.data<float>();
    for (int64_t i = 0; i < out.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, b.data + 2 * i, 2);
      dst[i] = half_to_float(h);
    }
  } else if (want) {
    std::memcpy(out.raw(), b.data, static_cast<size_t>(want));
  }
  return out;
}

Result<ValueId> Importer::value_of(const OpContext& c, int32_t t) {
  if (values_[static_cast<size_t>(t)] != kNoValue) return values_[static_cast<size_t>(t)];
  const tfl::Tensor& tt = tensor(t);
  if (tt.buffer != 0 && m_.buffers[tt.buffer].size != 0) {
    WEBCNN_ASSIGN(Tensor data, read_constant(t));
    ValueId v = make_value(t, data.dtype());
    g_.value(v).shape = data.shape();
    g_.value(v).has_shape = true;
    g_.value(v).constant = std::make_shared<const Tensor>(std::move(data));
    values_[static_cast<size_t>(t)] = v;
    return v;
  }
  return c.error("reads " + tt.describe(static_cast<size_t>(t)) +
                 ", which no earlier operator produces and which is neither a graph input nor a constant");
}

Result<ValueId> Importer::raw_input(const OpContext& c, size_t i) {
  if (i >= c.op->inputs.size() || c.op->inputs[i] < 0) return c.error("input " + std::to_string(i) + " is missing");
  return value_of(c, c.op->inputs[i]);
}

Result<ValueId> Importer::input(const OpContext& c, size_t i) {
  WEBCNN_ASSIGN(ValueId v, raw_input(c, i));
  const int32_t t = c.op->inputs[i];
  if (c.generic && tensor(t).type == tfl::kInt32 && !tensor(t).quant.scale.empty() && g_.value(v).constant) {
    // A quantised int32 bias of an op computed in float: real = scale[c] * q, folded here.
    const Tensor& q = *g_.value(v).constant;
    const std::vector<float>& scale = tensor(t).quant.scale;
    const int axis = tensor(t).quant.quantized_dimension;
    if (scale.size() > 1 &&
        (axis < 0 || axis >= q.rank() || q.shape()[static_cast<size_t>(axis)] != static_cast<int64_t>(scale.size())))
      return c.error(tensor(t).describe(static_cast<size_t>(t)) + ": scales do not match its shape");
    int64_t inner = 1;
    for (int d = axis + 1; d < q.rank(); ++d) inner *= q.shape()[static_cast<size_t>(d)];
    Tensor real(DataType::kFloat32, q.shape());
    for (int64_t k = 0; k < q.size(); ++k) {
      const size_t ch = scale.size() > 1 ? static_cast<size_t>((k / inner) % static_cast<int64_t>(scale.size())) : 0;
      real.data<float>()[k] = scale[ch] * static_cast<float>(q.data<int32_t>()[k]);
    }
    return g_.add_constant(unique_value_name(g_, g_.value(v).name + "/real"), std::move(real));
  }
  if (!c.generic || (tensor(t).type != tfl::kUInt8 && tensor(t).type != tfl::kInt8)) return v;
  WEBCNN_ASSIGN(ValueId s, scale_of(c, t));
  WEBCNN_ASSIGN(ValueId z, zero_point_of(c, t));
  Attrs a;
  if (tensor(t).quant.scale.size() > 1) a["axis"] = Attribute::of_int(tensor(t).quant.quantized_dimension);
  return add("DequantizeLinear", g_.value(v).name + "/dequantized", {v, s, z}, a);
}

Result<const Tensor*> Importer::constant(const OpContext& c, size_t i, const char* what) {
  if (i >= c.op->inputs.size() || c.op->inputs[i] < 0) return c.error(std::string(what) + " is missing");
  const int32_t t = c.op->inputs[i];
  auto it = constants_.find(t);
  if (it != constants_.end()) return it->second.get();
  const tfl::Tensor& tt = tensor(t);
  // A DEQUANTIZE of a float16 constant binds its output to the widened constant.
  const ValueId known = values_[static_cast<size_t>(t)];
  if (known != kNoValue && g_.value(known).constant) return g_.value(known).constant.get();
  if (tt.buffer == 0 || m_.buffers[tt.buffer].size == 0)
    return c.unsupported(std::string(what) + " (" + tt.describe(static_cast<size_t>(t)) + ") must be a constant");
  WEBCNN_ASSIGN(Tensor data, read_constant(t));
  auto p = std::make_shared<const Tensor>(std::move(data));
  constants_[t] = p;
  return p.get();
}

Result<std::vector<int64_t>> Importer::constant_ints(const OpContext& c, size_t i, const char* what) {
  WEBCNN_ASSIGN(const Tensor* t, constant(c, i, what));
  if (t->dtype() != DataType::kInt32 && t->dtype() != DataType::kInt64)
    return c.error(std::string(what) + " must be int32 or int64");
  return t->to_int64_vector();
}

Result<ValueId> Importer::weights(const OpContext& c, size_t i, const std::vector<int>& perm, const Shape&) {
  WEBCNN_ASSIGN(const Tensor* data, constant(c, i, "weights"));
  const int32_t t = c.op->inputs[i];
  const tfl::Tensor& tt = tensor(t);
  ValueId v = make_value(t, data->dtype());
  Tensor w = permuted(*data, perm);
  Value& val = g_.value(v);
  val.shape = w.shape();
  val.has_shape = true;
  val.constant = std::make_shared<const Tensor>(std::move(w));
  // The per-channel axis moves with the permutation.
  if (val.quant.per_channel()) {
    for (size_t k = 0; k < perm.size(); ++k)
      if (perm[k] == tt.quant.quantized_dimension) val.quant.axis = static_cast<int32_t>(k);
  }
  if (!c.generic || !is_8bit(data->dtype())) return v;
  WEBCNN_ASSIGN(ValueId s, scale_of(c, t));
  WEBCNN_ASSIGN(ValueId z, zero_point_of(c, t));
  Attrs a;
  if (val.quant.per_channel()) a["axis"] = Attribute::of_int(val.quant.axis);
  return add("DequantizeLinear", val.name + "/dequantized", {v, s, z}, a);
}

Result<ValueId> Importer::scale_of(const OpContext& c, int32_t t) {
  auto it = scales_.find(t);
  if (it != scales_.end()) return it->second;
  const tfl::Tensor& tt = tensor(t);
  const std::string where = tt.describe(static_cast<size_t>(t));
  if (tt.quant.scale.empty()) return c.error(where + " has no quantization parameters");
  for (float s : tt.quant.scale)
    if (!(s > 0) || !std::isfinite(s))
      return c.error(where + ": scale " + std::to_string(s) + " is not a positive number");
  Tensor s = tt.quant.scale.size() == 1 ? float_scalar_tensor(tt.quant.scale[0]) : float_tensor(tt.quant.scale);
  ValueId v = g_.add_constant(unique_value_name(g_, (tt.name.empty() ? "tensor" : tt.name) + "/scale"), std::move(s));
  scales_[t] = v;
  return v;
}

Result<ValueId> Importer::zero_point_of(const OpContext& c, int32_t t) {
  auto it = zero_points_.find(t);
  if (it != zero_points_.end()) return it->second;
  const tfl::Tensor& tt = tensor(t);
  const std::string where = tt.describe(static_cast<size_t>(t));
  if (tt.type != tfl::kUInt8 && tt.type != tfl::kInt8)
    return c.error(where + " is " + tfl::tensor_type_name(tt.type) + ", not an 8-bit quantised tensor");
  std::vector<int64_t> zp = tt.quant.zero_point;
  if (zp.empty()) zp.assign(std::max<size_t>(tt.quant.scale.size(), 1), 0);
  const bool u8 = tt.type == tfl::kUInt8;
  Shape shape = zp.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(zp.size())};
  Tensor z(u8 ? DataType::kUInt8 : DataType::kInt8, shape);
  for (size_t k = 0; k < zp.size(); ++k) {
    if (zp[k] < (u8 ? 0 : -128) || zp[k] > (u8 ? 255 : 127))
      return c.error(where + ": zero point " + std::to_string(zp[k]) + " does not fit its 8-bit type");
    if (u8) z.data<uint8_t>()[k] = static_cast<uint8_t>(zp[k]);
    else z.data<int8_t>()[k] = static_cast<int8_t>(zp[k]);
  }
  ValueId v =
      g_.add_constant(unique_value_name(g_, (tt.name.empty() ? "tensor" : tt.name) + "/zero_point"), std::move(z));
  zero_points_[t] = v;
  return v;
}

ValueId Importer::add(const std::string& op, const std::string& name, std::vector<ValueId> inputs, Attrs attrs) {
  Node n;
  n.name = unique_value_name(g_, name);
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  ValueId out = g_.add_value(n.name);
  n.outputs = {out};
  g_.add_node(std::move(n));
  return out;
}

Status Importer::bind_output(const OpContext& c, size_t out, ValueId v) {
  if (out >= c.op->outputs.size()) return c.error("has no output " + std::to_string(out));
  const int32_t t = c.op->outputs[out];
  if (t < 0) return c.error("output " + std::to_string(out) + " is absent");
  if (values_[static_cast<size_t>(t)] != kNoValue)
    return c.error("writes " + tensor(t).describe(static_cast<size_t>(t)) +
                   ", which is a constant, a graph input or another operator's output");
  values_[static_cast<size_t>(t)] = v;
  return Status::ok();
}

Status Importer::alias(const OpContext& c, size_t out, ValueId v) { return bind_output(c, out, v); }

Status Importer::emit(const OpContext& c, const std::string& op, std::vector<ValueId> inputs, Attrs attrs, size_t out) {
  if (out >= c.op->outputs.size() || c.op->outputs[out] < 0)
    return c.error("output " + std::to_string(out) + " is absent");
  const int32_t t = c.op->outputs[out];
  if (values_[static_cast<size_t>(t)] != kNoValue)
    return c.error("writes " + tensor(t).describe(static_cast<size_t>(t)) +
                   ", which is a constant, a graph input or another operator's output");
  WEBCNN_ASSIGN(DataType dt, dtype_of(t));
  const bool eight = is_8bit(dt) && !tensor(t).quant.scale.empty();
  Node n;
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  const bool requantise_after =
      eight && (c.generic || (c.passthrough && !c.op->inputs.empty() && c.op->inputs[0] >= 0 &&
                              (tensor(c.op->inputs[0]).quant.scale != tensor(t).quant.scale ||
                               tensor(c.op->inputs[0]).quant.zero_point != tensor(t).quant.zero_point)));
  if (!requantise_after) {
    ValueId v = make_value(t, dt);
    n.name = g_.value(v).name;
    n.outputs = {v};
    g_.add_node(std::move(n));
    values_[static_cast<size_t>(t)] = v;
    return Status::ok();
  }
  // The op computes in float (generic) or on input 0's 8-bit grid (passthrough); QuantizeLinear gives the
  // output tensor its own parameters.
  n.name = unique_value_name(g_, c.name + (c.generic ? "/float" : "/input_grid"));
  ValueId y = g_.add_value(n.name);
  n.outputs = {y};
  g_.add_node(std::move(n));
  if (c.passthrough) {
    const int32_t xi = c.op->inputs[0];
    WEBCNN_ASSIGN(ValueId xs, scale_of(c, xi));
    WEBCNN_ASSIGN(ValueId xz, zero_point_of(c, xi));
    y = add("DequantizeLinear", c.name + "/dequantized", {y, xs, xz});
  }
  WEBCNN_ASSIGN(ValueId ys, scale_of(c, t));
  WEBCNN_ASSIGN(ValueId yz, zero_point_of(c, t));
  if (tensor(t).quant.scale.size() > 1) return c.unsupported("a per-channel quantised activation is not supported");
  ValueId v = make_value(t, dt);
  Node q;
  q.name = g_.value(v).name;
  q.op = "QuantizeLinear";
  q.inputs = {y, ys, yz};
  q.outputs = {v};
  g_.add_node(std::move(q));
  values_[static_cast<size_t>(t)] = v;
  return Status::ok();
}

Status Importer::emit_all(const OpContext& c, const std::string& op, std::vector<ValueId> inputs, Attrs attrs) {
  // Multi-output ops here are data movement (Split): outputs keep the input's 8-bit grid; differing
  // output parameters are requantised one by one.
  Node n;
  n.name = c.name;
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  std::vector<ValueId> raw;
  for (size_t i = 0; i < c.op->outputs.size(); ++i) {
    ValueId v = g_.add_value(unique_value_name(g_, c.name + "/out" + std::to_string(i)));
    raw.push_back(v);
  }
  n.outputs = raw;
  g_.add_node(std::move(n));
  for (size_t i = 0; i < raw.size(); ++i) WEBCNN_TRY(emit(c, "Identity", {raw[i]}, {}, i));
  return Status::ok();
}

Status Importer::check_unsupported() const {
  std::map<std::string, int> unsupported;
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    const tfl::Operator& op = sg_.operators[i];
    if (op.opcode_index >= m_.operator_codes.size())
      return invalid("operator " + std::to_string(i) + ": opcode index " + std::to_string(op.opcode_index) +
                     " out of range (" + std::to_string(m_.operator_codes.size()) + " operator codes)");
    const tfl::OperatorCode& code = m_.operator_codes[op.opcode_index];
    if (code.builtin == tfl::kCustom) ++unsupported["custom op '" + code.custom_code + "'"];
    else if (!translators().count(code.builtin)) ++unsupported[tfl::builtin_name(code.builtin)];
  }
  if (unsupported.empty()) return Status::ok();
  std::string msg;
  for (const auto& [name, n] : unsupported)
    msg += (msg.empty() ? "" : ", ") + name + " (" + std::to_string(n) + (n == 1 ? " operator)" : " operators)");
  return Status::error(StatusCode::kUnsupportedOp, "unsupported TFLite ops: " + msg);
}

Status Importer::translate(OpContext& c) {
  const Mapping& mapping = translators().at(c.code);
  bool eight = false;
  for (int32_t t : c.op->inputs)
    if (t >= 0 && (tensor(t).type == tfl::kUInt8 || tensor(t).type == tfl::kInt8) && !tensor(t).quant.scale.empty())
      eight = true;
  for (int32_t t : c.op->outputs)
    if (t >= 0 && (tensor(t).type == tfl::kUInt8 || tensor(t).type == tfl::kInt8) && !tensor(t).quant.scale.empty())
      eight = true;
  if (eight) {
    c.generic = mapping.quant == Quant::kGeneric;
    c.passthrough = mapping.quant == Quant::kPassthrough;
    // An 8-bit input with a float output (a data-movement op would keep the type): go through float.
    if (c.passthrough && !c.op->inputs.empty() && c.op->inputs[0] >= 0 &&
        (tensor(c.op->inputs[0]).type != tensor(c.op->outputs[0]).type))
      c.passthrough = false, c.generic = true;
  }
  Status s = mapping.fn(*this, c);
  if (s.is_ok()) {
    for (size_t i = 0; i < c.op->outputs.size(); ++i)
      if (c.op->outputs[i] >= 0 && values_[static_cast<size_t>(c.op->outputs[i])] == kNoValue)
        return c.error("internal: output " + std::to_string(i) + " left unbound");
  }
  return s;
}

Result<Graph> Importer::run() {
  if (m_.version != 3) return invalid("TFLite schema version " + std::to_string(m_.version) + " (expected 3)");
  const size_t nt = sg_.tensors.size();
  // Indices between tables, before anything uses them.
  for (size_t i = 0; i < nt; ++i) {
    const tfl::Tensor& t = sg_.tensors[i];
    if (t.buffer >= m_.buffers.size())
      return invalid(t.describe(i) + ": buffer index " + std::to_string(t.buffer) + " out of range (" +
                     std::to_string(m_.buffers.size()) + " buffers)");
    for (int32_t d : t.shape)
      if (d < 0)
        return invalid(t.describe(i) + ": shape " + shape_to_string(tfl_shape(t)) + " has a negative dimension");
    const bool eight = t.type == tfl::kUInt8 || t.type == tfl::kInt8;
    if (eight && !t.quant.scale.empty()) {
      const size_t ns = t.quant.scale.size();
      if (!t.quant.zero_point.empty() && t.quant.zero_point.size() != ns)
        return invalid(t.describe(i) + ": " + std::to_string(ns) + " scales but " +
                       std::to_string(t.quant.zero_point.size()) + " zero points");
      if (ns > 1 &&
          (t.quant.quantized_dimension < 0 || static_cast<size_t>(t.quant.quantized_dimension) >= t.shape.size() ||
           t.shape[static_cast<size_t>(t.quant.quantized_dimension)] != static_cast<int32_t>(ns)))
        return invalid(t.describe(i) + ": " + std::to_string(ns) + " scales do not match dimension " +
                       std::to_string(t.quant.quantized_dimension) + " of its shape " + shape_to_string(tfl_shape(t)));
    }
  }
  auto check_index = [&](int32_t t, const std::string& what) -> Status {
    if (t < 0 || static_cast<size_t>(t) >= nt)
      return invalid(what + ": tensor index " + std::to_string(t) + " out of range (" + std::to_string(nt) +
                     " tensors)");
    return Status::ok();
  };
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    const tfl::Operator& op = sg_.operators[i];
    for (int32_t t : op.inputs)
      if (t != -1) WEBCNN_TRY(check_index(t, "operator " + std::to_string(i) + " input"));
    for (int32_t t : op.outputs) WEBCNN_TRY(check_index(t, "operator " + std::to_string(i) + " output"));
  }
  WEBCNN_TRY(check_unsupported());

  for (size_t k = 0; k < sg_.inputs.size(); ++k) {
    const int32_t t = sg_.inputs[k];
    WEBCNN_TRY(check_index(t, "subgraph input " + std::to_string(k)));
    const tfl::Tensor& tt = tensor(t);
    if (tt.buffer != 0 && m_.buffers[tt.buffer].size != 0)
      return invalid("subgraph input " + std::to_string(k) + " (" + tt.describe(static_cast<size_t>(t)) +
                     ") is also a constant");
    if (values_[static_cast<size_t>(t)] != kNoValue)
      return invalid("subgraph input " + std::to_string(k) + " (" + tt.describe(static_cast<size_t>(t)) +
                     ") is listed twice");
    if (tt.type == tfl::kFloat16)
      return Status::error(StatusCode::kUnsupportedOp,
                           tt.describe(static_cast<size_t>(t)) + ": float16 inputs are not supported");
    WEBCNN_ASSIGN(DataType dt, dtype_of(t));
    ValueId v = make_value(t, dt);
    Shape shape = tfl_shape(tt);
    // A free batch (shape_signature -1 at dim 0) stays 1: the graph's constants (reshape targets) assume it.
    g_.value(v).shape = shape;
    g_.value(v).has_shape = true;
    values_[static_cast<size_t>(t)] = v;
    g_.inputs.push_back(v);
  }
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    OpContext c;
    c.index = i;
    c.op = &sg_.operators[i];
    c.code = m_.operator_codes[c.op->opcode_index].builtin;
    c.name = c.op->outputs.empty() ? "op" + std::to_string(i) : tensor(c.op->outputs[0]).name;
    if (c.op->outputs.empty()) return c.error("has no outputs");
    WEBCNN_TRY(translate(c));
  }
  for (size_t k = 0; k < sg_.outputs.size(); ++k) {
    const int32_t t = sg_.outputs[k];
    WEBCNN_TRY(check_index(t, "subgraph output " + std::to_string(k)));
    ValueId v = values_[static_cast<size_t>(t)];
    if (v == kNoValue)
      return invalid("subgraph output " + std::to_string(k) + " (" + tensor(t).describe(static_cast<size_t>(t)) +
                     ") is produced by no operator");
    g_.outputs.push_back(v);
  }
  if (g_.outputs.empty()) return invalid("the subgraph has no outputs");
  return std::move(g_);
}

}  // namespace

Result<Graph> import_tflite(const uint8_t* data, size_t size) {
  Result<tflite::Model> m = tflite::read_model(data, size);
  if (!m.is_ok()) return m.status().with_default_code(StatusCode::kInvalidModel).with_context("TFLite");
  Importer im(m.value());
  Result<Graph> g = im.run();
  if (!g.is_ok()) return g.status().with_default_code(StatusCode::kInvalidModel).with_context("TFLite");
  return g;
}

}  // namespace webcnn
