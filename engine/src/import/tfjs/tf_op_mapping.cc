// TensorFlow op → engine ops (ONNX-opset-18 semantics, ops/README.md). Only translation happens here:
// weight re-layouts (HWIO → OIHW, ...) are Transpose/Reshape nodes on constants, which constant folding
// evaluates at plan time. Ops that are one engine op under another name are rows of renames(); the ones
// that need real translation (weight layouts, fused ops, attribute → input rewrites) have code below.
#include <functional>
#include <set>

#include "graph/constants.h"
#include "import/tfjs/tf_graph_builder.h"
#include "ops/kernel.h"

namespace webcnn {
namespace tfjs {

namespace {

using Attrs = std::map<std::string, Attribute>;

// ONNX TensorProto data type numbers, as Cast's "to" attribute takes them.
int64_t onnx_dtype(DataType t) {
  switch (t) {
    case DataType::kFloat32: return 1;
    case DataType::kUInt8: return 2;
    case DataType::kInt32: return 6;
    case DataType::kInt64: return 7;
    case DataType::kBool: return 9;
    case DataType::kFloat64: return 11;
    case DataType::kInt8: return 3;
  }
  return 0;
}

// Binds the single output of `node` to `v`.
Status bind1(GraphBuilder& b, const TfNode& node, ValueId v) {
  b.bind(node.name, v);
  return Status::ok();
}

// Engine node whose output value carries the TF node's name (so graph outputs keep TF names).
Status emit1(GraphBuilder& b, const TfNode& node, const std::string& op, std::vector<ValueId> in, Attrs attrs = {}) {
  return bind1(b, node, b.add1(op, node.name, std::move(in), std::move(attrs)));
}

Result<std::vector<ValueId>> all_inputs(GraphBuilder& b, const TfNode& node, size_t n) {
  if (node.inputs.size() != n)
    return node.error("expects " + std::to_string(n) + " inputs, has " + std::to_string(node.inputs.size()));
  std::vector<ValueId> v;
  for (size_t i = 0; i < n; ++i) {
    WEBCNN_ASSIGN(ValueId id, b.input(node, i));
    v.push_back(id);
  }
  return v;
}

Status check_nhwc(const TfNode& node) {
  WEBCNN_ASSIGN(std::string fmt, node.attr_string("data_format", "NHWC"));
  if (fmt != "NHWC") return node.error("data_format '" + fmt + "' is not supported (TF.js graphs are NHWC)");
  return Status::ok();
}

// [1, a, b, 1] (NHWC strides/ksize/dilations) → [a, b]; error when the N or C entry is not 1.
Result<std::vector<int64_t>> spatial_of(const TfNode& node, const std::string& key, int64_t def) {
  WEBCNN_ASSIGN(std::vector<int64_t> v, node.attr_ints(key));
  if (v.empty()) return std::vector<int64_t>{def, def};
  if (v.size() != 4 || v[0] != 1 || v[3] != 1) return node.error("attribute '" + key + "' should be [1, h, w, 1]");
  if (v[1] < 1 || v[2] < 1) return node.error("attribute '" + key + "' must be positive");
  return std::vector<int64_t>{v[1], v[2]};
}

// padding SAME / VALID / EXPLICIT → auto_pad or ONNX pads [h_begin, w_begin, h_end, w_end].
Status add_padding_attrs(const TfNode& node, Attrs& a) {
  WEBCNN_ASSIGN(std::string padding, node.attr_string("padding", "VALID"));
  if (padding == "SAME") {
    a["auto_pad"] = Attribute::of_string("SAME_UPPER");  // TF puts the odd pixel at the end, as SAME_UPPER
  } else if (padding == "VALID") {
    a["auto_pad"] = Attribute::of_string("VALID");
  } else if (padding == "EXPLICIT") {
    WEBCNN_ASSIGN(std::vector<int64_t> p, node.attr_ints("explicit_paddings"));
    if (p.size() != 8 || p[0] || p[1] || p[6] || p[7])
      return node.error("explicit_paddings should be 8 values with zero batch/channel padding");
    for (int64_t x : p)
      if (x < 0) return node.error("explicit_paddings must not be negative");
    a["pads"] = Attribute::of_ints({p[2], p[4], p[3], p[5]});
  } else {
    return node.error("unknown padding '" + padding + "'");
  }
  return Status::ok();
}

Result<float> leaky_alpha(const TfNode& node) {
  // _Fused* ops spell it leakyrelu_alpha; LeakyRelu itself alpha. TF's default is 0.2.
  if (node.op == "LeakyRelu") return node.attr_float("alpha", 0.2f);
  return node.attr_float("leakyrelu_alpha", 0.2f);
}

// Applies activation `act` (a TF op name) to `x` as a separate engine node named `name`.
Result<ValueId> activation_node(GraphBuilder& b, const TfNode& node, const std::string& act, ValueId x,
                                const std::string& name, ValueId prelu_alpha) {
  if (act == "Relu") return b.add1("Relu", name, {x});
  if (act == "Relu6")
    return b.add1(
        "Clip", name,
        {x, add_float_scalar(b.graph(), name + "/min", 0.f), add_float_scalar(b.graph(), name + "/max", 6.f)});
  if (act == "Sigmoid") return b.add1("Sigmoid", name, {x});
  if (act == "Tanh") return b.add1("Tanh", name, {x});
  if (act == "Elu") return b.add1("Elu", name, {x}, {{"alpha", Attribute::of_float(1.f)}});
  if (act == "Selu") return b.add1("Selu", name, {x});
  if (act == "LeakyRelu") {
    WEBCNN_ASSIGN(float alpha, leaky_alpha(node));
    return b.add1("LeakyRelu", name, {x}, {{"alpha", Attribute::of_float(alpha)}});
  }
  if (act == "Prelu") {
    if (prelu_alpha == kNoValue) return node.error("Prelu needs an alpha argument");
    return b.add1("PRelu", name, {x, prelu_alpha});
  }
  return node.error("unsupported fused activation '" + act + "'");
}

// Sets Conv/Gemm fused_activation attributes when the engine op `act` becomes is one the op registry
// says the kernels fuse (OpTraits::fuse_as_activation); false for the others. The activation is built
// as activation_node() would build it, in a scratch graph that holds its constants (Relu6's bounds).
Result<bool> fused_activation_attrs(const TfNode& node, const std::string& act, Attrs& a) {
  Graph scratch;
  GraphBuilder sb(scratch);
  const ValueId x = scratch.add_value("x");
  WEBCNN_ASSIGN(ValueId y, activation_node(sb, node, act, x, "act", x));
  const Node& engine_act = scratch.nodes.back();
  if (engine_act.outputs.empty() || engine_act.outputs[0] != y) return node.error("internal error: activation node");
  const OpTraits::ActivationFuser fuse = OpRegistry::global().traits(engine_act.op).fuse_as_activation;
  if (!fuse) return false;
  return fuse(scratch, engine_act, a);
}

// The "fused_ops" of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul, split into what the
// arguments mean: a bias (BiasAdd), or batch-norm parameters (FusedBatchNorm), then an activation.
struct FusedOps {
  bool bias = false, batch_norm = false;
  std::string activation;  // "" or a TF op name
  std::vector<ValueId> args;
};

Result<FusedOps> read_fused_ops(GraphBuilder& b, const TfNode& node, size_t first_arg) {
  FusedOps f;
  WEBCNN_ASSIGN(std::vector<std::string> ops, node.attr_strings("fused_ops"));
  WEBCNN_ASSIGN(int64_t num_args, node.attr_int("num_args", 0));
  if (num_args < 0 || first_arg + static_cast<size_t>(num_args) != node.inputs.size())
    return node.error("num_args " + std::to_string(num_args) + " does not match its " +
                      std::to_string(node.inputs.size()) + " inputs");
  for (size_t i = first_arg; i < node.inputs.size(); ++i) {
    WEBCNN_ASSIGN(ValueId v, b.input(node, i));
    f.args.push_back(v);
  }
  size_t k = 0;
  if (k < ops.size() && ops[k] == "BiasAdd") {
    f.bias = true;
    ++k;
  } else if (k < ops.size() && (ops[k] == "FusedBatchNorm" || ops[k] == "FusedBatchNormV3")) {
    f.batch_norm = true;
    ++k;
  }
  if (k < ops.size()) f.activation = ops[k++];
  if (k != ops.size()) return node.error("unsupported fused_ops sequence");
  size_t want = (f.bias ? 1 : 0) + (f.batch_norm ? 4 : 0) + (f.activation == "Prelu" ? 1 : 0);
  if (f.args.size() != want)
    return node.error("fused_ops need " + std::to_string(want) + " arguments, node has " +
                      std::to_string(f.args.size()));
  return f;
}

// Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative → Conv (layout NHWC).
Status translate_conv(const TfNode& node, GraphBuilder& b) {
  WEBCNN_TRY(check_nhwc(node));
  bool depthwise = node.op.find("Depthwise") != std::string::npos;
  bool fused = node.op[0] == '_' || node.op.rfind("Fused", 0) == 0;
  WEBCNN_ASSIGN(ValueId x, b.input(node, 0));
  WEBCNN_ASSIGN(ValueId filter, b.input(node, 1));
  const Tensor* f = b.constant_input(node, 1);
  if (!f || f->rank() != 4) return node.error("the filter must be a constant of rank 4");
  Attrs a;
  a["layout"] = Attribute::of_string("NHWC");
  WEBCNN_ASSIGN(std::vector<int64_t> strides, spatial_of(node, "strides", 1));
  WEBCNN_ASSIGN(std::vector<int64_t> dilations, spatial_of(node, "dilations", 1));
  a["strides"] = Attribute::of_ints(strides);
  a["dilations"] = Attribute::of_ints(dilations);
  a["kernel_shape"] = Attribute::of_ints({f->shape()[0], f->shape()[1]});
  WEBCNN_TRY(add_padding_attrs(node, a));
  const std::string& n = node.name;
  ValueId w;
  if (depthwise) {  // [kH, kW, C, M] → [kH, kW, 1, C*M] → [C*M, 1, kH, kW], one group per input channel
    const Shape& s = f->shape();
    ValueId flat =
        b.add1("Reshape", n + "/filter_hw1o",
               {filter, add_int64_constant(b.graph(), n + "/filter_hw1o_shape", {s[0], s[1], 1, s[2] * s[3]})});
    w = b.add1("Transpose", n + "/filter_oihw", {flat}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
    a["group"] = Attribute::of_int(s[2]);
  } else {  // HWIO → OIHW
    w = b.add1("Transpose", n + "/filter_oihw", {filter}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
  }
  std::vector<ValueId> in = {x, w};
  if (!fused) return emit1(b, node, "Conv", in, a);

  WEBCNN_ASSIGN(FusedOps ops, read_fused_ops(b, node, 2));
  if (ops.bias) in.push_back(ops.args[0]);
  ValueId prelu_alpha = ops.activation == "Prelu" ? ops.args.back() : kNoValue;
  if (ops.batch_norm) {
    WEBCNN_ASSIGN(float eps, node.attr_float("epsilon", 1e-3f));
    ValueId conv = b.add1("Conv", n + "/conv", in, a);
    std::string bn_name = ops.activation.empty() ? n : n + "/batch_norm";
    ValueId bn = b.add1("BatchNormalization", bn_name, {conv, ops.args[0], ops.args[1], ops.args[2], ops.args[3]},
                        {{"epsilon", Attribute::of_float(eps)}, {"layout", Attribute::of_string("NHWC")}});
    if (ops.activation.empty()) return bind1(b, node, bn);
    WEBCNN_ASSIGN(ValueId y, activation_node(b, node, ops.activation, bn, n, prelu_alpha));
    return bind1(b, node, y);
  }
  if (ops.activation.empty()) return emit1(b, node, "Conv", in, a);
  WEBCNN_ASSIGN(bool fusable, fused_activation_attrs(node, ops.activation, a));
  if (fusable) return emit1(b, node, "Conv", in, a);
  ValueId conv = b.add1("Conv", n + "/conv", in, a);
  WEBCNN_ASSIGN(ValueId y, activation_node(b, node, ops.activation, conv, n, prelu_alpha));
  return bind1(b, node, y);
}

// Conv2DBackpropInput(output_shape, filter [kH, kW, out, in], x) → ConvTranspose with W [in, out, kH, kW].
Status translate_conv_transpose(const TfNode& node, GraphBuilder& b) {
  WEBCNN_TRY(check_nhwc(node));
  WEBCNN_ASSIGN(ValueId filter, b.input(node, 1));
  WEBCNN_ASSIGN(ValueId x, b.input(node, 2));
  const Tensor* f = b.constant_input(node, 1);
  if (!f || f->rank() != 4) return node.error("the filter must be a constant of rank 4");
  Attrs a;
  a["layout"] = Attribute::of_string("NHWC");
  WEBCNN_ASSIGN(std::vector<int64_t> strides, spatial_of(node, "strides", 1));
  WEBCNN_ASSIGN(std::vector<int64_t> dilations, spatial_of(node, "dilations", 1));
  a["strides"] = Attribute::of_ints(strides);
  a["dilations"] = Attribute::of_ints(dilations);
  a["kernel_shape"] = Attribute::of_ints({f->shape()[0], f->shape()[1]});
  // A constant output size becomes ONNX's output_shape, from which ConvTranspose derives its pads
  // (SAME_UPPER puts the odd one at the end, as TF's forward SAME convolution does). When the size is
  // computed at run time (Shape → StridedSlice → Pack), the attribute-free ONNX rules give what Keras'
  // Conv2DTranspose asks for: in·stride with SAME, (in − 1)·stride + kernel with VALID.
  if (const Tensor* os = b.constant_input(node, 0)) {
    if (os->size() != 4 || os->dtype() == DataType::kFloat32) return node.error("output_shape should be 4 integers");
    std::vector<int64_t> out_shape = os->to_int64_vector();
    a["output_shape"] = Attribute::of_ints({out_shape[1], out_shape[2]});
  }
  WEBCNN_TRY(add_padding_attrs(node, a));
  ValueId w = b.add1("Transpose", node.name + "/filter_iohw", {filter}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
  return emit1(b, node, "ConvTranspose", {x, w}, a);
}

// MatMul / _FusedMatMul → Gemm (TF MatMul is 2-D).
Status translate_matmul(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(ValueId a_in, b.input(node, 0));
  WEBCNN_ASSIGN(ValueId b_in, b.input(node, 1));
  WEBCNN_ASSIGN(bool ta, node.attr_bool("transpose_a", false));
  WEBCNN_ASSIGN(bool tb, node.attr_bool("transpose_b", false));
  Attrs a = {{"transA", Attribute::of_int(ta)}, {"transB", Attribute::of_int(tb)}};
  std::vector<ValueId> in = {a_in, b_in};
  if (node.op == "MatMul") {
    if (node.inputs.size() != 2) return node.error("expects 2 inputs");
    return emit1(b, node, "Gemm", in, a);
  }
  WEBCNN_ASSIGN(FusedOps ops, read_fused_ops(b, node, 2));
  if (ops.batch_norm) return node.error("FusedBatchNorm is not a MatMul fusion");
  if (ops.bias) in.push_back(ops.args[0]);
  if (ops.activation.empty()) return emit1(b, node, "Gemm", in, a);
  WEBCNN_ASSIGN(bool fusable, fused_activation_attrs(node, ops.activation, a));
  if (fusable) return emit1(b, node, "Gemm", in, a);
  ValueId gemm = b.add1("Gemm", node.name + "/gemm", in, a);
  WEBCNN_ASSIGN(ValueId y, activation_node(b, node, ops.activation, gemm, node.name,
                                           ops.activation == "Prelu" ? ops.args.back() : kNoValue));
  return bind1(b, node, y);
}

Status translate_batch_matmul(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  WEBCNN_ASSIGN(bool adj_x, node.attr_bool("adj_x", false));
  WEBCNN_ASSIGN(bool adj_y, node.attr_bool("adj_y", false));
  if (adj_x || adj_y) return node.error("adj_x/adj_y are not supported");
  return emit1(b, node, "MatMul", in);
}

Status translate_pool(const TfNode& node, GraphBuilder& b) {
  WEBCNN_TRY(check_nhwc(node));
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 1));
  Attrs a;
  a["layout"] = Attribute::of_string("NHWC");
  WEBCNN_ASSIGN(std::vector<int64_t> k, spatial_of(node, "ksize", 1));
  WEBCNN_ASSIGN(std::vector<int64_t> strides, spatial_of(node, "strides", 1));
  a["kernel_shape"] = Attribute::of_ints(k);
  a["strides"] = Attribute::of_ints(strides);
  WEBCNN_TRY(add_padding_attrs(node, a));
  // TF's AvgPool averages over the window's valid pixels only: count_include_pad = 0 (the ONNX default).
  return emit1(b, node, node.op == "MaxPool" ? "MaxPool" : "AveragePool", in, a);
}

// Mean/Sum/Max/Min/Prod(x, axes) → Reduce*(x, int64 axes).
Status translate_reduce(const TfNode& node, GraphBuilder& b, const std::string& op) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  WEBCNN_ASSIGN(bool keep, node.attr_bool("keep_dims", false));
  ValueId flat =
      b.add1("Reshape", node.name + "/axes_1d", {in[1], add_int64_constant(b.graph(), node.name + "/minus1", {-1})});
  ValueId axes = b.to_int64(node.name + "/axes", flat);
  return emit1(b, node, op, {in[0], axes}, {{"keepdims", Attribute::of_int(keep)}});
}

Status translate_pad(const TfNode& node, GraphBuilder& b) {
  bool v2 = node.op == "PadV2";
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, v2 ? 3 : 2));
  std::string mode = "constant";
  if (node.op == "MirrorPad") {
    WEBCNN_ASSIGN(std::string m, node.attr_string("mode", "REFLECT"));
    if (m != "REFLECT") return node.error("MirrorPad mode '" + m + "' is not supported (only REFLECT)");
    mode = "reflect";
  }
  // TF paddings [rank, 2] (begin, end per axis) → ONNX pads [begins..., ends...].
  const std::string& n = node.name;
  ValueId t = b.add1("Transpose", n + "/pads_t", {in[1]}, {{"perm", Attribute::of_ints({1, 0})}});
  ValueId flat = b.add1("Reshape", n + "/pads_flat", {t, add_int64_constant(b.graph(), n + "/minus1", {-1})});
  std::vector<ValueId> pin = {in[0], b.to_int64(n + "/pads", flat)};
  if (v2) pin.push_back(in[2]);
  return emit1(b, node, "Pad", pin, {{"mode", Attribute::of_string(mode)}});
}

Status translate_concat(const TfNode& node, GraphBuilder& b) {
  if (node.inputs.size() < 2) return node.error("expects values and an axis");
  WEBCNN_ASSIGN(std::vector<int64_t> axis, b.constant_ints(node, node.inputs.size() - 1, "axis"));
  if (axis.size() != 1) return node.error("axis should be a scalar");
  std::vector<ValueId> in;
  for (size_t i = 0; i + 1 < node.inputs.size(); ++i) {
    WEBCNN_ASSIGN(ValueId v, b.input(node, i));
    in.push_back(v);
  }
  return emit1(b, node, "Concat", in, {{"axis", Attribute::of_int(axis[0])}});
}

// Pack(values..., axis) → Unsqueeze each at axis, then Concat along it.
Status translate_pack(const TfNode& node, GraphBuilder& b) {
  if (node.inputs.empty()) return node.error("needs at least one input");
  WEBCNN_ASSIGN(int64_t axis, node.attr_int("axis", 0));
  ValueId axes = add_int64_constant(b.graph(), node.name + "/axis", {axis});
  std::vector<ValueId> parts;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    WEBCNN_ASSIGN(ValueId v, b.input(node, i));
    parts.push_back(b.add1("Unsqueeze", node.name + "/expand_" + std::to_string(i), {v, axes}));
  }
  if (parts.size() == 1) return emit1(b, node, "Identity", parts);
  return emit1(b, node, "Concat", parts, {{"axis", Attribute::of_int(axis)}});
}

// Unpack(x) → one Gather with a scalar index per output (a scalar index drops the axis).
Status translate_unpack(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 1));
  WEBCNN_ASSIGN(int64_t axis, node.attr_int("axis", 0));
  WEBCNN_ASSIGN(int64_t num, node.attr_int("num", -1));
  if (num < 1 || num > 65536) return node.error("attribute 'num' must be positive");
  for (int64_t i = 0; i < num; ++i) {
    Tensor idx(DataType::kInt64, {});
    idx.data<int64_t>()[0] = i;
    std::string out = i == 0 ? node.name : node.name + ":" + std::to_string(i);
    ValueId v = b.add1("Gather", out, {in[0], b.graph().add_constant(out + "/index", std::move(idx))},
                       {{"axis", Attribute::of_int(axis)}});
    b.bind(out, v);
  }
  return Status::ok();
}

Status translate_squeeze(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 1));
  WEBCNN_ASSIGN(std::vector<int64_t> dims, node.attr_ints("squeeze_dims"));
  if (dims.empty()) return emit1(b, node, "Squeeze", in);  // all size-1 axes
  return emit1(b, node, "Squeeze", {in[0], add_int64_constant(b.graph(), node.name + "/axes", dims)});
}

Status translate_expand_dims(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  ValueId flat =
      b.add1("Reshape", node.name + "/axis_1d", {in[1], add_int64_constant(b.graph(), node.name + "/minus1", {-1})});
  return emit1(b, node, "Unsqueeze", {in[0], b.to_int64(node.name + "/axes", flat)});
}

Status translate_transpose(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(ValueId x, b.input(node, 0));
  WEBCNN_ASSIGN(std::vector<int64_t> perm, b.constant_ints(node, 1, "perm"));
  return emit1(b, node, "Transpose", {x}, {{"perm", Attribute::of_ints(perm)}});
}

// ResizeBilinear / ResizeNearestNeighbor(x NHWC, size [2]) → Resize over axes 1, 2.
Status translate_resize(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  WEBCNN_ASSIGN(bool align, node.attr_bool("align_corners", false));
  WEBCNN_ASSIGN(bool half, node.attr_bool("half_pixel_centers", false));
  if (align && half) return node.error("align_corners and half_pixel_centers cannot both be set");
  bool bilinear = node.op == "ResizeBilinear";
  Attrs a;
  a["mode"] = Attribute::of_string(bilinear ? "linear" : "nearest");
  a["axes"] = Attribute::of_ints({1, 2});
  a["coordinate_transformation_mode"] = Attribute::of_string(align  ? "align_corners"
                                                             : half ? "half_pixel"
                                                                    : "asymmetric");
  // TF nearest: floor(x·scale) plainly, floor((x+0.5)·scale) with half-pixel centers (= round_prefer_ceil
  // of ONNX's half_pixel coordinate), round() with align_corners.
  if (!bilinear) a["nearest_mode"] = Attribute::of_string(half || align ? "round_prefer_ceil" : "floor");
  ValueId sizes = b.to_int64(node.name + "/sizes", in[1]);
  return emit1(b, node, "Resize", {in[0], kNoValue, kNoValue, sizes}, a);
}

Status translate_cast(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 1));
  WEBCNN_ASSIGN(std::string dst, node.attr_type("DstT", ""));
  Result<DataType> dt = dtype_from_tf(dst);
  if (!dt.is_ok())
    return node.error("cast to " + (dst.empty() ? std::string("(missing DstT)") : dst) + " is not supported");
  return emit1(b, node, "Cast", in, {{"to", Attribute::of_int(onnx_dtype(dt.value()))}});
}

Status translate_gather(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 3));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, b.constant_ints(node, 2, "axis"));
  WEBCNN_ASSIGN(int64_t batch_dims, node.attr_int("batch_dims", 0));
  if (axis.size() != 1) return node.error("axis should be a scalar");
  if (batch_dims != 0) return node.error("batch_dims != 0 is not supported");
  return emit1(b, node, "Gather", {in[0], in[1]}, {{"axis", Attribute::of_int(axis[0])}});
}

// TopKV2(x, k) → TopK(x, int64 [k]) with int64 indices cast back to TF's int32.
Status translate_topk(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  WEBCNN_ASSIGN(bool sorted, node.attr_bool("sorted", true));
  ValueId k1 = b.add1("Reshape", node.name + "/k_1d", {in[1], add_int64_constant(b.graph(), node.name + "/one", {1})});
  std::vector<ValueId> outs =
      b.add("TopK", node.name + "/topk", {in[0], b.to_int64(node.name + "/k", k1)},
            {{"axis", Attribute::of_int(-1)}, {"largest", Attribute::of_int(1)}, {"sorted", Attribute::of_int(sorted)}},
            {node.name, node.name + "/indices64"});
  b.bind(node.name, outs[0]);
  b.bind(node.name + ":1",
         b.add1("Cast", node.name + ":1", {outs[1]}, {{"to", Attribute::of_int(onnx_dtype(DataType::kInt32))}}));
  return Status::ok();
}

// ArgMax(x, axis) → ArgMax(axis, keepdims 0), int64 result cast to output_type (int32 by default).
Status translate_argmax(const TfNode& node, GraphBuilder& b, const std::string& op) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, b.constant_ints(node, 1, "axis"));
  if (axis.size() != 1) return node.error("axis should be a scalar");
  WEBCNN_ASSIGN(std::string out_t, node.attr_type("output_type", "DT_INT64"));
  WEBCNN_ASSIGN(DataType dt, dtype_from_tf(out_t));
  ValueId idx = b.add1(op, node.name + "/int64", {in[0]},
                       {{"axis", Attribute::of_int(axis[0])}, {"keepdims", Attribute::of_int(0)}});
  if (dt == DataType::kInt64) return bind1(b, node, b.add1("Identity", node.name, {idx}));
  return emit1(b, node, "Cast", {idx}, {{"to", Attribute::of_int(onnx_dtype(dt))}});
}

Status translate_shape(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 1));
  WEBCNN_ASSIGN(std::string out_t, node.attr_type("out_type", "DT_INT32"));
  WEBCNN_ASSIGN(DataType dt, dtype_from_tf(out_t));
  ValueId s = b.add1(node.op == "Size" ? "Size" : "Shape", node.name + "/int64", in);
  return emit1(b, node, "Cast", {s}, {{"to", Attribute::of_int(onnx_dtype(dt))}});
}

// Split(axis, x) with num_split, SplitV(x, size_splits, axis) → Split with outputs "name", "name:1", ...
Status translate_split(const TfNode& node, GraphBuilder& b) {
  bool v = node.op == "SplitV";
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, v ? 3 : 2));
  WEBCNN_ASSIGN(std::vector<int64_t> axis, b.constant_ints(node, v ? 2 : 0, "axis"));
  if (axis.size() != 1) return node.error("axis should be a scalar");
  WEBCNN_ASSIGN(int64_t num, node.attr_int("num_split", 0));
  if (num < 1 || num > 65536) return node.error("attribute 'num_split' must be positive");
  std::vector<std::string> outs;
  for (int64_t i = 0; i < num; ++i) outs.push_back(i == 0 ? node.name : node.name + ":" + std::to_string(i));
  std::vector<ValueId> inputs = {in[v ? 0 : 1]};
  Attrs a = {{"axis", Attribute::of_int(axis[0])}};
  if (v) inputs.push_back(b.to_int64(node.name + "/split", in[1]));
  else a["num_outputs"] = Attribute::of_int(num);
  std::vector<ValueId> ids = b.add("Split", node.name, inputs, a, outs);
  for (size_t i = 0; i < ids.size(); ++i) b.bind(outs[i], ids[i]);
  return Status::ok();
}

// Slice(x, begin, size) → StridedSlice(x, begin, begin + size, 1…); size -1 ("to the end") sets the
// axis' end_mask bit, so `size` must be constant.
Status translate_slice(const TfNode& node, GraphBuilder& b) {
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, 3));
  WEBCNN_ASSIGN(std::vector<int64_t> size, b.constant_ints(node, 2, "size"));
  if (size.size() > 62) return node.error("too many axes");
  int64_t end_mask = 0;
  for (size_t i = 0; i < size.size(); ++i)
    if (size[i] == -1) end_mask |= int64_t{1} << i;
  const std::string& n = node.name;
  ValueId begin = b.to_int64(n + "/begin", in[1]);
  ValueId end = b.add1("Add", n + "/end", {begin, b.to_int64(n + "/size", in[2])});
  ValueId strides = add_int64_constant(b.graph(), n + "/strides", std::vector<int64_t>(size.size(), 1));
  return emit1(b, node, "StridedSlice", {in[0], begin, end, strides}, {{"end_mask", Attribute::of_int(end_mask)}});
}

// ---- renames: TF ops that are one engine op ---------------------------------------------------------

// A TF attribute copied onto the engine node (attr_float or attr_int, `def` when absent).
struct AttrCopy {
  const char* tf;
  const char* engine;
  bool is_float;
  double def;
};

// Which TF input feeds an engine input; the ONNX-form shape-like inputs (shapes, repeats, indices) are
// cast to int64 as value "<node>/<int64_as>".
struct TfInput {
  size_t index;
  const char* int64_as = nullptr;
};

struct Rename {
  const char* op;                     // the engine op
  size_t arity;                       // TF inputs, all required
  std::vector<TfInput> inputs = {};   // empty: the TF inputs in order, unchanged
  std::vector<AttrCopy> copies = {};  // read in this order (the first malformed one is reported)
  Attrs fixed = {};                   // attributes the engine op always gets
  bool nhwc = false;                  // data_format must be NHWC
  const char* input_names = nullptr;  // named in the error when the input count is wrong
};

const std::map<std::string, Rename>& renames() {
  static const std::map<std::string, Rename> m = [] {
    std::map<std::string, Rename> r;
    // Binary and unary ops with the same meaning in ONNX.
    for (const auto& [tf, op] : std::map<std::string, const char*>{{"Add", "Add"},
                                                                   {"AddV2", "Add"},
                                                                   {"BiasAdd", "Add"},
                                                                   {"Sub", "Sub"},
                                                                   {"Mul", "Mul"},
                                                                   {"RealDiv", "Div"},
                                                                   {"Maximum", "Max"},
                                                                   {"Minimum", "Min"},
                                                                   {"Pow", "Pow"},
                                                                   {"FloorMod", "Mod"},
                                                                   {"FloorDiv", "FloorDiv"},
                                                                   {"Equal", "Equal"},
                                                                   {"Greater", "Greater"},
                                                                   {"GreaterEqual", "GreaterOrEqual"},
                                                                   {"Less", "Less"},
                                                                   {"LessEqual", "LessOrEqual"},
                                                                   {"LogicalAnd", "And"},
                                                                   {"LogicalOr", "Or"},
                                                                   {"Prelu", "PRelu"}})
      r[tf] = {op, 2};
    for (const auto& [tf, op] :
         std::map<std::string, const char*>{{"Relu", "Relu"},
                                            {"Sigmoid", "Sigmoid"},
                                            {"Tanh", "Tanh"},
                                            {"Elu", "Elu"},
                                            {"Selu", "Selu"},
                                            {"Sqrt", "Sqrt"},
                                            {"Abs", "Abs"},
                                            {"Exp", "Exp"},
                                            {"Log", "Log"},
                                            {"Neg", "Neg"},
                                            {"Reciprocal", "Reciprocal"},
                                            {"Floor", "Floor"},
                                            {"Ceil", "Ceil"},
                                            {"Round", "Round"},
                                            {"Sin", "Sin"},
                                            {"Cos", "Cos"},
                                            {"LogicalNot", "Not"},
                                            {"Identity", "Identity"},
                                            {"Snapshot", "Identity"},
                                            {"StopGradient", "Identity"},
                                            {"Erf", "Erf"},
                                            {"Softplus", "Softplus"},
                                            {"Sign", "Sign"},
                                            {"PlaceholderWithDefault", "Identity"}})  // never fed: its default
      r[tf] = {op, 1};
    r["Select"] = r["SelectV2"] = {"Where", 3};
    r["Range"] = {"Range", 3};
    r["Softmax"] = {"Softmax", 1, {}, {}, {{"axis", Attribute::of_int(-1)}}};
    r["LogSoftmax"] = {"LogSoftmax", 1, {}, {}, {{"axis", Attribute::of_int(-1)}}};
    r["LeakyRelu"] = {"LeakyRelu", 1, {}, {{"alpha", "alpha", true, 0.2f}}};  // TF's default slope
    r["Reshape"] = {"Reshape", 2, {{0}, {1, "shape"}}};
    r["BroadcastTo"] = {"Expand", 2, {{0}, {1, "shape"}}};
    r["Fill"] = {"Expand", 2, {{1}, {0, "shape"}}};  // Fill(dims, value) → Expand(value, dims)
    r["Tile"] = {"Tile", 2, {{0}, {1, "repeats"}}};
    r["GatherNd"] = {"GatherND", 2, {{0}, {1, "indices"}}};
    r["StridedSlice"] = {"StridedSlice",
                         4,
                         {},
                         {{"begin_mask", "begin_mask", false, 0},
                          {"end_mask", "end_mask", false, 0},
                          {"ellipsis_mask", "ellipsis_mask", false, 0},
                          {"new_axis_mask", "new_axis_mask", false, 0},
                          {"shrink_axis_mask", "shrink_axis_mask", false, 0}}};
    r["FusedBatchNorm"] = r["FusedBatchNormV2"] = r["FusedBatchNormV3"] = {"BatchNormalization",
                                                                           5,
                                                                           {},
                                                                           {{"epsilon", "epsilon", true, 1e-3f}},
                                                                           {{"layout", Attribute::of_string("NHWC")}},
                                                                           true,
                                                                           "x, scale, offset, mean, variance"};
    // TF's DepthToSpace orders channels as (block_h, block_w, C): ONNX's DCR mode.
    r["DepthToSpace"] = {"DepthToSpace",
                         1,
                         {},
                         {{"block_size", "blocksize", false, 0}},
                         {{"mode", Attribute::of_string("DCR")}, {"layout", Attribute::of_string("NHWC")}},
                         true};
    return r;
  }();
  return m;
}

Status translate_rename(const TfNode& node, GraphBuilder& b, const Rename& r) {
  if (r.nhwc) {
    WEBCNN_TRY(check_nhwc(node));
  }
  if (r.input_names && node.inputs.size() != r.arity)
    return node.error("expects " + std::to_string(r.arity) + " inputs (" + r.input_names + ")");
  WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, node, r.arity));
  Attrs a = r.fixed;
  for (const AttrCopy& c : r.copies) {
    if (c.is_float) {
      WEBCNN_ASSIGN(float v, node.attr_float(c.tf, static_cast<float>(c.def)));
      a[c.engine] = Attribute::of_float(v);
    } else {
      WEBCNN_ASSIGN(int64_t v, node.attr_int(c.tf, static_cast<int64_t>(c.def)));
      a[c.engine] = Attribute::of_int(v);
    }
  }
  if (r.inputs.empty()) return emit1(b, node, r.op, in, a);
  std::vector<ValueId> engine_in;
  for (const TfInput& i : r.inputs)
    engine_in.push_back(i.int64_as ? b.to_int64(node.name + "/" + i.int64_as, in[i.index]) : in[i.index]);
  return emit1(b, node, r.op, engine_in, a);
}

// ---- the translators -------------------------------------------------------------------------------------

using Translator = std::function<Status(const TfNode&, GraphBuilder&)>;

const std::map<std::string, Translator>& translators() {
  static const std::map<std::string, Translator> m = [] {
    std::map<std::string, Translator> t;
    // An op is either a row of renames() or has code below, never both.
    for (const auto& [op, rename] : renames()) {
      const Rename* r = &rename;
      t[op] = [r](const TfNode& n, GraphBuilder& b) { return translate_rename(n, b, *r); };
    }
    for (const char* op : {"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"})
      t[op] = translate_conv;
    t["Conv2DBackpropInput"] = translate_conv_transpose;
    t["MatMul"] = t["_FusedMatMul"] = translate_matmul;
    t["BatchMatMul"] = t["BatchMatMulV2"] = translate_batch_matmul;
    t["MaxPool"] = t["AvgPool"] = translate_pool;
    for (const auto& [tf, op] : std::map<std::string, std::string>{{"Mean", "ReduceMean"},
                                                                   {"Sum", "ReduceSum"},
                                                                   {"Max", "ReduceMax"},
                                                                   {"Min", "ReduceMin"},
                                                                   {"Prod", "ReduceProd"}})
      t[tf] = [op = op](const TfNode& n, GraphBuilder& b) { return translate_reduce(n, b, op); };
    t["ArgMax"] = [](const TfNode& n, GraphBuilder& b) { return translate_argmax(n, b, "ArgMax"); };
    t["ArgMin"] = [](const TfNode& n, GraphBuilder& b) { return translate_argmax(n, b, "ArgMin"); };
    t["Pad"] = t["PadV2"] = t["MirrorPad"] = translate_pad;
    t["ConcatV2"] = translate_concat;
    t["Pack"] = translate_pack;
    t["Unpack"] = translate_unpack;
    t["Squeeze"] = translate_squeeze;
    t["ExpandDims"] = translate_expand_dims;
    t["Transpose"] = translate_transpose;
    t["ResizeBilinear"] = t["ResizeNearestNeighbor"] = translate_resize;
    t["Cast"] = translate_cast;
    t["GatherV2"] = translate_gather;
    t["TopKV2"] = translate_topk;
    t["Shape"] = t["Size"] = translate_shape;
    t["Split"] = t["SplitV"] = translate_split;
    t["Slice"] = translate_slice;
    t["Relu6"] = [](const TfNode& n, GraphBuilder& b) -> Status {
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 1));
      return emit1(b, n, "Clip",
                   {in[0], add_float_scalar(b.graph(), n.name + "/min", 0.f),
                    add_float_scalar(b.graph(), n.name + "/max", 6.f)});
    };
    t["Square"] = [](const TfNode& n, GraphBuilder& b) -> Status {
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 1));
      return emit1(b, n, "Mul", {in[0], in[0]});
    };
    t["Rsqrt"] = [](const TfNode& n, GraphBuilder& b) -> Status {
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 1));
      ValueId s = b.add1("Sqrt", n.name + "/sqrt", in);
      return emit1(b, n, "Div", {add_float_scalar(b.graph(), n.name + "/one", 1.f), s});
    };
    t["SquaredDifference"] = [](const TfNode& n, GraphBuilder& b) -> Status {
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 2));
      ValueId d = b.add1("Sub", n.name + "/diff", in);
      return emit1(b, n, "Mul", {d, d});
    };
    t["NotEqual"] = [](const TfNode& n, GraphBuilder& b) -> Status {
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 2));
      return emit1(b, n, "Not", {b.add1("Equal", n.name + "/equal", in)});
    };
    t["AddN"] = [](const TfNode& n, GraphBuilder& b) -> Status {  // a chain of Adds, in input order
      if (n.inputs.empty()) return n.error("needs at least one input");
      WEBCNN_ASSIGN(ValueId acc, b.input(n, 0));
      if (n.inputs.size() == 1) return emit1(b, n, "Identity", {acc});
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        WEBCNN_ASSIGN(ValueId v, b.input(n, i));
        std::string name = i + 1 == n.inputs.size() ? n.name : n.name + "/sum_" + std::to_string(i);
        acc = b.add1("Add", name, {acc, v});
      }
      return bind1(b, n, acc);
    };
    t["Div"] = [](const TfNode& n, GraphBuilder& b) -> Status {  // TF's Div floors for integers
      WEBCNN_ASSIGN(std::vector<ValueId> in, all_inputs(b, n, 2));
      WEBCNN_ASSIGN(std::string type, n.attr_type("T", "DT_FLOAT"));
      return emit1(b, n, type == "DT_FLOAT" ? "Div" : "FloorDiv", in);
    };
    return t;
  }();
  return m;
}

}  // namespace

bool is_supported_tf_op(const std::string& op) { return translators().count(op) != 0; }

bool is_control_flow_tf_op(const std::string& op) {
  static const std::set<std::string> cf = {"Switch",       "Merge", "Enter",          "Exit", "NextIteration",
                                           "LoopCond",     "While", "StatelessWhile", "If",   "StatelessIf",
                                           "TensorArrayV3"};
  return cf.count(op) || op.rfind("TensorArray", 0) == 0 || op.rfind("TensorList", 0) == 0;
}

Status translate_tf_node(const TfNode& node, GraphBuilder& b) {
  auto it = translators().find(node.op);
  if (it == translators().end()) return node.error("unsupported op").with_code(StatusCode::kUnsupportedOp);
  return it->second(node, b);
}

}  // namespace tfjs
}  // namespace webcnn
