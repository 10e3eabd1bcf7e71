// fuse_qdq (passes/fuse_qdq.cc): ONNX QDQ patterns become QLinear ops, and nothing else does. Each case
// builds a QDQ graph in code, checks what the passes leave, and runs the model with optimize off (the
// float path: DequantizeLinear, float op, QuantizeLinear — the independent result) and on (the 8-bit
// kernels). Tolerance: the two may differ by rounding, so the dequantized outputs agree within one unit
// of the output scale on ≥ 99 % of elements and within two everywhere.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "graph/graph.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"
#include "support/optimized_and_unoptimized.h"
#include "webcnn/model.h"

using namespace webcnn;

namespace {

struct QdqBuilder {
  Graph g;
  std::mt19937 rng{7};
  int counter = 0;
  DataType act = DataType::kUInt8;

  std::string fresh(const std::string& p) { return p + "_" + std::to_string(counter++); }

  ValueId input(const std::string& name, Shape s, DataType t = DataType::kFloat32) {
    ValueId id = g.add_value(name, t);
    g.value(id).shape = std::move(s);
    g.value(id).has_shape = true;
    g.inputs.push_back(id);
    return id;
  }
  ValueId scale(std::vector<float> v) {
    Tensor t(DataType::kFloat32, v.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
    return g.add_constant(fresh("scale"), std::move(t));
  }
  ValueId zero_point(DataType type, std::vector<int32_t> v) {
    Tensor t(type, v.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) {
      if (type == DataType::kInt8) t.data<int8_t>()[i] = static_cast<int8_t>(v[i]);
      else if (type == DataType::kUInt8) t.data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
      else t.data<int32_t>()[i] = v[i];
    }
    return g.add_constant(fresh("zp"), std::move(t));
  }
  ValueId node(const std::string& op, std::vector<ValueId> in, std::map<std::string, Attribute> attrs = {},
               DataType out_type = DataType::kFloat32) {
    ValueId out = g.add_value(fresh(op), out_type);
    Node n;
    n.op = op;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attrs = std::move(attrs);
    g.add_node(n);
    return out;
  }
  ValueId q(ValueId x, float s, int32_t zp) {
    return node("QuantizeLinear", {x, scale({s}), zero_point(act, {zp})}, {}, act);
  }
  ValueId dq(ValueId x, ValueId s, ValueId zp, std::map<std::string, Attribute> attrs = {}) {
    return node("DequantizeLinear", {x, s, zp}, std::move(attrs));
  }
  ValueId qdq(ValueId x, float s, int32_t zp) {
    ValueId qv = q(x, s, zp);
    const Node& n = g.nodes.back();
    return dq(qv, n.inputs[1], n.inputs[2]);
  }
  // An int8 weight [O, rest...] per output channel (scales around `s`), dequantized along axis 0 (or
  // per tensor when `per_channel` is false).
  ValueId weight(Shape shape, float s, bool per_channel, int64_t axis = 0) {
    Tensor w(DataType::kInt8, shape);
    std::uniform_int_distribution<int> d(-127, 127);
    for (int64_t i = 0; i < w.size(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>(d(rng));
    const int64_t c = shape[static_cast<size_t>(axis)];
    std::vector<float> scales;
    for (int64_t i = 0; i < (per_channel ? c : 1); ++i) scales.push_back(s * (1.0f + 0.1f * static_cast<float>(i)));
    ValueId wv = g.add_constant(fresh("w"), std::move(w));
    std::map<std::string, Attribute> attrs;
    if (per_channel) attrs["axis"] = Attribute::of_int(axis);
    last_w_scales = scales;
    return dq(wv, scale(scales), zero_point(DataType::kInt8, std::vector<int32_t>(scales.size(), 0)), attrs);
  }
  std::vector<float> last_w_scales;
  // An int32 bias with scale s_x·s_w[c] (what onnxruntime's quantizer writes): per channel along axis 0
  // after per-channel weights, else one scale and no axis (DequantizeLinear's default axis 1 does not
  // exist in the bias' one dimension and means nothing per tensor).
  ValueId bias(int64_t c, float x_scale) {
    Tensor b(DataType::kInt32, {c});
    std::uniform_int_distribution<int> d(-2000, 2000);
    for (int64_t i = 0; i < c; ++i) b.data<int32_t>()[i] = d(rng);
    std::vector<float> s;
    for (size_t i = 0; i < last_w_scales.size(); ++i) s.push_back(x_scale * last_w_scales[i]);
    ValueId bv = g.add_constant(fresh("b"), std::move(b));
    std::map<std::string, Attribute> attrs;
    if (s.size() > 1) attrs["axis"] = Attribute::of_int(0);
    return dq(bv, scale(s), zero_point(DataType::kInt32, std::vector<int32_t>(s.size(), 0)), attrs);
  }
  ValueId conv(ValueId x, ValueId w, ValueId b, int64_t k) {
    std::vector<ValueId> in = {x, w};
    if (b != kNoValue) in.push_back(b);
    const int64_t p = k / 2;
    return node("Conv", in, {{"pads", Attribute::of_ints({p, p, p, p})}, {"kernel_shape", Attribute::of_ints({k, k})}});
  }
};

int count_ops(const Graph& g, const std::string& op) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == op;
  return c;
}

Graph after_passes(Graph g) {
  Status st = infer_shapes_and_fold_constants(g, /*keep_dequantized_weights=*/true);  // as Model plans
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  st = run_graph_passes(g, true);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  return g;
}

Tensor random_input(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  Tensor t(DataType::kFloat32, s);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Runs with optimize off and on; the outputs (float, dequantized) agree within one unit of `out_scale` on
// ≥ 99 % of elements and two everywhere.
void check_fused_matches_float_path(const Graph& g, float out_scale) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    inputs.push_back(random_input(g.value(g.inputs[i]).shape, 11 + static_cast<uint32_t>(i)));
  const auto r = testing::run_optimized_and_unoptimized(g, inputs);
  const std::vector<Tensor>* results[2] = {&r.unoptimized, &r.optimized};
  for (size_t o = 0; o < r.optimized.size(); ++o) {
    const Tensor &a = (*results[0])[o], &b = (*results[1])[o];
    REQUIRE(a.shape() == b.shape());
    int64_t off_by_more = 0;
    float worst = 0, spread = 0;
    for (int64_t i = 0; i < a.size(); ++i) {
      const float d = std::fabs(a.data<float>()[i] - b.data<float>()[i]) / out_scale;
      worst = std::max(worst, d);
      spread = std::max(spread, std::fabs(a.data<float>()[i]) / out_scale);
      off_by_more += d > 1.001f;
    }
    CAPTURE(worst);
    CHECK(off_by_more * 100 <= a.size());
    CHECK(worst <= 2.001f);
    CHECK(spread >= 10);  // the outputs span many units: the comparison can fail
  }
}

// x → Q → DQ → Conv(DQ(w), DQ(b)) [→ Relu] → Q → DQ → output.
struct ConvGraph {
  QdqBuilder b;
  ValueId x_dq, conv_out, y;
  float y_scale = 0.05f;
};

ConvGraph conv_graph(DataType act, bool per_channel, bool relu) {
  ConvGraph c;
  QdqBuilder& b = c.b;
  b.act = act;
  const int32_t zp = act == DataType::kUInt8 ? 128 : 0;
  const float x_scale = 4.0f / 255;
  ValueId x = b.input("x", {1, 5, 7, 6});
  c.x_dq = b.qdq(x, x_scale, zp);
  ValueId w = b.weight({6, 5, 3, 3}, 0.004f, per_channel);
  c.conv_out = b.conv(c.x_dq, w, b.bias(6, x_scale), 3);
  ValueId a = relu ? b.node("Relu", {c.conv_out}) : c.conv_out;
  c.y = b.qdq(a, c.y_scale, relu ? (act == DataType::kUInt8 ? 0 : -128) : zp);
  b.g.outputs.push_back(c.y);
  return c;
}

}  // namespace

TEST_CASE("fuse_qdq: DQ → Conv [→ Relu] → Q becomes one QLinearConv (per tensor / per channel, uint8 / int8)") {
  for (DataType act : {DataType::kUInt8, DataType::kInt8})
    for (bool per_channel : {false, true})
      for (bool relu : {false, true}) {
        CAPTURE(static_cast<int>(act));
        CAPTURE(per_channel);
        CAPTURE(relu);
        ConvGraph c = conv_graph(act, per_channel, relu);
        Graph g = after_passes(c.b.g);
        CHECK(count_ops(g, "QLinearConv") == 1);
        CHECK(count_ops(g, "Conv") == 0);
        CHECK(count_ops(g, "Relu") == 0);
        CHECK(count_ops(g, "DequantizeLinear") == 1);  // only the output's
        CHECK(count_ops(g, "QuantizeLinear") == 1);    // only the input's
        check_fused_matches_float_path(c.b.g, c.y_scale);
      }
}

TEST_CASE("fuse_qdq: no fusion when the Conv's float output is read elsewhere, or parameters are not constants") {
  {  // the float conv output is also a graph output
    ConvGraph c = conv_graph(DataType::kUInt8, true, false);
    c.b.g.outputs.push_back(c.conv_out);
    Graph g = after_passes(c.b.g);
    CHECK(count_ops(g, "QLinearConv") == 0);
    CHECK(count_ops(g, "Conv") == 1);
    check_fused_matches_float_path(c.b.g, c.y_scale);  // the DQ'd weights left to the float Conv still fold
  }
  {  // the float conv output feeds a second, float, reader
    ConvGraph c = conv_graph(DataType::kUInt8, true, false);
    c.b.g.outputs.push_back(c.b.node("Sigmoid", {c.conv_out}));
    Graph g = after_passes(c.b.g);
    CHECK(count_ops(g, "QLinearConv") == 0);
    check_fused_matches_float_path(c.b.g, c.y_scale);
  }
  {  // x's scale is a graph input
    QdqBuilder b;
    ValueId x = b.input("x", {1, 5, 7, 6});
    ValueId s = b.input("x_scale", {});
    ValueId xq = b.q(x, 0.02f, 128);
    ValueId xdq = b.dq(xq, s, b.g.nodes.back().inputs[2]);
    ValueId w = b.weight({6, 5, 3, 3}, 0.004f, true);
    b.g.outputs.push_back(b.qdq(b.conv(xdq, w, kNoValue, 3), 0.05f, 128));
    Graph g = after_passes(b.g);
    CHECK(count_ops(g, "QLinearConv") == 0);
    CHECK(count_ops(g, "Conv") == 1);
  }
  {  // the weight is computed at run time (a graph input), and a float (not quantized) bias
    for (bool float_bias : {false, true}) {
      QdqBuilder b;
      ValueId x = b.input("x", {1, 5, 7, 6});
      ValueId xdq = b.qdq(x, 0.02f, 128);
      ValueId w;
      if (float_bias) {
        w = b.weight({6, 5, 3, 3}, 0.004f, true);
      } else {
        ValueId wq = b.input("w", {6, 5, 3, 3}, DataType::kInt8);
        w = b.dq(wq, b.scale({0.004f}), b.zero_point(DataType::kInt8, {0}));
      }
      Tensor bias(DataType::kFloat32, {6});
      ValueId bv = float_bias ? b.g.add_constant("bias", std::move(bias)) : kNoValue;
      b.g.outputs.push_back(b.qdq(b.conv(xdq, w, bv, 3), 0.05f, 128));
      Graph g = after_passes(b.g);
      CHECK(count_ops(g, "QLinearConv") == 0);
    }
  }
}

TEST_CASE("fuse_qdq: a DQ read by a float op too stays for that reader, the Conv still fuses") {
  ConvGraph c = conv_graph(DataType::kUInt8, true, true);
  c.b.g.outputs.push_back(c.b.node("Sigmoid", {c.x_dq}));
  Graph g = after_passes(c.b.g);
  CHECK(count_ops(g, "QLinearConv") == 1);
  CHECK(count_ops(g, "DequantizeLinear") == 2);  // the kept one and the output's
  check_fused_matches_float_path(c.b.g, c.y_scale);
}

TEST_CASE("fuse_qdq: a Clip whose bound quantises to an exact tie is left unfused, other Clips fuse") {
  for (float hi : {6.0f, 6.025f}) {  // 6.025 / 0.05 = 120.5
    CAPTURE(hi);
    QdqBuilder b;
    ValueId x = b.input("x", {1, 5, 7, 6});
    ValueId xdq = b.qdq(x, 4.0f / 255, 128);
    ValueId w = b.weight({6, 5, 3, 3}, 0.004f, true);
    ValueId c = b.conv(xdq, w, b.bias(6, 4.0f / 255), 3);
    ValueId clip = b.node("Clip", {c, b.scale({0.0f}), b.scale({hi})});
    b.g.outputs.push_back(b.qdq(clip, 0.05f, 0));
    Graph g = after_passes(b.g);
    CHECK(count_ops(g, "QLinearConv") == (hi == 6.0f ? 1 : 0));
    check_fused_matches_float_path(b.g, 0.05f);
  }
}

TEST_CASE("fuse_qdq: MatMul, Gemm, Add, MaxPool, Reshape and GlobalAveragePool between Q/DQ pairs") {
  QdqBuilder b;
  const float s = 4.0f / 255;
  ValueId x = b.input("x", {1, 4, 6, 6});
  ValueId r = b.input("r", {1, 4, 6, 6});
  ValueId xdq = b.qdq(x, s, 128), rdq = b.qdq(r, s * 0.5f, 100);
  ValueId sum = b.qdq(b.node("Relu", {b.node("Add", {xdq, rdq})}), 0.02f, 0);
  ValueId pooled =
      b.node("MaxPool", {sum}, {{"kernel_shape", Attribute::of_ints({2, 2})}, {"strides", Attribute::of_ints({2, 2})}});
  ValueId pooled_dq = b.qdq(pooled, 0.02f, 0);  // the same parameters: the pair drops
  ValueId gap = b.qdq(b.node("GlobalAveragePool", {pooled_dq}), 0.01f, 0);
  Tensor shape_t(DataType::kInt64, {2});
  shape_t.data<int64_t>()[0] = 1;
  shape_t.data<int64_t>()[1] = 4;
  ValueId flat = b.qdq(b.node("Reshape", {gap, b.g.add_constant("shape", std::move(shape_t))}), 0.01f, 0);
  ValueId w = b.weight({7, 4}, 0.01f, true);
  ValueId gemm = b.qdq(b.node("Gemm", {flat, w, b.bias(7, 0.01f)}, {{"transB", Attribute::of_int(1)}}), 0.003f, 128);
  ValueId wm = b.weight({7, 5}, 0.01f, true, /*axis=*/1);
  ValueId mm = b.qdq(b.node("MatMul", {gemm, wm}), 0.001f, 128);
  b.g.outputs.push_back(mm);
  Graph g = after_passes(b.g);
  CHECK(count_ops(g, "QLinearAdd") == 1);
  CHECK(count_ops(g, "QLinearGlobalAveragePool") == 1);
  CHECK(count_ops(g, "QGemm") == 1);
  CHECK(count_ops(g, "QLinearMatMul") == 1);
  CHECK(count_ops(g, "MaxPool") == 1);
  CHECK(count_ops(g, "DequantizeLinear") == 1);
  CHECK(count_ops(g, "QuantizeLinear") == 2);
  for (const Node& n : g.nodes)
    if (n.op == "MaxPool" || n.op == "Reshape") CHECK(g.value(n.outputs[0]).dtype == DataType::kUInt8);
  check_fused_matches_float_path(b.g, 0.001f);
}

TEST_CASE("fuse_qdq: DQ → Q with other parameters becomes one QLinearRequantize (uint8 → int8, as TFLite QUANTIZE)") {
  QdqBuilder b;
  ValueId x = b.input("x", {1, 3, 5, 5});
  ValueId xdq = b.qdq(x, 4.0f / 255, 128);
  b.act = DataType::kInt8;
  b.g.outputs.push_back(b.qdq(xdq, 3.0f / 255, -5));
  Graph g = after_passes(b.g);
  CHECK(count_ops(g, "QLinearRequantize") == 1);
  CHECK(count_ops(g, "QuantizeLinear") == 1);    // the input's
  CHECK(count_ops(g, "DequantizeLinear") == 1);  // the output's
  check_fused_matches_float_path(b.g, 3.0f / 255);
}

TEST_CASE("fuse_qdq: what an 8-bit kernel would refuse stays on the float path (a 1-D conv runs either way)") {
  QdqBuilder b;
  ValueId x = b.input("x", {1, 5, 9});
  ValueId xdq = b.qdq(x, 4.0f / 255, 128);
  ValueId w = b.weight({6, 5, 3}, 0.004f, true);
  ValueId c = b.node("Conv", {xdq, w, b.bias(6, 4.0f / 255)}, {{"pads", Attribute::of_ints({1, 1})}});
  b.g.outputs.push_back(b.qdq(c, 0.05f, 128));
  Graph g = after_passes(b.g);
  CHECK(count_ops(g, "QLinearConv") + count_ops(g, "Conv") == 1);
  check_fused_matches_float_path(b.g, 0.05f);
}

TEST_CASE("fuse_qdq: Mul, Sub and a Concat of differently quantized inputs") {
  QdqBuilder b;
  ValueId x = b.input("x", {1, 3, 5, 4});
  ValueId r = b.input("r", {1, 3, 5, 4});
  ValueId xdq = b.qdq(x, 4.0f / 255, 128), rdq = b.qdq(r, 2.0f / 255, 100);
  ValueId prod = b.qdq(b.node("Mul", {xdq, rdq}), 0.02f, 120);
  ValueId diff = b.qdq(b.node("Sub", {xdq, rdq}), 0.03f, 128);
  ValueId cat = b.qdq(b.node("Concat", {prod, diff, xdq}, {{"axis", Attribute::of_int(1)}}), 0.025f, 128);
  b.g.outputs.push_back(cat);
  Graph g = after_passes(b.g);
  CHECK(count_ops(g, "QLinearMul") == 1);
  CHECK(count_ops(g, "QLinearSub") == 1);
  CHECK(count_ops(g, "QLinearConcat") == 1);
  CHECK(count_ops(g, "DequantizeLinear") == 1);
  check_fused_matches_float_path(b.g, 0.025f);
}

namespace {
ValueId int64_constant(QdqBuilder& b, std::vector<int64_t> v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return b.g.add_constant(b.fresh("i64"), std::move(t));
}
}  // namespace

TEST_CASE("fuse_qdq: Pad (constant and reflect), Slice, Gather and nearest Resize between equal Q/DQ pairs") {
  QdqBuilder b;
  const float s = 4.0f / 255;
  ValueId x = b.input("x", {1, 3, 5, 4});
  ValueId h = b.qdq(x, s, 128);
  h = b.qdq(b.node("Pad", {h, int64_constant(b, {0, 0, 1, 2, 0, 0, 2, 1}), b.scale({0.3f})}), s, 128);
  h = b.qdq(
      b.node("Pad", {h, int64_constant(b, {0, 0, 1, 1, 0, 0, 1, 1})}, {{"mode", Attribute::of_string("reflect")}}), s,
      128);
  h = b.qdq(b.node("Slice", {h, int64_constant(b, {1, 2}), int64_constant(b, {6, 3}), int64_constant(b, {2, 1})}), s,
            128);
  h = b.qdq(b.node("Gather", {h, int64_constant(b, {3, 0, 2})}, {{"axis", Attribute::of_int(3)}}), s, 128);
  Tensor scales(DataType::kFloat32, {4});
  for (int i = 0; i < 4; ++i) scales.data<float>()[i] = i < 2 ? 1.0f : 2.0f;
  ValueId sc = b.g.add_constant("scales", std::move(scales));
  h = b.qdq(b.node("Resize", {h, kNoValue, sc}), s, 128);
  b.g.outputs.push_back(h);
  Graph g = after_passes(b.g);
  CHECK(count_ops(g, "DequantizeLinear") == 1);
  CHECK(count_ops(g, "QuantizeLinear") == 1);
  for (const Node& n : g.nodes)
    if (n.op != "QuantizeLinear" && n.op != "DequantizeLinear" && n.op != "Transpose" && n.op != "Reshape")
      CHECK(g.value(n.outputs[0]).dtype == DataType::kUInt8);
  check_fused_matches_float_path(b.g, s);
}
