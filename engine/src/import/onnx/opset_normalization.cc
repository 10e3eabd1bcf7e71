#include "import/onnx/opset_normalization.h"

#include <set>

#include "graph/constants.h"
#include "ops/kernel.h"

namespace webcnn {
namespace onnx {

ValueId ImportContext::intermediate(const std::string& name) { return graph_.add_value(name); }

namespace {

// Inputs are positional: grows the list with absent entries so `index` exists.
void set_input(Node& n, size_t index, ValueId id) {
  if (n.inputs.size() <= index) n.inputs.resize(index + 1, kNoValue);
  n.inputs[index] = id;
}

bool has_input(const Node& n, size_t index) { return index < n.inputs.size() && n.inputs[index] != kNoValue; }

// The node's name for helper values: "<node>/<what>".
std::string helper_name(const Node& n, const char* what) { return n.name + "/" + what; }

// Moves an ints attribute (if present) into input `index` as an int64 constant.
Status ints_attr_to_input(ImportContext& ctx, Node& n, const char* attr, size_t index) {
  if (!n.has_attr(attr)) return Status::ok();
  WEBCNN_ASSIGN(std::vector<int64_t> v, n.attr_ints(attr, {}));
  n.attrs.erase(attr);
  set_input(n, index, add_int64_constant(ctx.graph(), helper_name(n, attr), v));
  return Status::ok();
}

// Rank of a value when the importer already knows it (graph inputs, constants); -1 otherwise.
int64_t known_rank(ImportContext& ctx, ValueId id) {
  if (id == kNoValue) return -1;
  const Value& v = ctx.graph().value(id);
  return v.has_shape ? static_cast<int64_t>(v.shape.size()) : -1;
}

// The engine op's traits (ops/op_traits.h) say which ops carry a layout and which take Reduce* axes.
bool is_layout_sensitive(const std::string& op) { return OpRegistry::global().traits(op).layout_sensitive; }

bool is_reduce(const std::string& op) { return OpRegistry::global().traits(op).reduce; }

// Opset < 13 Softmax/LogSoftmax/Hardmax: the input is flattened to 2-D at `axis` (default 1) and the op
// works on the second dimension. The engine's op is single-axis, so: Flatten → op(axis=-1) → Reshape back
// to the input's shape (taken with a Shape node, which constant folding resolves).
Status rewrite_flattening_softmax(ImportContext& ctx, Node n) {
  WEBCNN_ASSIGN(int64_t axis, n.attr_int("axis", 1));
  if (n.inputs.empty() || n.outputs.empty() || n.inputs[0] == kNoValue) return n.error("expects 1 input and 1 output");
  ValueId x = n.inputs[0], y = n.outputs[0];
  // On the last axis the two forms agree: no rewrite needed.
  if (axis == -1 || (axis >= 0 && axis == known_rank(ctx, x) - 1)) {
    n.attrs["axis"] = Attribute::of_int(-1);
    ctx.add(std::move(n));
    return Status::ok();
  }

  Node shape;
  shape.op = "Shape";
  shape.name = helper_name(n, "input_shape");
  shape.inputs = {x};
  ValueId shape_v = ctx.intermediate(shape.name);
  shape.outputs = {shape_v};

  Node flatten;
  flatten.op = "Flatten";
  flatten.name = helper_name(n, "flatten");
  flatten.inputs = {x};
  ValueId flat_v = ctx.intermediate(flatten.name);
  flatten.outputs = {flat_v};
  flatten.attrs["axis"] = Attribute::of_int(axis);

  Node op = n;
  op.inputs = {flat_v};
  ValueId op_v = ctx.intermediate(helper_name(n, "2d"));
  op.outputs = {op_v};
  op.attrs.clear();
  op.attrs["axis"] = Attribute::of_int(-1);

  Node reshape;
  reshape.op = "Reshape";
  reshape.name = helper_name(n, "reshape");
  reshape.inputs = {op_v, shape_v};
  reshape.outputs = {y};

  ctx.add(std::move(shape));
  ctx.add(std::move(flatten));
  ctx.add(std::move(op));
  ctx.add(std::move(reshape));
  return Status::ok();
}

// Upsample (opset 7-9) and Resize opset 10 → Resize (opset 18): [X, roi, scales] with the legacy
// coordinate mapping x_in = x_out / scale and floor for nearest.
Status rewrite_legacy_resize(ImportContext& ctx, Node& n) {
  if (n.inputs.empty()) return n.error("expects an input");
  ValueId scales = kNoValue;
  if (n.has_attr("scales")) {  // Upsample opset 7-8
    WEBCNN_ASSIGN(std::vector<float> s, n.attr_floats("scales", {}));
    scales = add_float_constant(ctx.graph(), helper_name(n, "scales"), s);
    n.attrs.erase("scales");
  } else if (n.inputs.size() >= 2) {
    scales = n.inputs[1];
  }
  if (scales == kNoValue) return n.error("needs scales (attribute before opset 9, input after)");
  WEBCNN_ASSIGN(std::string mode, n.attr_string("mode", "nearest"));
  if (mode == "bilinear") mode = "linear";
  n.op = "Resize";
  n.inputs = {n.inputs[0], kNoValue, scales};
  n.attrs["mode"] = Attribute::of_string(mode);
  n.attrs["coordinate_transformation_mode"] = Attribute::of_string("asymmetric");
  n.attrs["nearest_mode"] = Attribute::of_string("floor");
  return Status::ok();
}

// An input that is a constant with no elements means "absent" (Resize opset 11-12 passed empty roi/scales).
void drop_empty_constant_input(ImportContext& ctx, Node& n, size_t index) {
  if (!has_input(n, index)) return;
  const Value& v = ctx.graph().value(n.inputs[index]);
  if (v.constant && v.constant->size() == 0) n.inputs[index] = kNoValue;
}

// Dropout: the engine's op is the opset-12+ form (data, ratio, training_mode → output, bool mask). Older
// forms carried ratio/is_test attributes that mean nothing at inference. Before opset 10 the mask had the
// input's type, not bool, so there the importer builds it itself: Identity plus ConstantOfShape(Shape(x), 1).
Status rewrite_dropout(ImportContext& ctx, Node& n) {
  if (n.inputs.empty() || n.inputs[0] == kNoValue) return n.error("expects an input");
  n.attrs.erase("ratio");
  n.attrs.erase("is_test");
  const bool mask_used = n.outputs.size() >= 2 && n.outputs[1] != kNoValue;
  if (ctx.opset() >= 10 || !mask_used) {
    ctx.add(std::move(n));
    return Status::ok();
  }
  ValueId x = n.inputs[0];
  if (n.outputs[0] != kNoValue) {
    Node id;
    id.op = "Identity";
    id.name = n.name;
    id.inputs = {x};
    id.outputs = {n.outputs[0]};
    ctx.add(std::move(id));
  }
  Node shape;
  shape.op = "Shape";
  shape.name = helper_name(n, "mask_shape");
  shape.inputs = {x};
  ValueId shape_v = ctx.intermediate(shape.name);
  shape.outputs = {shape_v};
  Node fill;
  fill.op = "ConstantOfShape";
  fill.name = helper_name(n, "mask");
  fill.inputs = {shape_v};
  fill.outputs = {n.outputs[1]};
  fill.attrs["value"] = Attribute::of_tensor(std::make_shared<const Tensor>(float_tensor({1.0f})));
  ctx.add(std::move(shape));
  ctx.add(std::move(fill));
  return Status::ok();
}

// Appends Unsqueeze(x, axes) and returns its output.
ValueId unsqueeze(ImportContext& ctx, const Node& n, ValueId x, std::vector<int64_t> axes, const char* what) {
  Node u;
  u.op = "Unsqueeze";
  u.name = helper_name(n, what);
  u.inputs = {x, add_int64_constant(ctx.graph(), u.name + "/axes", axes)};
  u.outputs = {ctx.intermediate(u.name)};
  ValueId out = u.outputs[0];
  ctx.add(std::move(u));
  return out;
}

bool is_legacy_broadcast_op(const std::string& op) {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul",   "Div",     "Pow", "And",
                                            "Or",  "Xor", "Equal", "Greater", "Less"};
  return ops.count(op) != 0;
}

// Opsets 1-6 differ from 7 in a few ops; rewrites them to the opset-7 form, which the rules below
// then carry on to 18.
Status normalize_before_opset7(ImportContext& ctx, Node& n) {
  n.attrs.erase("consumed_inputs");  // opset < 6: in-place hints
  const std::string& op = n.op;
  if (is_legacy_broadcast_op(op)) {
    // `broadcast=1` let B broadcast to A: suffix-aligned (numpy rules, as opset 7) or aligned at `axis`.
    WEBCNN_ASSIGN(int64_t broadcast, n.attr_int("broadcast", 0));
    WEBCNN_ASSIGN(int64_t axis, n.attr_int("axis", -1));
    n.attrs.erase("broadcast");
    n.attrs.erase("axis");
    if (broadcast == 0 || axis < 0 || n.inputs.size() != 2) return Status::ok();
    int64_t rank_a = known_rank(ctx, n.inputs[0]), rank_b = known_rank(ctx, n.inputs[1]);
    if (rank_a < 0 || rank_b < 0) return n.error("unsupported: legacy broadcast with 'axis' on inputs of unknown rank");
    int64_t trailing = rank_a - axis - rank_b;
    if (trailing < 0) return n.error("broadcast axis " + std::to_string(axis) + " does not fit the input ranks");
    if (trailing == 0) return Status::ok();
    std::vector<int64_t> axes;
    for (int64_t i = 0; i < trailing; ++i) axes.push_back(rank_b + i);
    n.inputs[1] = unsqueeze(ctx, n, n.inputs[1], std::move(axes), "broadcast_b");
  } else if (op == "PRelu" && n.inputs.size() == 2) {
    // Before opset 7 a 1-D slope was per channel (axis 1); now it broadcasts numpy-style.
    int64_t rank_x = known_rank(ctx, n.inputs[0]), rank_s = known_rank(ctx, n.inputs[1]);
    if (rank_s < 0 || rank_x < 0)
      return n.error("unsupported: PRelu before opset 7 with slope or input of unknown rank");
    if (rank_s == 1 && rank_x > 2) {
      std::vector<int64_t> axes;
      for (int64_t i = 1; i < rank_x - 1; ++i) axes.push_back(i);
      n.inputs[1] = unsqueeze(ctx, n, n.inputs[1], std::move(axes), "channel_slope");
    }
  } else if (op == "Gemm") {
    n.attrs.erase("broadcast");
  } else if (op == "Reshape" && n.has_attr("shape")) {  // opset 1-4
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "shape", 1));
  } else if (op == "Pad" && n.has_attr("paddings")) {  // opset 1
    WEBCNN_ASSIGN(std::vector<int64_t> p, n.attr_ints("paddings", {}));
    n.attrs.erase("paddings");
    n.attrs["pads"] = Attribute::of_ints(std::move(p));
  } else if (op == "Concat" && !n.has_attr("axis")) {  // opset 1-3: axis defaulted to 1
    n.attrs["axis"] = Attribute::of_int(1);
  } else if (op == "Upsample") {
    return n.error("unsupported: Upsample before opset 7 (experimental form)");
  } else if (op == "Cast" && n.has_attr("to") && n.attrs["to"].kind == Attribute::Kind::kString) {
    return n.error("unsupported: Cast with a string 'to' (opset 1)");
  }
  return Status::ok();
}

}  // namespace

Status add_normalized_node(ImportContext& ctx, Node n) {
  const int64_t opset = ctx.opset();
  if (opset < 7) WEBCNN_TRY(normalize_before_opset7(ctx, n));
  const std::string& op = n.op;

  if (is_layout_sensitive(op)) n.attrs["layout"] = Attribute::of_string("NCHW");

  if (op == "BatchNormalization") {
    // Training-era attributes with no meaning at inference.
    n.attrs.erase("spatial");
    n.attrs.erase("is_test");
    n.attrs.erase("consumed_inputs");
  } else if (op == "Gemm") {
    n.attrs.erase("broadcast");  // opset < 7: C always broadcasts now
  } else if (op == "Clip" && opset < 11) {
    std::vector<ValueId> bounds = {kNoValue, kNoValue};
    const char* names[2] = {"min", "max"};
    for (int i = 0; i < 2; ++i) {
      if (!n.has_attr(names[i])) continue;
      WEBCNN_ASSIGN(float v, n.attr_float(names[i], 0.0f));
      bounds[static_cast<size_t>(i)] = add_float_scalar(ctx.graph(), helper_name(n, names[i]), v);
      n.attrs.erase(names[i]);
    }
    n.inputs.resize(1, kNoValue);  // a Clip without input keeps it absent; the kernel reports it
    n.inputs.push_back(bounds[0]);
    n.inputs.push_back(bounds[1]);
  } else if (op == "Pad" && opset < 11) {
    if (!n.has_attr("pads")) return n.error("attribute 'pads' is required before opset 11");
    WEBCNN_ASSIGN(float value, n.attr_float("value", 0.0f));
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "pads", 1));
    set_input(n, 2, add_float_scalar(ctx.graph(), helper_name(n, "value"), value));
    n.attrs.erase("value");
  } else if (op == "Slice" && opset < 10) {
    if (!n.has_attr("starts") || !n.has_attr("ends"))
      return n.error("attributes 'starts' and 'ends' are required before opset 10");
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "starts", 1));
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "ends", 2));
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "axes", 3));
  } else if ((op == "Squeeze" || op == "Unsqueeze") && opset < 13) {
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "axes", 1));
  } else if (is_reduce(op) && (opset < 13 || (opset < 18 && op != "ReduceSum"))) {
    WEBCNN_TRY(ints_attr_to_input(ctx, n, "axes", 1));
  } else if (op == "Split") {
    if (opset < 13) WEBCNN_TRY(ints_attr_to_input(ctx, n, "split", 1));
    // Before opset 18 an absent `split` meant equal parts, one per output; 18 says so with num_outputs.
    if (opset < 18 && !has_input(n, 1))
      n.attrs["num_outputs"] = Attribute::of_int(static_cast<int64_t>(n.outputs.size()));
  } else if (op == "TopK" && opset < 10) {
    WEBCNN_ASSIGN(int64_t k, n.attr_int("k", -1));
    if (k < 0) return n.error("attribute 'k' is required before opset 10");
    n.attrs.erase("k");
    set_input(n, 1, add_int64_constant(ctx.graph(), helper_name(n, "k"), {k}));
  } else if (op == "Upsample" || (op == "Resize" && opset < 11)) {
    WEBCNN_TRY(rewrite_legacy_resize(ctx, n));
  } else if (op == "Resize") {
    drop_empty_constant_input(ctx, n, 1);
    drop_empty_constant_input(ctx, n, 2);
    drop_empty_constant_input(ctx, n, 3);
  } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") && opset < 13) {
    return rewrite_flattening_softmax(ctx, std::move(n));
  } else if (op == "Dropout") {
    return rewrite_dropout(ctx, n);
  } else if (op == "Cast" || op == "CastLike") {
    // The engine computes float64 as float32 (the importer narrows double tensors).
    WEBCNN_ASSIGN(int64_t to, n.attr_int("to", 0));
    if (to == 11) n.attrs["to"] = Attribute::of_int(1);
  }
  ctx.add(std::move(n));
  return Status::ok();
}

}  // namespace onnx
}  // namespace webcnn
