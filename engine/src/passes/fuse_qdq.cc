// fuse_qdq: ONNX "QDQ" quantized models (what onnxruntime's quantizer writes) compute in float between
// DequantizeLinear and QuantizeLinear nodes. This pass rewrites the patterns onnxruntime itself fuses
// into the 8-bit ops (ops/README.md "Quantized tensors"), so the int8 kernels run them:
//   DQ(x), DQ(w) [, DQ(b int32)] → Conv   [→ Relu | Clip] → Q  ⇒ QLinearConv
//   DQ(a), DQ(b)                 → MatMul [→ Relu | Clip] → Q  ⇒ QLinearMatMul (b a constant matrix)
//   DQ(a), DQ(b) [, DQ(c int32)] → Gemm   [→ Relu | Clip] → Q  ⇒ QGemm (alpha = 1, beta = 1)
//   DQ(a), DQ(b)                 → Add/Sub/Mul [→ Relu | Clip] → Q ⇒ QLinearAdd/QLinearSub/QLinearMul
//   DQ(x) → AveragePool / GlobalAveragePool / Sigmoid / LeakyRelu → Q ⇒ their QLinear* op
//   DQ(x) → MaxPool / Reshape / Transpose / Slice / Gather / Pad / nearest Resize / ... → Q with DQ's own
//     scale and zero point ⇒ the op on 8 bits
//   DQ(x_i) → Concat → Q with every input's parameters equal to Q's ⇒ Concat on 8 bits, else QLinearConcat
//   DQ(x) → Q ⇒ QLinearRequantize (a 256-entry table; also what TFLite imports produce for QUANTIZE)
// Conditions, so the result is the float path's up to rounding (within one unit of the output scale):
// scales and zero points are constants, per tensor except the weights' (per output channel along the
// axis the kernel packs by), data 8-bit; the float intermediate (the Conv's output, the Relu's) has no
// reader but the next node of the pattern and is no graph output. A DQ read elsewhere too stays for those
// readers (onnxruntime duplicates such DQs instead). A Relu before Q is exact: Q(relu(x)) = max(Q(x), zp);
// a Clip too, Q being monotonic, unless a bound quantises to an exact tie (the kernels round bounds half
// away from zero, QuantizeLinear half to even): then it is left as it is. An int32 bias whose DQ scale is
// not s_x·s_w[c] (onnxruntime's quantizer always writes that) is re-expressed in s_x·s_w[c] units; a
// float bias is not fused (neither does onnxruntime).
#include <algorithm>
#include <cmath>
#include <limits>

#include "graph/constants.h"
#include "ops/kernel.h"
#include "passes/graph_edit.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"

namespace webcnn {

namespace {

bool is_8bit_type(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// A DequantizeLinear's (or QuantizeLinear's) parameters when they are constants.
struct Quant {
  ValueId data = kNoValue;   // DQ: the quantized input; Q: the quantized output
  ValueId scale = kNoValue;  // float32 constant
  ValueId zp = kNoValue;     // constant of the data's type, or absent (0)
  DataType type = DataType::kUInt8;
  std::vector<float> scales;
  std::vector<int32_t> zps;  // as many as scales
  int64_t axis = 1;          // normalised; meaningful when scales.size() > 1
  bool per_tensor() const { return scales.size() == 1; }
};

bool same_params(const Quant& a, const Quant& b) {
  return a.per_tensor() && b.per_tensor() && a.type == b.type && a.scales == b.scales && a.zps == b.zps;
}

// Reads scale / zero point inputs 1 and 2 of a Q or DQ node for data of `type` and `rank`.
Result<bool> read_params(const Graph& g, const Node& n, DataType type, size_t rank, Quant& q) {
  if (n.inputs.size() < 2 || n.inputs.size() > 3 || n.outputs.size() != 1) return false;
  if (n.has_attr("block_size")) {
    WEBCNN_ASSIGN(int64_t block, n.attr_int("block_size", 0));
    if (block != 0) return false;
  }
  q.type = type;
  q.scale = n.inputs[1];
  q.zp = n.inputs.size() > 2 ? n.inputs[2] : kNoValue;
  if (q.scale == kNoValue) return false;
  const Value& s = g.value(q.scale);
  if (!s.constant || s.dtype != DataType::kFloat32 || s.constant->size() < 1 || s.constant->rank() > 1) return false;
  q.scales.assign(s.constant->data<float>(), s.constant->data<float>() + s.constant->size());
  for (float v : q.scales)
    if (!(v > 0) || !std::isfinite(v)) return false;
  q.zps.assign(q.scales.size(), 0);
  if (q.zp != kNoValue) {
    const Value& z = g.value(q.zp);
    if (!z.constant || z.dtype != type || z.constant->size() != s.constant->size()) return false;
    for (size_t i = 0; i < q.zps.size(); ++i)
      q.zps[i] = type == DataType::kInt8 ? z.constant->data<int8_t>()[i] : z.constant->data<uint8_t>()[i];
  }
  if (q.per_tensor()) return true;  // `axis` (default 1) means nothing then, even for data of rank < 2
  WEBCNN_ASSIGN(int64_t axis, n.attr_int("axis", 1));
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return false;
  q.axis = axis < 0 ? axis + r : axis;
  return true;
}

struct Maps {
  std::vector<int> producer;
  std::vector<std::vector<size_t>> readers;
};

// The DequantizeLinear producing v, with constant parameters and 8-bit (or, for biases, int32) data.
Result<bool> dequantized(const Graph& g, const Maps& m, ValueId v, Quant& q, bool int32_data = false) {
  if (v == kNoValue) return false;
  const int p = m.producer[static_cast<size_t>(v)];
  if (p < 0) return false;
  const Node& dq = g.nodes[static_cast<size_t>(p)];
  if (dq.op != "DequantizeLinear" || dq.inputs.empty() || dq.inputs[0] == kNoValue) return false;
  q.data = dq.inputs[0];
  const Value& x = g.value(q.data);
  if (!x.has_shape) return false;
  if (int32_data ? x.dtype != DataType::kInt32 : !is_8bit_type(x.dtype)) return false;
  return read_params(g, dq, x.dtype, x.shape.size(), q);
}

// A value read only by node `reader` and no graph output.
bool only_read_by(const Graph& g, const Maps& m, ValueId v, size_t reader) {
  const auto& r = m.readers[static_cast<size_t>(v)];
  return r.size() == 1 && r[0] == reader && !graph_edit::is_graph_output(g, v);
}

// A scalar constant of an 8-bit type (an absent zero point made explicit: the QLinear ops' output type is
// their y_zero_point's; an 8-bit Pad's constant).
ValueId zero_point_constant(Graph& g, const std::string& base, DataType type, int32_t value) {
  Tensor t(type, {});
  if (type == DataType::kInt8) t.data<int8_t>()[0] = static_cast<int8_t>(value);
  else t.data<uint8_t>()[0] = static_cast<uint8_t>(value);
  return g.add_constant(unique_value_name(g, base), std::move(t));
}

// True when Q(bound) ties: bound / scale lies exactly halfway between two integers.
bool quantises_to_tie(float bound, float scale) {
  if (!std::isfinite(bound)) return false;
  const float r = bound / scale;
  return std::fabs(r - std::floor(r) - 0.5f) == 0.0f;
}

// The fused_activation attributes for a Relu/Clip node between the op and Q, or false.
Result<bool> clamp_attrs(const Graph& g, const Node& act, const Quant& y, std::map<std::string, Attribute>& attrs) {
  if (act.op != "Relu" && act.op != "Clip") return false;
  const OpTraits::ActivationFuser fuse = OpRegistry::global().traits(act.op).fuse_as_activation;
  if (!fuse) return false;
  WEBCNN_ASSIGN(bool ok, fuse(g, act, attrs));
  if (!ok) return false;
  if (act.op == "Clip") {
    const float lo = attrs["fused_min"].f, hi = attrs["fused_max"].f;
    if (std::isnan(lo) || std::isnan(hi)) return false;
    if (quantises_to_tie(lo, y.scales[0]) || quantises_to_tie(hi, y.scales[0])) return false;
  }
  return true;
}

// The quantized output of a pattern: a QuantizeLinear with per-tensor constant parameters.
Result<bool> quantized_output(const Graph& g, const Node& qn, Quant& y) {
  if (qn.op != "QuantizeLinear" || qn.inputs.empty() || qn.inputs[0] == kNoValue || qn.outputs.size() != 1 ||
      qn.outputs[0] == kNoValue)
    return false;
  const Value& out = g.value(qn.outputs[0]);
  if (!is_8bit_type(out.dtype) || !g.value(qn.inputs[0]).has_shape) return false;
  WEBCNN_ASSIGN(bool ok, read_params(g, qn, out.dtype, g.value(qn.inputs[0]).shape.size(), y));
  if (!ok || !y.per_tensor()) return false;
  y.data = qn.outputs[0];
  return true;
}

// A weight DQ: constant 8-bit data, per tensor or per channel along `axis` with `channels` entries.
Result<bool> dequantized_weight(const Graph& g, const Maps& m, ValueId v, int64_t axis, int64_t channels, Quant& w) {
  WEBCNN_ASSIGN(bool ok, dequantized(g, m, v, w));
  if (!ok || !g.value(w.data).constant) return false;
  return w.per_tensor() || (w.axis == axis && static_cast<int64_t>(w.scales.size()) == channels);
}

// An int32 bias DQ'd with zero point 0, as an int32 constant in units of s_x·s_w[c] (the DQ's own data when
// its scale already is that, else a rescaled copy). kNoValue when it cannot be expressed.
Result<ValueId> bias_in_accumulator_units(Graph& g, const Maps& m, ValueId v, float x_scale, const Quant& w,
                                          int64_t channels, const std::string& base) {
  Quant b;
  WEBCNN_ASSIGN(bool ok, dequantized(g, m, v, b, /*int32_data=*/true));
  if (!ok) return kNoValue;
  const Value& data = g.value(b.data);
  if (!data.constant || data.constant->size() != channels || data.shape.size() != 1) return kNoValue;
  if (!b.per_tensor() && static_cast<int64_t>(b.scales.size()) != channels) return kNoValue;
  for (int32_t z : b.zps)
    if (z != 0) return kNoValue;
  const int32_t* src = data.constant->data<int32_t>();
  bool same = true;
  std::vector<double> ratio(static_cast<size_t>(channels));
  for (size_t c = 0; c < ratio.size(); ++c) {
    const float want = x_scale * w.scales[w.per_tensor() ? 0 : c];
    const float have = b.scales[b.per_tensor() ? 0 : c];
    ratio[c] = static_cast<double>(have) / static_cast<double>(want);
    if (std::fabs(have - want) > 1e-6f * want) same = false;
  }
  if (same) return b.data;
  Tensor t(DataType::kInt32, {channels});
  for (size_t c = 0; c < ratio.size(); ++c) {
    const double r = std::nearbyint(static_cast<double>(src[c]) * ratio[c]);
    if (!(std::fabs(r) <= static_cast<double>(std::numeric_limits<int32_t>::max()))) return kNoValue;
    t.data<int32_t>()[c] = static_cast<int32_t>(r);
  }
  return g.add_constant(unique_value_name(g, base + "/bias_q"), std::move(t));
}

// Whether the 8-bit op's kernel takes the rewritten node (its prepare() on the graph's shapes and
// constants): a model the float path runs must not stop loading because an 8-bit kernel lacks a case
// (a 1-D conv, an attribute it refuses).
bool kernel_accepts(const Graph& g, const Node& node) {
  auto kernel = create_kernel(node);
  if (!kernel.is_ok()) return false;
  std::vector<ValueInfo> in = input_value_infos(g, node);
  std::vector<ValueInfo> out(node.outputs.size());
  for (ValueInfo& o : out) o.present = true;
  return (*kernel)->prepare(node, in, out).is_ok();
}

// The 8-bit ops whose output keeps the input's scale and zero point (ops/README.md), input 0 the data.
// Pad and Resize only in their data-moving forms (data_movement checks).
bool keeps_quantization(const std::string& op) {
  return op == "MaxPool" || op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Transpose" || op == "DepthToSpace" || op == "SpaceToDepth" || op == "Identity" || op == "Slice" ||
         op == "Gather" || op == "Pad" || op == "Resize";
}

// Unary ops with a QLinear twin of inputs (X, x_scale, x_zp, y_scale, y_zp) and the same attributes.
const char* qlinear_unary_of(const std::string& op) {
  if (op == "AveragePool") return "QLinearAveragePool";
  if (op == "GlobalAveragePool") return "QLinearGlobalAveragePool";
  if (op == "Sigmoid") return "QLinearSigmoid";
  if (op == "LeakyRelu") return "QLinearLeakyRelu";
  return nullptr;
}

class QdqFuser {
 public:
  explicit QdqFuser(Graph& g) : g_(g) {
    m_.producer = graph_edit::producers(g);
    m_.readers = g.consumers();
    erase_.assign(g.nodes.size(), false);
  }

  Status run() {
    const size_t count = g_.nodes.size();
    for (size_t i = 0; i < count; ++i) {
      if (g_.nodes[i].op != "QuantizeLinear") continue;
      WEBCNN_TRY(try_fuse(i));
    }
    graph_edit::erase_nodes(g_, erase_);
    drop_unread_dequantizes();
    // The DequantizeLinears of constants no pattern took (infer_shapes_and_fold_constants kept them for
    // this pass) become the float constants the other passes and the float kernels expect.
    return fold_constant_nodes(g_);
  }

 private:
  // Q node q_index: finds the op (and a Relu/Clip) above it and rewrites the pattern when it fits.
  Status try_fuse(size_t q_index) {
    Quant y;
    WEBCNN_ASSIGN(bool ok, quantized_output(g_, g_.nodes[q_index], y));
    if (!ok) return Status::ok();
    const ValueId t = g_.nodes[q_index].inputs[0];
    int core = m_.producer[static_cast<size_t>(t)];
    if (core < 0 || erase_[static_cast<size_t>(core)] || !only_read_by(g_, m_, t, q_index)) return Status::ok();
    int act = -1;
    std::map<std::string, Attribute> act_attrs;
    {
      const Node& n = g_.nodes[static_cast<size_t>(core)];
      if (n.op == "Relu" || n.op == "Clip") {
        WEBCNN_ASSIGN(bool fusable, clamp_attrs(g_, n, y, act_attrs));
        if (!fusable || n.inputs.empty() || n.inputs[0] == kNoValue) return Status::ok();
        const ValueId u = n.inputs[0];
        const int below = m_.producer[static_cast<size_t>(u)];
        if (below < 0 || erase_[static_cast<size_t>(below)] || !only_read_by(g_, m_, u, static_cast<size_t>(core)))
          return Status::ok();
        act = core;
        core = below;
      }
    }
    const Node& op = g_.nodes[static_cast<size_t>(core)];
    if (op.outputs.size() != 1 || op.has_attr("fused_activation")) return Status::ok();
    Node fused;
    bool done = false;
    if (op.op == "Conv") {
      WEBCNN_ASSIGN(done, conv(op, y, fused));
    } else if (op.op == "MatMul" || op.op == "Gemm") {
      WEBCNN_ASSIGN(done, gemm(op, y, fused));
    } else if (op.op == "Add" || op.op == "Sub" || op.op == "Mul") {
      WEBCNN_ASSIGN(done, binary(op, y, fused));
    } else if (act < 0 && op.op == "DequantizeLinear") {
      WEBCNN_ASSIGN(done, requantize(core, y, fused));
    } else if (act < 0 && qlinear_unary_of(op.op)) {
      WEBCNN_ASSIGN(done, unary(op, y, fused));
    } else if (act < 0 && (keeps_quantization(op.op) || op.op == "Concat")) {
      WEBCNN_ASSIGN(done, data_movement(op, y, fused));
      if (!done && op.op == "Concat") {
        WEBCNN_ASSIGN(done, concat(op, y, fused));
      }
    }
    if (!done) return Status::ok();
    for (auto& kv : act_attrs) fused.attrs[kv.first] = kv.second;
    fused.name = op.name;
    fused.outputs = {y.data};
    if (!kernel_accepts(g_, fused)) return Status::ok();
    g_.nodes[static_cast<size_t>(core)] = std::move(fused);
    erase_[q_index] = true;
    if (act >= 0) erase_[static_cast<size_t>(act)] = true;
    return Status::ok();
  }

  ValueId explicit_zp(const Quant& q) {
    if (q.zp != kNoValue) return q.zp;
    return zero_point_constant(g_, g_.value(q.scale).name + "/zero_point", q.type, 0);
  }

  // An activation input: per-tensor DQ.
  Result<bool> activation_input(ValueId v, Quant& q) {
    WEBCNN_ASSIGN(bool ok, dequantized(g_, m_, v, q));
    return ok && q.per_tensor();
  }

  Result<bool> conv(const Node& op, const Quant& y, Node& fused) {
    if (op.inputs.size() < 2 || op.inputs.size() > 3) return false;
    Quant x, w;
    WEBCNN_ASSIGN(bool ok, activation_input(op.inputs[0], x));
    if (!ok) return false;
    const ValueId w_dq = op.inputs[1];
    if (w_dq == kNoValue || !g_.value(w_dq).has_shape || g_.value(w_dq).shape.size() < 3) return false;
    const int64_t out_c = g_.value(w_dq).shape[0];
    WEBCNN_ASSIGN(ok, dequantized_weight(g_, m_, w_dq, 0, out_c, w));
    if (!ok) return false;
    ValueId bias = kNoValue;
    if (op.inputs.size() == 3 && op.inputs[2] != kNoValue) {
      WEBCNN_ASSIGN(bias, bias_in_accumulator_units(g_, m_, op.inputs[2], x.scales[0], w, out_c, op.name));
      if (bias == kNoValue) return false;
    }
    fused.op = "QLinearConv";
    fused.attrs = op.attrs;
    fused.inputs = {x.data, x.scale, explicit_zp(x), w.data, w.scale, explicit_zp(w), y.scale, explicit_zp(y)};
    if (bias != kNoValue) fused.inputs.push_back(bias);
    return true;
  }

  // MatMul (b a constant [K, N], per column along axis 1) and Gemm (per column of op(B)).
  Result<bool> gemm(const Node& op, const Quant& y, Node& fused) {
    const bool is_gemm = op.op == "Gemm";
    if (op.inputs.size() < 2 || op.inputs.size() > (is_gemm ? 3u : 2u)) return false;
    Quant a, b;
    WEBCNN_ASSIGN(bool ok, activation_input(op.inputs[0], a));
    if (!ok) return false;
    const size_t a_rank = g_.value(a.data).shape.size();
    if (is_gemm ? a_rank != 2 : a_rank < 2) return false;
    const ValueId b_dq = op.inputs[1];
    if (b_dq == kNoValue || !g_.value(b_dq).has_shape || g_.value(b_dq).shape.size() != 2) return false;
    int64_t trans_b = 0;
    if (is_gemm) {
      WEBCNN_ASSIGN(float alpha, op.attr_float("alpha", 1.0f));
      WEBCNN_ASSIGN(float beta, op.attr_float("beta", 1.0f));
      WEBCNN_ASSIGN(trans_b, op.attr_int("transB", 0));
      if (alpha != 1.0f || (op.inputs.size() == 3 && op.inputs[2] != kNoValue && beta != 1.0f)) return false;
    }
    const Shape& bs = g_.value(b_dq).shape;
    const int64_t n = trans_b ? bs[0] : bs[1];
    WEBCNN_ASSIGN(ok, dequantized_weight(g_, m_, b_dq, trans_b ? 0 : 1, n, b));
    if (!ok) return false;
    ValueId bias = kNoValue;
    if (is_gemm && op.inputs.size() == 3 && op.inputs[2] != kNoValue) {
      const Value& c = g_.value(op.inputs[2]);
      if (!c.has_shape || num_elements(c.shape) != n || c.shape.size() != 1) return false;
      WEBCNN_ASSIGN(bias, bias_in_accumulator_units(g_, m_, op.inputs[2], a.scales[0], b, n, op.name));
      if (bias == kNoValue) return false;
    }
    if (is_gemm) {
      fused.op = "QGemm";
      fused.attrs = op.attrs;
      fused.attrs.erase("beta");
      fused.inputs = {a.data, a.scale, explicit_zp(a), b.data, b.scale, explicit_zp(b), bias, y.scale, explicit_zp(y)};
    } else {
      fused.op = "QLinearMatMul";
      fused.inputs = {a.data, a.scale, explicit_zp(a), b.data, b.scale, explicit_zp(b), y.scale, explicit_zp(y)};
    }
    return true;
  }

  // Add / Sub / Mul → QLinearAdd / QLinearSub (A − B) / QLinearMul.
  Result<bool> binary(const Node& op, const Quant& y, Node& fused) {
    if (op.inputs.size() != 2) return false;
    Quant a, b;
    WEBCNN_ASSIGN(bool ok, activation_input(op.inputs[0], a));
    if (!ok) return false;
    WEBCNN_ASSIGN(ok, activation_input(op.inputs[1], b));
    if (!ok || a.type != y.type || b.type != y.type) return false;
    fused.op = "QLinear" + op.op;
    fused.inputs = {a.data, a.scale, explicit_zp(a), b.data, b.scale, explicit_zp(b), y.scale, explicit_zp(y)};
    return true;
  }

  Result<bool> unary(const Node& op, const Quant& y, Node& fused) {
    if (op.inputs.size() != 1) return false;
    Quant x;
    WEBCNN_ASSIGN(bool ok, activation_input(op.inputs[0], x));
    if (!ok || x.type != y.type) return false;
    fused.op = qlinear_unary_of(op.op);
    fused.attrs = op.attrs;
    fused.inputs = {x.data, x.scale, explicit_zp(x), y.scale, explicit_zp(y)};
    return true;
  }

  // DQ → Q directly (TFLite's 8-bit QUANTIZE, an op's output requantised): one table lookup per element.
  Result<bool> requantize(int dq_index, const Quant& y, Node& fused) {
    Quant x;
    WEBCNN_ASSIGN(bool ok, dequantized(g_, m_, g_.nodes[static_cast<size_t>(dq_index)].outputs[0], x));
    if (!ok || !x.per_tensor()) return false;
    fused.op = "QLinearRequantize";
    fused.inputs = {x.data, x.scale, explicit_zp(x), y.scale, explicit_zp(y)};
    return true;
  }

  // DQ → op → Q with one set of parameters throughout: the op runs on the 8-bit data (Q(DQ(q)) = q).
  // Resize only as nearest-neighbour (no arithmetic); Pad's constant c becomes Q(c), which is what the
  // float path's Q makes of the padding.
  Result<bool> data_movement(const Node& op, const Quant& y, Node& fused) {
    if (op.inputs.empty()) return false;
    if (op.op == "Resize") {
      WEBCNN_ASSIGN(std::string mode, op.attr_string("mode", "nearest"));
      WEBCNN_ASSIGN(std::string transform, op.attr_string("coordinate_transformation_mode", "half_pixel"));
      if (mode != "nearest" || transform == "tf_crop_and_resize") return false;
    }
    float pad_value = 0;
    if (op.op == "Pad" && op.inputs.size() > 2 && op.inputs[2] != kNoValue) {
      const Value& c = g_.value(op.inputs[2]);
      if (!c.constant || c.dtype != DataType::kFloat32 || c.constant->size() != 1) return false;
      pad_value = c.constant->data<float>()[0];
      if (!std::isfinite(pad_value)) return false;
    }
    const size_t data_inputs = op.op == "Concat" ? op.inputs.size() : 1;
    fused = op;
    for (size_t i = 0; i < data_inputs; ++i) {
      Quant x;
      WEBCNN_ASSIGN(bool ok, activation_input(op.inputs[i], x));
      if (!ok || !same_params(x, y)) return false;
      fused.inputs[i] = x.data;
    }
    if (op.op == "Pad") {
      WEBCNN_ASSIGN(std::string mode, op.attr_string("mode", "constant"));
      if (mode == "constant") {
        const float q = std::nearbyint(pad_value / y.scales[0]) + static_cast<float>(y.zps[0]);
        const float lo = y.type == DataType::kInt8 ? -128.0f : 0.0f, hi = y.type == DataType::kInt8 ? 127.0f : 255.0f;
        fused.inputs.resize(std::max<size_t>(fused.inputs.size(), 3), kNoValue);
        fused.inputs[2] = zero_point_constant(g_, op.name + "/pad_value", y.type,
                                              static_cast<int32_t>(std::min(std::max(q, lo), hi)));
      }
    }
    return true;
  }

  // Concat of inputs with other parameters than Q's → QLinearConcat (requantises those inputs).
  Result<bool> concat(const Node& op, const Quant& y, Node& fused) {
    fused = Node();
    fused.op = "QLinearConcat";
    fused.attrs = op.attrs;
    fused.inputs = {y.scale, explicit_zp(y)};
    for (ValueId v : op.inputs) {
      Quant x;
      WEBCNN_ASSIGN(bool ok, activation_input(v, x));
      if (!ok || x.type != y.type) return false;
      fused.inputs.insert(fused.inputs.end(), {x.data, x.scale, explicit_zp(x)});
    }
    return true;
  }

  // DQ nodes the rewrites left without readers.
  void drop_unread_dequantizes() {
    const std::vector<std::vector<size_t>> readers = g_.consumers();
    std::vector<bool> erase(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = g_.nodes[i];
      if (n.op != "DequantizeLinear" || n.outputs.size() != 1 || n.outputs[0] == kNoValue) continue;
      erase[i] = readers[static_cast<size_t>(n.outputs[0])].empty() && !graph_edit::is_graph_output(g_, n.outputs[0]);
    }
    graph_edit::erase_nodes(g_, erase);
  }

  Graph& g_;
  Maps m_;
  std::vector<bool> erase_;
};

}  // namespace

Status fuse_qdq(Graph& graph) { return QdqFuser(graph).run(); }

}  // namespace webcnn
